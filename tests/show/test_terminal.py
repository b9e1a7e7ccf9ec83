import numpy as np

from torchloupe.show.terminal import sparkline


def test_sparkline_shapes():
    assert sparkline(np.arange(8.0), width=8) == "▁▂▃▄▅▆▇█"
    assert sparkline(np.full(10, 1e-3), width=5) == "▄▄▄▄▄"
    assert sparkline(np.array([1.0, np.nan, 2.0]), width=3) == "▁!█"
    assert sparkline(np.array([])) == ""


def test_show_renders_the_logged_model_summary(tmp_path):
    import torch
    from rich.console import Console

    import torchloupe as tl
    from torchloupe.show.terminal import run_view

    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    with tl.init("p", name="m", dir=tmp_path) as run:
        run.log_model(model, torch.zeros(3, 4))
        run.log({"x": 1.0})
    console = Console(width=120, record=True)
    console.print(run_view(tl.open(tmp_path).run("m")))
    text = console.export_text()
    assert "model Sequential" in text and "Linear" in text and "total" in text
