"""Fault: the run's blob folder becomes read-only (``chmod 555`` on it and its subfolders) while
artifacts (``run.record("histogram", ...)`` with NumPy arrays) are being recorded.

Root ignores permissions, so the training runs in a child process that, when the tests run as
root, imports what it needs and then drops to ``nobody`` (on a store ``nobody`` owns): the writes
really fail with EACCES. (It cannot start as ``nobody``: the interpreter may live under ``/root``.)
Its fallback recovery folder (``XDG_CACHE_HOME``) is then one it may not read, as a ``HOME`` left
pointing at ``/root`` makes it.

Asserted: training goes on (the child logs and records throughout and exits 0); scalars keep being
stored while the artifacts wait; exactly one warning names the problem (permission denied on the
blob folder) instead of one per flush. When the folder becomes writable again the queued artifacts
are written in order with their contents, and one warning says recording resumed. When it is still
read-only at ``finish()``: finish returns within its bound, the run is marked finished at once (the
database works), the waiting artifacts go to one recovery file that the warning names, and opening
the store once the folder is repaired loads them (it used to skip every recovery file when the
user's fallback folder could not be read).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

import torchloupe as tl

_CHILD = textwrap.dedent("""
    import encodings.cp437, json, os, sys, time, warnings, zipfile
    from pathlib import Path
    import numpy as np
    import torchloupe as tl
    import torchloupe.store.artifacts, torchloupe.store.recovery

    store_dir, mode, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if uid >= 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    def wait_for(predicate, what, timeout=30.0):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(0.005)

    def chmod_tree(root, mode):
        for here, dirs, _ in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(here, d), mode)
        os.chmod(root, mode)

    def histogram(step):
        return {"counts": np.full(8, float(step)), "edges": np.linspace(0.0, 1.0, 9)}

    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = tl.init("faults", dir=store_dir, flush_interval=0.02, finish_timeout=1.0)
        reader = tl.open(store_dir).backend
        stored_points = lambda: sum(s.points for s in reader.series(run.id))
        stored_artifacts = lambda: len(reader.artifacts(run.id, "histogram"))
        run.log({"loss": 1.0}, step=0)
        run.record("histogram", "fc.weight", histogram(0), step=0)
        wait_for(lambda: stored_artifacts() == 1, "the first artifact")
        blobs = reader.blob_dir(run.id)
        chmod_tree(blobs, 0o555)
        step = 0
        for _ in range(3):  # three rounds of training while the blob folder is read-only
            for _ in range(100):
                step += 1
                run.log({"loss": 1.0 / (step + 1)}, step=step)
            run.record("histogram", "fc.weight", histogram(step), step=step)
            wait_for(lambda: stored_points() == step + 1, f"{step + 1} points stored")
        wait_for(lambda: any("cannot write" in str(w.message) for w in caught), "a warning")
        out["artifacts_while_unwritable"] = stored_artifacts()
        if mode == "recover":
            chmod_tree(blobs, 0o755)
            wait_for(lambda: stored_artifacts() == 4, "the queued artifacts")
        began = time.monotonic()
        run.finish()
        out["finish_s"] = time.monotonic() - began
        out["status_after_finish"] = reader.run(run.id).status.value
        out["spills"] = sorted(str(p) for p in Path(store_dir).rglob("*.spill"))
        if mode == "stuck":  # the folder is repaired later; opening the store loads what waited
            chmod_tree(blobs, 0o755)
            tl.open(store_dir).close()
            out["spills_after_open"] = sorted(str(p) for p in Path(store_dir).rglob("*.spill"))
    out["run"] = run.id
    out["blobs"] = str(blobs)
    out["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(out))
""")


@pytest.fixture
def owned_dir():
    """A folder the child's user owns and can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="torchloupe-faults-"))
    user = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root and there is no user 'nobody' to drop to")
        os.chown(path, user.pw_uid, user.pw_gid)
        path.chmod(0o755)
    yield path, user
    shutil.rmtree(path, ignore_errors=True)


def _train(owned_dir, mode: str) -> tuple[Path, dict]:
    path, user = owned_dir
    store_dir = path / "loupe"
    src = str(Path(tl.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    private = path / "private"  # the child's fallback recovery folder, unreadable for it
    private.mkdir(mode=0o700)
    env["XDG_CACHE_HOME"] = str(private / "cache")
    ids = ["-1", "-1"] if user is None else [str(user.pw_uid), str(user.pw_gid)]
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(store_dir), mode, *ids], cwd=path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return store_dir, out


def _check(store_dir, out):
    """Every scalar, every histogram in order, one warning about the folder; the run finished."""
    run = tl.open(store_dir).run(out["run"])
    df = run.scalars("loss")
    assert df["step"].tolist() == list(range(301))
    assert np.array_equal(df["value"].to_numpy(), 1.0 / (np.arange(301) + 1))
    assert run.status is tl.RunStatus.FINISHED and out["status_after_finish"] == "finished"
    assert out["artifacts_while_unwritable"] == 1
    failed = [w for w in out["warnings"] if w.startswith("torchloupe: cannot write to the store")]
    assert len(failed) == 1, out["warnings"]  # one warning, not one per flush
    assert "Permission denied" in failed[0] and out["blobs"] in failed[0], failed[0]
    hists = run.artifacts("histogram")
    assert [h.step for h in hists] == [0, 100, 200, 300]
    for h in hists:
        arrays = run.load(h)
        assert arrays["counts"].tolist() == [float(h.step)] * 8 and len(arrays["edges"]) == 9


def test_queued_artifacts_are_written_when_the_folder_is_writable_again(owned_dir):
    store_dir, out = _train(owned_dir, "recover")
    _check(store_dir, out)
    resumed = [w for w in out["warnings"] if "writable again" in w]
    assert len(resumed) == 1, out["warnings"]
    assert out["spills"] == []


def test_artifacts_still_waiting_at_finish_are_kept_for_later(owned_dir):
    store_dir, out = _train(owned_dir, "stuck")
    assert out["finish_s"] < 10, out  # finish_timeout=1: bounded, not forever
    (spill,) = out["spills"]
    saved = [w for w in out["warnings"] if spill in w]
    assert len(saved) == 1 and "3 artifacts" in saved[0], out["warnings"]
    assert out["spills_after_open"] == []  # loaded by tl.open once the folder was repaired
    _check(store_dir, out)
