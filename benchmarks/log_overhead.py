"""What `run.log` costs the training loop, next to TensorBoard's `SummaryWriter.add_scalar`.

Measured in one process, one after the other, on the same machine:

- caller-thread cost per call / per scalar (wall time, and the calling thread's CPU time);
- CPU per scalar of caller *and* writer thread together (process CPU time from the first call until
  everything is on disk), since the writer thread competes with training for the GIL;
- the writer's ingest rate into the embedded store (points per second, from a full queue to disk).

Run: ``python benchmarks/log_overhead.py [--calls N]``. Prints a table with the ratios and the
targets (one key <= 1/10 of add_scalar; <= 1/25 per scalar in a 10-key dict; caller + writer CPU
<= 1/5 of SummaryWriter's; >= 1M points/s ingest).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable

import torch

import torchloupe as tl

KEYS10 = [f"train/k{i}" for i in range(10)]


def measure(fn: Callable[[int], None], calls: int, finish: Callable[[], None]) -> dict[str, float]:
    """Time ``fn(i)`` for ``calls`` calls, then ``finish()``; return per-call costs in µs."""
    gc.collect()
    cpu0, wall0, thread0 = time.process_time(), time.perf_counter(), time.thread_time()
    for i in range(calls):
        fn(i)
    wall1, thread1 = time.perf_counter(), time.thread_time()
    finish()
    cpu1 = time.process_time()
    return {"wall": (wall1 - wall0) / calls * 1e6, "caller_cpu": (thread1 - thread0) / calls * 1e6,
            "total_cpu": (cpu1 - cpu0) / calls * 1e6}


def loupe(calls: int, keys: int, tensors: bool = False) -> dict[str, float]:
    d = tempfile.mkdtemp()
    try:
        run = tl.init("bench", dir=d, max_queue=10 * calls)
        if keys == 1:
            value = torch.tensor(0.5) if tensors else 0.5
            out = measure(lambda i: run.log({"train/loss": value}, step=i), calls, run.finish)
        else:
            values = [torch.tensor(0.5)] * keys if tensors else [0.5] * keys
            out = measure(lambda i: run.log(dict(zip(KEYS10, values)), step=i), calls, run.finish)
        assert len(tl.open(d).runs()[0].scalars("train/loss" if keys == 1 else KEYS10[0])) == calls
        return out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def tensorboard(calls: int, keys: int) -> dict[str, float]:
    from torch.utils.tensorboard import SummaryWriter

    d = tempfile.mkdtemp()
    try:
        w = SummaryWriter(d)
        if keys == 1:
            return measure(lambda i: w.add_scalar("train/loss", 0.5, i), calls, w.close)

        def ten(i: int) -> None:
            for k in KEYS10:
                w.add_scalar(k, 0.5, i)

        return measure(ten, calls, w.close)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def ingest(points: int) -> float:
    """Points per second from a full queue to committed chunks (10-key dicts)."""
    d = tempfile.mkdtemp()
    try:
        run = tl.init("bench", dir=d, flush_interval=3600, max_queue=points)
        row = dict.fromkeys(KEYS10, 0.5)
        for i in range(points // 10):
            run.log(row, step=i)
        t0 = time.perf_counter()
        run._writer._flush()  # the writer's own work, on this thread, timed alone
        elapsed = time.perf_counter() - t0
        run.finish()
        return points / elapsed
    finally:
        shutil.rmtree(d, ignore_errors=True)


def best(fn: Callable[[], dict[str, float]], repeats: int) -> dict[str, float]:
    runs = [fn() for _ in range(repeats)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=100_000, help="log calls per measurement")
    p.add_argument("--tb-calls", type=int, default=20_000, help="add_scalar calls per measurement")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    warnings.simplefilter("ignore")
    from rich.console import Console
    from rich.table import Table

    tb1 = best(lambda: tensorboard(args.tb_calls, 1), args.repeats)
    tb10 = best(lambda: tensorboard(args.tb_calls // 10, 10), args.repeats)
    tb10 = {k: v / 10 for k, v in tb10.items()}  # per scalar
    l1 = best(lambda: loupe(args.calls, 1), args.repeats)
    l10 = best(lambda: loupe(args.calls // 10, 10), args.repeats)
    l10 = {k: v / 10 for k, v in l10.items()}
    lt1 = best(lambda: loupe(args.calls // 5, 1, tensors=True), args.repeats)
    rate = statistics.median(ingest(1_000_000) for _ in range(args.repeats))

    table = Table(title="run.log vs SummaryWriter.add_scalar (µs, median of "
                        f"{args.repeats}; torch {torch.__version__})")
    for col in ("case", "wall / call", "caller CPU", "caller+writer CPU", "TB wall", "TB caller+writer CPU",
                "ratio wall", "ratio CPU"):
        table.add_column(col, justify="right")

    def row(name: str, ours: dict[str, float], tb: dict[str, float]) -> tuple[float, float]:
        rw, rc = tb["wall"] / ours["wall"], tb["total_cpu"] / ours["total_cpu"]
        table.add_row(name, f"{ours['wall']:.2f}", f"{ours['caller_cpu']:.2f}", f"{ours['total_cpu']:.2f}",
                      f"{tb['wall']:.2f}", f"{tb['total_cpu']:.2f}", f"{rw:.1f}×", f"{rc:.1f}×")
        return rw, rc

    r1 = row("1 key (float)", l1, tb1)
    r10 = row("10-key dict, per scalar", l10, tb10)
    rt = row("1 key (0-d tensor)", lt1, tb1)
    console = Console(width=max(Console().width, 120))
    console.print(table)
    console.print(f"writer ingest into the embedded store: {rate / 1e6:.2f} M points/s")
    checks = [
        ("one key: caller cost ≤ 1/10 of add_scalar", r1[0] >= 10, f"{r1[0]:.1f}×"),
        ("10-key dict: ≤ 1/25 of add_scalar per scalar", r10[0] >= 25, f"{r10[0]:.1f}×"),
        ("caller + writer CPU per scalar ≤ 1/5 of SummaryWriter's (1 key)", r1[1] >= 5, f"{r1[1]:.1f}×"),
        ("caller + writer CPU per scalar ≤ 1/5 of SummaryWriter's (10 keys)", r10[1] >= 5, f"{r10[1]:.1f}×"),
        ("ingest ≥ 1M points/s", rate >= 1e6, f"{rate / 1e6:.2f} M/s"),
        ("0-d tensor, one key: caller cost ≤ 1/10 of add_scalar", rt[0] >= 10, f"{rt[0]:.1f}×"),
    ]
    for name, ok, got in checks:
        console.print(f"{'[green]PASS' if ok else '[red]FAIL'}[/] {name}: {got}")


if __name__ == "__main__":
    main()
