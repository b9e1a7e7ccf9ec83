"""Step-time overhead of ``run.watch(model, every=50)`` on the demo CNN and a ResNet-18.

Each model trains with SGD on a fixed random batch; blocks of ``every`` steps with and without the
watch alternate (so that drifting machine load hits both alike), and the mean step time of each
is compared. Every watched block contains exactly one sampled step, the one that computes
histograms, norms, activation statistics and the update ratio, so the mean is the amortized cost.
Target: <= 5 % (docs: DESIGN.md, "run.watch on the demo CNN, every=50").

Run: ``python benchmarks/watch_overhead.py [--blocks 4] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
from torch import nn

import torchloupe as tl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def models() -> dict[str, tuple[nn.Module, torch.Tensor, int]]:
    from insight_models import resnet18

    try:
        from torchloupe.demo.model import DemoCNN
        demo: nn.Module = DemoCNN()
    except ImportError:  # the demo is optional here: an equivalent three-block CNN
        demo = nn.Sequential(*[m for c_in, c in ((1, 16), (16, 32), (32, 64)) for m in (
            nn.Conv2d(c_in, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2))],
            nn.Flatten(), nn.Linear(64 * 9, 10))
    return {
        "demo CNN, 64×1×28×28": (demo, torch.randn(64, 1, 28, 28), 10),
        "ResNet-18 (11.7M params), 16×3×64×64": (resnet18(classes=10), torch.randn(16, 3, 64, 64), 10),
    }


def block(model: nn.Module, x: torch.Tensor, y: torch.Tensor, opt: torch.optim.Optimizer,
          run: tl.Run, start: int, steps: int) -> float:
    t = time.perf_counter()
    for step in range(start, start + steps):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        run.log({"train/loss": loss.detach()}, step=step)
    return (time.perf_counter() - t) / steps


def measure(name: str, model: nn.Module, x: torch.Tensor, classes: int, every: int,
            blocks: int) -> tuple[float, float]:
    y = torch.randint(0, classes, (x.shape[0],))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    plain, watched = [], []
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with tl.init("bench", dir=d) as run:
            step = 0
            block(model, x, y, opt, run, step, 5)  # warm-up: allocator, kernels
            step += 5
            for _ in range(blocks):
                plain.append(block(model, x, y, opt, run, step, every))
                step += every
                run.watch(model, every=every)
                watched.append(block(model, x, y, opt, run, step, every))
                step += every
                run.unwatch(model)
    # The median of the paired ratios: a burst of load from another process spoils one pair,
    # not the figure.
    ratio = statistics.median(w / p for p, w in zip(plain, watched, strict=False))
    base = statistics.median(plain)
    return base, base * ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=5, help="pairs of blocks (each `every` steps)")
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: steadier figures on a shared machine)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"run.watch(every={args.every}) step-time overhead, CPU, {args.threads} thread(s), "
          f"{args.blocks}×2 blocks of {args.every} steps")
    print(f"{'model':40s} {'plain ms/step':>14s} {'watched ms/step':>16s} {'overhead':>9s}  target ≤ 5 %")
    worst = 0.0
    for name, (model, x, classes) in models().items():
        base, watched = measure(name, model, x, classes, args.every, args.blocks)
        overhead = watched / base - 1
        worst = max(worst, overhead)
        print(f"{name:40s} {base * 1e3:14.2f} {watched * 1e3:16.2f} {overhead:+9.1%}  "
              f"{'ok' if overhead <= 0.05 else 'OVER'}")
    print(f"worst: {worst:+.1%}")


if __name__ == "__main__":
    main()
