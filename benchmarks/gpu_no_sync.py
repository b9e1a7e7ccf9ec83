"""On a CUDA device: `run.log` of GPU tensors never makes the training thread wait for the GPU.

Three loops of the same GPU work (matrix products queued back to back), each logging a loss:

- ``none``: no logging (the floor);
- ``run.log``: ``run.log({"loss": loss})`` with the CUDA tensor;
- ``.item()``: ``float(loss.item())`` — what most loggers do, one device sync per step.

Prints how long the *caller* spent queueing each step (the GPU runs ahead when nothing syncs),
and the whole wall time once the GPU has finished. Also runs the loop under
``torch.cuda.set_sync_debug_mode("error")``, which raises on any synchronizing call.

Run: ``python benchmarks/gpu_no_sync.py`` on a machine with a CUDA GPU.
"""

from __future__ import annotations

import tempfile
import time

import torch

import torchloupe as tl


def loop(mode: str, steps: int, x: torch.Tensor, run: tl.Run | None,
         sync: bool = True) -> tuple[float, float]:
    if sync:
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for step in range(steps):
        y = x
        for _ in range(4):
            y = torch.tanh(y @ x)
        loss = y.float().pow(2).mean()
        if mode == "run.log":
            assert run is not None
            run.log({"loss": loss, "acc": (loss > 0).float()}, step=step)
        elif mode == ".item()":
            _ = float(loss.item())
    queued = time.perf_counter() - t0
    if sync:
        torch.cuda.synchronize()
    return queued / steps * 1e3, (time.perf_counter() - t0) / steps * 1e3


def watched_training(d: str) -> str:
    """A small CUDA training loop under ``run.watch(every=5)`` with sync debug mode 'error'."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                                torch.nn.ReLU(), torch.nn.Linear(512, 10)).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(512, 256, device="cuda")
    y = torch.randint(0, 10, (512,), device="cuda")
    run = tl.init("gpu-watch", dir=d, flush_interval=3600)  # writer asleep while the mode is on
    run.watch(model, every=5)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for step in range(40):
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run.log({"train/loss": loss.detach()}, step=step)
        verdict = "watch: no synchronizing call on the training thread (sync debug mode 'error')"
    except RuntimeError as exc:
        verdict = f"watch: SYNC DETECTED: {exc}"
    finally:
        torch.cuda.set_sync_debug_mode("default")
    run.finish()
    r = tl.open(d).run(run.id)
    kinds = sorted({a.kind for a in r.artifacts("watch")})
    return f"{verdict}; watch artifacts: {len(r.artifacts('watch'))} {kinds}; events: {len(r.events())}"


def main() -> None:
    assert torch.cuda.is_available(), "needs a CUDA device"
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")
    x = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16) / 90
    steps = 200
    with tempfile.TemporaryDirectory() as d:
        run = tl.init("gpu", dir=d, flush_interval=0.25)
        loop("run.log", 20, x, run)  # warm-up (kernels, allocator)
        results = {}
        for mode in ("none", "run.log", ".item()"):
            results[mode] = loop(mode, steps, x, run)
        torch.cuda.set_sync_debug_mode("error")
        run_quiet = tl.init("gpu", dir=d, flush_interval=3600)  # writer asleep while the mode is on
        try:
            loop("run.log", 50, x, run_quiet, sync=False)
            strict = "no synchronizing call on the caller's thread (sync debug mode 'error')"
        except RuntimeError as exc:
            strict = f"SYNC DETECTED: {exc}"
        finally:
            torch.cuda.set_sync_debug_mode("default")
        run_quiet.finish()
        run.finish()
        logged = tl.open(d).run(run.id).scalars("loss")
        print(f"{'mode':>10} | caller ms/step (queueing) | wall ms/step (GPU done)")
        for mode, (queued, wall) in results.items():
            print(f"{mode:>10} | {queued:25.3f} | {wall:.3f}")
        print(f"points stored for 'loss': {len(logged)} (all finite: {bool(logged['value'].notna().all())})")
        print(strict)
        print(watched_training(d))


if __name__ == "__main__":
    main()
