"""Processes that start together on a store that does not exist yet (what DDP ranks do).

Fault: 8 processes call ``tl.init`` at the same instant on a directory that does not exist, 40
times over: they race to create the folder, the database file, switch it to WAL and create the
schema (without the store's file lock, 20 such trials lost a run about every other time).
Asserted: no process falls back to memory or fails; every run and every point is stored.

The processes are forked from one parent that has imported torchloupe already, and released
together by closing a pipe they all block on, so that they really start at the same instant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

import torchloupe as tl

TRIALS, RANKS, STEPS = int(os.environ.get("TL_TRIALS", 40)), 8, 50

_ORCHESTRA = textwrap.dedent("""
    import os, sys, warnings
    import torchloupe as tl

    root, trials, ranks, steps = sys.argv[1], *map(int, sys.argv[2:5])
    failures = 0
    for trial in range(trials):
        store = os.path.join(root, f"t{trial}", "new", "loupe")
        gate_r, gate_w = os.pipe()
        pids = []
        for rank in range(ranks):
            pid = os.fork()
            if pid == 0:
                os.close(gate_w)
                os.read(gate_r, 1)  # blocks until the parent closes the pipe: all start at once
                code = 0
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")  # a fallback to memory is a warning
                        with tl.init("ddp", name=f"rank{rank}", dir=store, flush_interval=0.01) as run:
                            for s in range(steps):
                                run.log({"loss": s + rank / 10}, step=s)
                except BaseException as exc:
                    print(f"trial {trial} rank {rank}: {exc!r}", file=sys.stderr, flush=True)
                    code = 1
                os._exit(code)
            pids.append(pid)
        os.close(gate_r)
        os.close(gate_w)
        for pid in pids:
            failures += os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0
    sys.exit(1 if failures else 0)
""")


def test_eight_processes_start_together_on_a_new_store_forty_times(tmp_path):
    proc = subprocess.run([sys.executable, "-c", _ORCHESTRA, str(tmp_path), str(TRIALS), str(RANKS),
                           str(STEPS)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lost_runs = lost_points = 0
    for trial in range(TRIALS):
        store = tl.open(tmp_path / f"t{trial}" / "new" / "loupe")
        runs = {r.name: r for r in store.runs(project="ddp")}
        for rank in range(RANKS):
            run = runs.get(f"rank{rank}")
            if run is None:
                lost_runs += 1
                lost_points += STEPS
                continue
            df = run.scalars("loss")
            assert run.status is tl.RunStatus.FINISHED
            assert np.allclose(df["value"], np.arange(len(df)) + rank / 10)
            lost_points += STEPS - len(df)
        store.close()
    assert (lost_runs, lost_points) == (0, 0)
