"""run.watch under DistributedDataParallel: two CPU ranks (gloo) on loopback, one run per rank."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import numpy as np

import torchloupe as tl

_RANK = textwrap.dedent("""
    import os, sys, torch, torch.distributed as dist
    from torch import nn
    import torchloupe as tl
    rank, world, store = int(sys.argv[1]), 2, sys.argv[2]
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.parallel.DistributedDataParallel(
        nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(rank)
    x = torch.randn(32, 8, generator=g)
    y = (x[:, 0] > 0).long()
    with tl.init("ddp", name=f"rank{rank}", dir=store, flush_interval=0.05) as run:
        run.watch(model, every=2)
        for step in range(10):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.log({"train/loss": loss.detach()}, step=step)
    dist.destroy_process_group()
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_watch_under_ddp(store_dir):
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()),
           "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", _RANK, str(rank), str(store_dir)], env=env,
                              stderr=subprocess.PIPE) for rank in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    store = tl.open(store_dir)
    assert sorted(r.name for r in store.runs()) == ["rank0", "rank1"]
    for r in store.runs():
        watched = r.artifacts("watch")
        assert len(watched) >= 4  # steps 0, 2, 4, 6, 8
        arrays = r.load(watched[-1])
        assert {"g_stats", "g_hist", "w_hist"} <= set(arrays), sorted(arrays)  # gradients seen
        assert np.isfinite(arrays["g_stats"]).all() and np.abs(arrays["g_stats"]).sum() > 0
        assert len(r.scalars("train/loss")) == 10
