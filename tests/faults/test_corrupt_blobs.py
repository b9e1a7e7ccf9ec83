"""Fault: an artifact's file under ``blobs/`` is damaged after it was written: truncated, garbled,
emptied, replaced by a folder or deleted; or its index row points outside the run's blob folder.

Asserted: ``tl.open(dir).run(id).load(artifact)`` raises :class:`StoreError` (a deleted file:
:class:`NotFoundError`) whose message names the file, and the run's other artifacts still load.
Every dashboard route that reads a damaged file (histograms: the ``.npz`` of ``run.watch``;
predictions summary: the predictions ``.npz``; model summary: its ``.json``; attribution maps: the
``.pt`` checkpoint; the raw blob route) answers the app's JSON error ``{"error": {"type",
"message"}}`` with a 4xx/5xx status and a message naming the file, while the same route for an
intact run, and the runs list, still answer 200.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import torch
import torch.nn.functional as F

import torchloupe as tl
from torchloupe.demo.model import DemoCNN
from torchloupe.errors import NotFoundError, StoreError

N, C = 24, 3


def _record_run(store_dir, name: str) -> None:
    torch.manual_seed(0)
    x = torch.rand(N, 1, 12, 12)
    y = torch.arange(N) % C
    model = DemoCNN(num_classes=C, channels=(4, 4, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with tl.init("faults", name=name, dir=store_dir) as run:
        run.watch(model, every=1)
        for step in range(3):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.log({"loss": loss.detach()}, step=step)
        model.eval()
        run.unwatch(model)
        run.log_model(model, x[:2])
        with torch.no_grad():
            run.log_predictions(y, model(x), "test", step=2, inputs=x, ids=[f"ex{i}" for i in range(N)])
        run.save_checkpoint(model, init_kwargs={"num_classes": C, "channels": [4, 4, 4]})


def _clone_run(store_dir, source: str, name: str) -> None:
    """Copy a finished run's row, artifact index and blob folder under a new id and name (as fast
    as recording it twice is slow)."""
    store = tl.open(store_dir)
    old = store.run(source).id
    new = f"{old}-copy"
    store.close()
    conn = sqlite3.connect(store_dir / "loupe.db")
    with conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
        row = dict(zip(cols, conn.execute("SELECT * FROM runs WHERE id=?", (old,)).fetchone()))
        row.update(id=new, name=name)
        conn.execute(f"INSERT INTO runs({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                     [row[c] for c in cols])
        conn.execute("INSERT INTO artifacts(run_id, kind, tag, step, wall, path, meta) SELECT ?, kind,"
                     " tag, step, wall, path, meta FROM artifacts WHERE run_id=?", (new, old))
    conn.close()
    shutil.copytree(store_dir / "blobs" / old, store_dir / "blobs" / new)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store with two finished runs, ``damaged`` and ``intact``, holding every artifact kind the
    routes below read."""
    path = tmp_path_factory.mktemp("pristine") / "loupe"
    _record_run(path, "damaged")
    _clone_run(path, "damaged", "intact")
    return path


@pytest.fixture
def store_copy(pristine, tmp_path):
    """A private copy of the pristine store, free to damage."""
    target = tmp_path / "loupe"
    shutil.copytree(pristine, target)
    return target


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path):
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def _empty(path):
    path.write_bytes(b"")


def _folder(path):
    path.unlink()
    path.mkdir()


def _delete(path):
    path.unlink()


DAMAGES = {"truncated": _truncate, "garbled": _garble, "empty": _empty, "folder": _folder,
           "deleted": _delete}


def _damage(store_dir, kind: str, how: str):
    """Damage the newest artifact of ``kind`` of the run ``damaged``; returns (run ids, file)."""
    store = tl.open(store_dir)
    ids = {r.name: r.id for r in store.runs()}
    rec = store.run("damaged").artifacts(kind)[-1]
    path = store.backend.artifact_path(rec)
    store.close()
    DAMAGES[how](path)
    return ids, path


@pytest.mark.parametrize("how", list(DAMAGES))
def test_reader_load_names_the_damaged_file(store_copy, how):
    ids, path = _damage(store_copy, "watch", how)
    run = tl.open(store_copy).run("damaged")
    *others, damaged = run.artifacts("watch")
    expected = NotFoundError if how == "deleted" else StoreError
    with pytest.raises(expected, match="artifact file") as info:
        run.load(damaged)
    assert str(path) in str(info.value) and f"run {ids['damaged']}" in str(info.value)
    assert isinstance(info.value, tl.LoupeError)
    for rec in others:  # the rest of the run still reads
        assert run.load(rec)["w_hist"].shape[0] == len(rec.meta["params"])
    assert len(run.scalars("loss")) == 3
    assert run.load(tl.open(store_copy).run("intact").artifacts("watch")[-1])["w_hist"].size


ROUTES = {
    # artifact kind damaged -> (route, extra query parameters)
    "watch": ("/api/v1/histograms", {}),
    "predictions": ("/api/v1/predictions/summary", {}),
    "model_summary": ("/api/v1/model/summary", {}),
    "checkpoint": ("/api/v1/predictions/attribution", {"id": "ex1", "method": "saliency"}),
}


@pytest.mark.parametrize("how", ["truncated", "garbled", "deleted"])
@pytest.mark.parametrize("kind", list(ROUTES))
def test_dashboard_answers_a_json_error_and_serves_the_rest(store_copy, dashboard, kind, how):
    ids, path = _damage(store_copy, kind, how)
    client = dashboard(store_copy)
    route, params = ROUTES[kind]
    bad = client.get(route, params={"run": ids["damaged"], **params})
    assert 400 <= bad.status_code < 600 and bad.headers["content-type"] == "application/json", (
        bad.status_code, bad.text[:300])
    error = bad.json()["error"]
    assert error["type"] == ("NotFoundError" if how == "deleted" else "StoreError")
    assert path.name in error["message"], error
    good = client.get(route, params={"run": ids["intact"], **params})
    assert good.status_code == 200, good.text[:300]
    runs = client.get("/api/v1/runs")
    assert runs.status_code == 200 and len(runs.json()["runs"]) == 2
    assert client.get("/api/v1/model/summary", params={"run": ids["damaged"]}).status_code == (
        200 if kind != "model_summary" else bad.status_code)  # the run's other panels still answer


def test_blob_route_answers_json_for_a_deleted_file(store_copy, dashboard):
    ids, path = _damage(store_copy, "model_summary", "deleted")
    client = dashboard(store_copy)
    rel = path.relative_to(store_copy / "blobs" / ids["damaged"]).as_posix()
    bad = client.get(f"/api/v1/runs/{ids['damaged']}/blobs/{rel}")
    assert bad.status_code == 404 and bad.json()["error"]["type"] == "NotFoundError"
    intact = tl.open(store_copy).run("intact").artifacts("model_summary")[-1]
    good = client.get(f"/api/v1/runs/{ids['intact']}/blobs/{intact.path}")
    assert good.status_code == 200 and good.json()["total_params"] > 0


@pytest.mark.parametrize("where", ["../../../loupe.db", "/etc/hostname"])
def test_index_row_pointing_outside_the_blob_folder_is_refused(store_copy, dashboard, where):
    """A damaged index row must not make a reader open another file of the machine."""
    store = tl.open(store_copy)
    rid = store.run("damaged").id
    conn = sqlite3.connect(store_copy / "loupe.db")
    with conn:
        conn.execute("UPDATE artifacts SET path=? WHERE run_id=? AND kind='predictions'", (where, rid))
    conn.close()
    (rec,) = store.run("damaged").artifacts("predictions")
    with pytest.raises(StoreError, match="damaged artifact index.*outside"):
        store.run("damaged").load(rec)
    client = dashboard(store_copy)
    bad = client.get("/api/v1/predictions/summary", params={"run": rid})
    assert bad.status_code == 500 and bad.json()["error"]["type"] == "StoreError"
    (intact,) = store.run("intact").artifacts("predictions")
    assert store.run("intact").load(intact)["probs"].shape == (N, C)
