"""The demo: a small CNN trained on a shipped 5,000-digit MNIST subset, recorded with torchloupe.

``run_demo()`` is what ``torchloupe demo`` calls; ``data``, ``transforms`` and ``model`` are its
parts, usable on their own.

Importing this package before torch asks OpenMP to let idle worker threads sleep
(``OMP_WAIT_POLICY=PASSIVE``, unless already set). By default they spin between parallel regions,
and when other processes want the same cores that made training 3-10x slower: on a busy 2-core
machine three demo epochs took 131-155 s spinning and 12-32 s passive. When the machine is idle,
passive costs about a third more per step (~80 ms -> ~105 ms at batch 128), still well inside the
demo's time budget. The variable has no effect once torch is loaded, so this changes nothing for
a process that imported torch first.

Example:
    >>> from torchloupe.demo import run_demo
    >>> run = run_demo(epochs=1, dir="/tmp/loupe", progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys

if "torch" not in sys.modules:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from torchloupe.demo.summary import print_summary  # noqa: E402
from torchloupe.demo.train import run_demo  # noqa: E402

__all__ = ["print_summary", "run_demo"]
