import numpy as np

from torchloupe.show.terminal import sparkline


def test_sparkline_shapes():
    assert sparkline(np.arange(8.0), width=8) == "▁▂▃▄▅▆▇█"
    assert sparkline(np.full(10, 1e-3), width=5) == "▄▄▄▄▄"
    assert sparkline(np.array([1.0, np.nan, 2.0]), width=3) == "▁!█"
    assert sparkline(np.array([])) == ""
