"""The demo: a small CNN trained on a shipped 5,000-digit MNIST subset, recorded with torchloupe.

``run_demo()`` is what ``torchloupe demo`` calls; ``data``, ``transforms`` and ``model`` are its
parts, usable on their own.

Example:
    >>> from torchloupe.demo import run_demo
    >>> run = run_demo(epochs=1, dir="/tmp/loupe", progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

from torchloupe.demo.summary import print_summary
from torchloupe.demo.train import run_demo

__all__ = ["print_summary", "run_demo"]
