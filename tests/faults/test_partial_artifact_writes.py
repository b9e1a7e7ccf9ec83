"""Fault: an artifact write fails halfway: the file cannot grow past a size limit (``ulimit -f``,
what a disk that fills mid-file does too: the write stops with an error and a partial file), or the
file is written but its index row cannot be (the database refuses writes).

Asserted: each failed attempt raises a store error and leaves nothing behind in the blob folder
(the writer retries every flush, so partial or unindexed files used to pile up, each as large as
what fit); when the fault ends the artifact is written once, indexed once and reads back whole.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.errors import StoreError
from torchloupe.store.sqlite import SqliteStore
from torchloupe.types import RunRecord, RunStatus

_CHILD = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    from torchloupe.errors import StoreError
    from torchloupe.store.sqlite import SqliteStore

    store = SqliteStore(sys.argv[1])
    run_id = sys.argv[2]
    big = {"counts": np.arange(300_000, dtype=np.float64)}  # 2.4 MB
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))  # no file may grow past 1 MiB
    errors = []
    for attempt in range(5):  # the writer retries once per flush
        try:
            store.put_artifact(run_id, "histogram", "big", 7, big)
        except StoreError as exc:
            errors.append(str(exc))
    left = sorted(str(p) for p in store.blob_dir(run_id).rglob("*") if p.is_file())
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    store.put_artifact(run_id, "histogram", "big", 7, big)
    print(json.dumps({"errors": errors, "left": left}))
""")


def _new_run(store_dir) -> SqliteStore:
    store = SqliteStore(store_dir)
    now = time.time()
    store.create_run(RunRecord("r1", "faults", "r1", RunStatus.RUNNING, now, None, now))
    return store


def _files(store, run_id="r1") -> list[Path]:
    return sorted(p for p in store.blob_dir(run_id).rglob("*") if p.is_file())


def test_a_write_cut_off_by_a_file_size_limit_leaves_no_partial_files(store_dir):
    resource = pytest.importorskip("resource")
    if resource.getrlimit(resource.RLIMIT_FSIZE)[1] != resource.RLIM_INFINITY:
        pytest.skip("the file size limit is already capped here")
    store = _new_run(store_dir)
    src = str(Path(tl.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(store_dir), "r1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(out["errors"]) == 5 and all("File too large" in e for e in out["errors"]), out
    assert out["left"] == [], out["left"]  # no partial .tmp file per attempt
    (rec,) = store.artifacts("r1", "histogram")
    assert _files(store) == [store.artifact_path(rec)]
    assert np.array_equal(tl.open(store_dir).run("r1").load(rec)["counts"], np.arange(300_000))


def test_an_index_row_that_cannot_be_written_leaves_no_file(store_dir):
    store = _new_run(store_dir)
    store.conn.execute("PRAGMA query_only=1")  # the database refuses writes; the folder does not
    for _ in range(3):
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.put_artifact("r1", "histogram", "fc", 3, {"counts": np.ones(1000)})
    assert _files(store) == []
    store.conn.execute("PRAGMA query_only=0")
    store.put_artifact("r1", "histogram", "fc", 3, {"counts": np.ones(1000)})
    (rec,) = store.artifacts("r1", "histogram")
    assert _files(store) == [store.artifact_path(rec)]
    assert store.load_arrays(rec)["counts"].sum() == 1000


def test_a_file_in_place_of_the_blob_folder_is_a_store_error(store_dir):
    """A file where the run's blob folder should be: a StoreError, and nothing half-made."""
    store = _new_run(store_dir)
    store.blob_dir("r1").parent.mkdir(parents=True, exist_ok=True)
    store.blob_dir("r1").write_text("not a folder")
    with pytest.raises(StoreError, match="cannot write artifact histogram/fc of run r1"):
        store.put_artifact("r1", "histogram", "fc", 3, {"counts": np.ones(3)})
    assert store.artifacts("r1", "histogram") == []
