"""Fault: the stored points of one series are damaged: a page of ``loupe.db`` holding part of a
chunk is overwritten (its overflow-chain pointer garbled, as a bad sector or a bad copy does), or a
chunk row's arrays are cut short or disagree in length.

Asserted: the store still opens and lists its runs; reading the damaged series raises
:class:`StoreError` naming the series, the run and the database (not a bare ``sqlite3`` or NumPy
error, and never wrong points); the run's other series and the other runs still read in full; the
dashboard's chart of the damaged tag lists that run with an error and charts the others, and the
runs list answers 200.
"""

from __future__ import annotations

import sqlite3
import struct

import pytest

import torchloupe as tl
from torchloupe.errors import StoreError

N = 20_000
MARK = 1234.5678  # the damaged series' values, easy to find in the file


@pytest.fixture
def store(store_dir, flushed):
    """Runs ``a`` and ``b``, each with one large chunk per series; returns the store dir."""
    for name in ("a", "b"):
        run = tl.init("faults", name=name, dir=store_dir, flush_interval=3600)
        for s in range(N):
            run.log({"hit": MARK if name == "a" else float(s), "kept": float(s) / 2}, step=s)
        flushed(run, 2 * N)
        run.finish()
    conn = sqlite3.connect(store_dir / "loupe.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return store_dir


def _garble_overflow_page(store_dir) -> None:
    """Point the overflow chain of run a's 'hit' values at a page past the end of the file."""
    path = store_dir / "loupe.db"
    data = bytearray(path.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    marks = struct.pack("<d", MARK) * (page // 8 + 2)
    # An overflow page: a 4-byte pointer to the next one, then nothing but the blob's bytes.
    pages = [i for i in range(len(data) // page) if data[i * page + 4:(i + 1) * page] in marks]
    assert len(pages) > 4, "the values should fill several overflow pages"
    at = pages[len(pages) // 2] * page
    data[at:at + 4] = struct.pack(">I", 0x7FFFFFF0)
    path.write_bytes(bytes(data))


def _cut_row(store_dir) -> None:
    conn = sqlite3.connect(store_dir / "loupe.db")
    with conn:
        conn.execute("UPDATE chunks SET vals=substr(vals, 1, length(vals) - 3) WHERE series_id="
                     "(SELECT s.id FROM series s JOIN runs r ON r.id=s.run_id"
                     " WHERE r.name='a' AND s.key='hit')")
    conn.close()


def _mismatch_row(store_dir) -> None:
    conn = sqlite3.connect(store_dir / "loupe.db")
    with conn:
        conn.execute("UPDATE chunks SET steps=substr(steps, 9) WHERE series_id="
                     "(SELECT s.id FROM series s JOIN runs r ON r.id=s.run_id"
                     " WHERE r.name='a' AND s.key='hit')")
    conn.close()


@pytest.mark.parametrize("damage", [_garble_overflow_page, _cut_row, _mismatch_row],
                         ids=["overflow-page", "cut-row", "length-mismatch"])
def test_a_damaged_series_is_reported_and_the_rest_is_served(store, dashboard, damage):
    damage(store)
    reader = tl.open(store)
    assert {r.name for r in reader.runs()} == {"a", "b"}
    a, b = reader.run("a"), reader.run("b")
    with pytest.raises(StoreError, match=f"cannot read series 'hit' of run {a.id}") as info:
        a.scalars("hit")
    assert str(store / "loupe.db") in str(info.value)
    for axis in ("step", "wall"):
        with pytest.raises(StoreError, match="series 'hit'"):
            reader.backend.read_blocks(a.id, "hit", axis, 8192)  # fine enough to read points
    assert a.scalars("kept")["value"].tolist() == [s / 2 for s in range(N)]
    assert b.scalars("hit")["value"].tolist() == [float(s) for s in range(N)]

    client = dashboard(store)
    assert client.get("/api/v1/runs").status_code == 200
    chart = client.get("/api/v1/scalars/series", params={"tag": "hit", "width": 8192})
    assert chart.status_code == 200
    by_run = {s["run"]: s for s in chart.json()["series"]}
    assert "series 'hit'" in by_run[a.id]["error"] and by_run[b.id]["n"] == N
