"""SIGKILL at random moments: while the store is first created, while points are written and
chunks merged.

Fault: 20 trials; in each a forked process opens a store (a new one in the first trials, so the
kill lands inside creating the file, switching to WAL and creating the schema; an existing one
later) and logs about 20,000 steps a second with a 5 ms flush interval (so chunk merges are
frequent), and
is killed with SIGKILL at a random moment. Asserted after every trial: the store opens, ``PRAGMA
integrity_check`` is ok, the run's points are exactly a prefix of what was logged (no hole, no
duplicate, no garbage), every point logged more than 1 s before the kill is there, and another
process can record into the store afterwards.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np

import torchloupe as tl

TRIALS = 20

_KILLER = textwrap.dedent("""
    import json, os, random, signal, sys, time
    import torchloupe as tl

    root, trials = sys.argv[1], int(sys.argv[2])
    rng = random.Random(1234)
    out = []
    for trial in range(trials):
        early = trial < trials // 3
        store = os.path.join(root, f"t{trial}" if early else "shared", "loupe")
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, b"open %f\\n" % time.time())
            run = tl.init("kill", name=f"trial{trial}", dir=store, flush_interval=0.005)
            step = 0
            while True:
                run.log({"x": float(step), "y": -float(step)}, step=step)
                if step % 50 == 0:
                    os.write(w, b"%d %f\\n" % (step, time.time()))
                    time.sleep(0.002)  # about 20,000 calls a second: a busy training loop
                step += 1
        os.close(w)
        reader = os.fdopen(r, "rb", buffering=0)
        progress = []
        reader.readline()
        delay = rng.uniform(0, 0.03) if early else rng.uniform(0.3, 1.6)
        deadline = time.time() + delay
        os.set_blocking(r, False)
        buf = b""
        while time.time() < deadline:
            try:
                chunk = os.read(r, 65536)
            except BlockingIOError:
                chunk = b""
            buf += chunk
            time.sleep(0.001)
        os.kill(pid, signal.SIGKILL)
        killed = time.time()
        os.waitpid(pid, 0)
        os.set_blocking(r, True)
        buf += reader.read()
        for line in buf.decode().splitlines():
            step, wall = line.split()
            progress.append((int(step), float(wall)))
        out.append({"store": store, "name": f"trial{trial}", "killed": killed, "progress": progress})
    print(json.dumps(out))
""")


def test_sigkill_at_random_moments_never_damages_the_store(tmp_path):
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(tmp_path), str(TRIALS)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = json.loads(proc.stdout)
    seen = stored = due = 0
    for t in trials:
        db = tmp_path / t["store"] / "loupe.db"
        if not db.exists():
            assert not t["progress"], "points were logged, but no store file exists"
            continue
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", t["store"]
        conn.close()
        store = tl.open(tmp_path / t["store"])
        names = {r.name: r for r in store.runs()}
        if t["name"] not in names:
            # Killed before its run was created: nothing was logged, so nothing is lost.
            assert not t["progress"], f"{t['name']} logged points but has no run"
            continue
        run = names[t["name"]]
        if "x" not in run.keys():
            assert all(wall > t["killed"] - 1.0 for _, wall in t["progress"]), t["name"]
            continue
        steps, values, _ = run.arrays("x")
        assert np.array_equal(steps, np.arange(len(steps))), t["name"]  # a prefix, in order
        assert np.array_equal(values, steps.astype(float))
        assert np.array_equal(run.arrays("y")[1][: len(steps) - 1], -steps[:-1].astype(float))
        old = [s for s, wall in t["progress"] if wall <= t["killed"] - 1.0]
        seen += (max(s for s, _ in t["progress"]) + 1) * 2 if t["progress"] else 0
        stored += 2 * len(steps)
        due += (max(old) + 1) * 2 if old else 0
        if old:
            assert steps.max() >= max(old), (t["name"], steps.max(), max(old))
        store.close()
    print(f"SIGKILL: {len(trials)} trials, {seen} points reported logged, {stored} stored, "
          f"{due} logged over 1 s before a kill (all stored)")
    # The stores stay usable.
    with tl.init("after", dir=tmp_path / trials[-1]["store"]) as run:
        run.log({"z": 1.0})
    assert tl.open(tmp_path / trials[-1]["store"]).run(run.id).scalars("z")["value"].tolist() == [1.0]
