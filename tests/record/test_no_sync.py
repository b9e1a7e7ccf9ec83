"""run.log never reads a tensor on the caller's thread: the writer thread does, in batches."""

import threading

import pytest
import torch

import torchloupe as tl

# Tensor methods that read values (and on an accelerator would wait for the device).
READS = {"item", "cpu", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__",
         "to", "__format__", "__repr__", "__eq__", "__ne__", "__lt__", "__gt__", "__array__",
         "isfinite", "isnan", "stack", "cat", "_to_copy", "copy_"}


class SpyTensor(torch.Tensor):
    """Records every torch function called on it and the thread that called it."""

    calls: list = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", None) or getattr(func, "_name", None) or repr(func)
        SpyTensor.calls.append((name, threading.get_ident()))
        return super().__torch_function__(func, types, args, kwargs or {})


def test_log_reads_tensors_only_on_the_writer_thread(store_dir):
    SpyTensor.calls.clear()
    caller = threading.get_ident()
    values = [torch.tensor(float(i)).as_subclass(SpyTensor) for i in range(20)]
    loss = (torch.tensor(2.0, requires_grad=True) * 1.5).as_subclass(SpyTensor)
    with tl.init("p", dir=store_dir) as run:
        for i, v in enumerate(values):
            run.log({"v": v, "loss": loss, "plain": 1.0}, step=i)
        on_caller = {name for name, thread in SpyTensor.calls if thread == caller}
    on_writer = {name for name, thread in SpyTensor.calls if thread != caller}
    assert not on_caller & READS, f"run.log read a tensor on the caller's thread: {on_caller & READS}"
    assert "stack" in on_writer  # one batched read per flush, on the writer
    r = tl.open(store_dir).runs()[0]
    assert r.scalars("v")["value"].tolist() == [float(i) for i in range(20)]
    assert r.scalars("loss")["value"].tolist() == [3.0] * 20


def test_logged_graph_is_not_kept_alive(store_dir):
    """A loss with requires_grad is detached when queued, so its autograd graph can be freed."""
    with tl.init("p", dir=store_dir, flush_interval=60) as run:
        loss = torch.ones((), requires_grad=True) * 2
        run.log({"loss": loss})
        queued = run._writer._queue[0][2]["loss"]
        assert not queued.requires_grad and queued.grad_fn is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_no_cuda_sync_on_the_caller_thread(store_dir):
    """With CUDA's sync debug mode set to error, any synchronizing call raises.

    The mode is process-wide, so the writer is kept asleep (long flush interval) while it is on;
    it reads the queued tensors after the mode is reset, at finish().
    """
    x = torch.randn(1024, 1024, device="cuda")
    torch.cuda.synchronize()
    with tl.init("p", dir=store_dir, flush_interval=600) as run:
        torch.cuda.set_sync_debug_mode("error")
        try:
            for step in range(200):
                loss = (x @ x).mean()
                run.log({"loss": loss, "acc": (loss > 0).float().mean(), "lr": 0.1}, step=step)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    values = tl.open(store_dir).runs()[0].scalars("loss")["value"]
    assert len(values) == 200 and values.notna().all()
