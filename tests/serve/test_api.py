"""The HTTP API through FastAPI's test client."""

import json
import math
import time

import pytest
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.panels.scalars.api import ChartOut
from torchloupe.serve.app import create_app
from torchloupe.serve.stream import Watcher
from torchloupe.store.sqlite import SqliteStore
from waiting import until

LOCAL = "http://127.0.0.1"  # the dashboard answers only its own names (DNS-rebinding defence)

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store(store_dir):
    with tl.init("mnist", name="a", config={"lr": 0.1}, dir=store_dir) as run:
        for i in range(5000):
            run.log({"train/loss": 1.0 / (i + 1), "test/acc": i / 5000}, step=i)
        run.log({"train/loss": math.nan}, step=5000)
        run.summary["best"] = math.inf
    with tl.init("mnist", name=XSS, dir=store_dir) as run:
        run.log({"train/loss": 2.0})
    return store_dir


@pytest.fixture
def client(store):
    return TestClient(create_app(store), base_url=LOCAL)


def test_panels_lists_runs_and_scalars(client):
    names = [p["name"] for p in client.get("/api/v1/panels").json()["panels"]]
    assert names[0] == "runs" and "scalars" in names and len(names) == len(set(names))


def test_runs(client):
    runs = client.get("/api/v1/runs").json()["runs"]
    assert [r["name"] for r in runs] == [XSS, "a"]
    a = runs[1]
    assert a["status"] == "finished" and a["config"] == {"lr": 0.1}
    assert a["summary"] == {"best": "Infinity"}  # JSON has no Infinity: sent as its name
    assert a["keys"] == 2 and a["points"] == 10001


def test_tags(client):
    tags = client.get("/api/v1/runs").json()["runs"]
    ids = {r["name"]: r["id"] for r in tags}
    got = client.get("/api/v1/scalars/tags").json()["tags"]
    assert got[0]["tag"] == "test/acc" and got[0]["runs"] == [ids["a"]]
    assert sorted(got[1]["runs"]) == sorted(ids.values())
    only = client.get("/api/v1/scalars/tags", params={"runs": ids[XSS]}).json()["tags"]
    assert only == [{"tag": "train/loss", "runs": [ids[XSS]]}]


def test_series_downsampled_with_nonfinite(client):
    body = client.get("/api/v1/scalars/series", params={"tag": "train/loss", "width": 100}).json()
    assert body["tag"] == "train/loss" and body["x"] == "step" and len(body["series"]) == 2
    s = next(s for s in body["series"] if s["n"] == 5001)
    assert len(s["x"]) <= 400 and s["x"] == sorted(s["x"])
    assert s["y"][0] == 1.0 and min(s["y"]) == pytest.approx(1 / 5000)
    assert s["nonfinite"] == [{"x": 5000, "nan": 1, "posinf": 0, "neginf": 0}]
    assert sum(s["buckets"]["count"]) == 5000
    assert not s["exact"]


def test_series_range_and_wall_axis(client):
    body = client.get("/api/v1/scalars/series",
                      params={"tag": "train/loss", "lo": 100, "hi": 200, "width": 800}).json()
    s = next(s for s in body["series"] if s["n"] == 101)
    assert s["exact"] and s["x"] == list(range(100, 201))
    wall = client.get("/api/v1/scalars/series", params={"tag": "test/acc", "x": "wall"}).json()
    assert wall["x"] == "wall" and wall["series"][0]["x"][0] > 1e9


@pytest.mark.parametrize("params, status, needle", [
    ({"tag": "train/loss", "width": 0}, 422, "width"),
    ({"tag": "train/loss", "x": "epoch"}, 422, "x"),
    ({}, 422, "tag"),
])
def test_series_bad_input(client, params, status, needle):
    r = client.get("/api/v1/scalars/series", params=params)
    assert r.status_code == status
    assert needle in r.json()["error"]["message"]


def test_series_range_in_either_order(client):
    """Any two numbers the schema allows make a range: ``lo`` above ``hi`` is the same range."""
    ordered = client.get("/api/v1/scalars/series", params={"tag": "train/loss", "lo": 1, "hi": 5})
    swapped = client.get("/api/v1/scalars/series", params={"tag": "train/loss", "lo": 5, "hi": 1})
    assert swapped.status_code == 200 and swapped.json() == ordered.json()
    assert ordered.json()["series"][0]["n"] == 5


def test_unknown_tag_gives_no_series(client):
    assert client.get("/api/v1/scalars/series", params={"tag": "nope"}).json()["series"] == []


def test_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/runs", "/api/v1/scalars/series", "/api/v1/scalars/tags", "/api/v1/stream"} <= set(schema["paths"])


def test_token_required_when_set(store):
    client = TestClient(create_app(store, token="s3cret"), base_url=LOCAL)
    assert client.get("/api/v1/runs").status_code == 401
    assert client.get("/api/v1/runs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/v1/runs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/api/v1/runs", params={"token": "s3cret"}).status_code == 200
    assert client.get("/").status_code == 200  # the page itself carries no data


@pytest.mark.parametrize("path", ["..%2F..%2Floupe.db", "%2e%2e/%2e%2e/loupe.db", "/etc/passwd",
                                  "..\\..\\loupe.db", "a/../../../loupe.db"])
def test_blob_paths_cannot_escape(store, client, path):
    rid = client.get("/api/v1/runs").json()["runs"][0]["id"]
    r = client.get(f"/api/v1/runs/{rid}/blobs/{path}")
    assert r.status_code == 404 and b"SQLite" not in r.content


def test_blob_is_served(store, client):
    rid = client.get("/api/v1/runs").json()["runs"][0]["id"]
    folder = SqliteStore(store).blob_dir(rid)
    folder.mkdir(parents=True)
    (folder / "note.txt").write_text("hello")
    assert client.get(f"/api/v1/runs/{rid}/blobs/note.txt").text == "hello"


def test_damaged_run_does_not_take_the_server_down(store, client):
    s = SqliteStore(store)
    rid = next(r.id for r in s.runs() if r.name == XSS)
    s.conn.execute("UPDATE chunks SET vals = x'0102' WHERE series_id IN (SELECT id FROM series WHERE run_id=?)", (rid,))
    s.conn.execute("UPDATE runs SET config = '{broken' WHERE id=?", (rid,))
    body = client.get("/api/v1/scalars/series", params={"tag": "train/loss"}).json()
    bad = next(x for x in body["series"] if x["run"] == rid)
    assert "cannot read" in bad["error"]
    assert any(x.get("n") == 5001 for x in body["series"])
    ChartOut.model_validate(body)   # the unreadable run's entry is a SeriesError, as documented
    assert client.get("/api/v1/runs").status_code == 200


def test_watcher_reports_new_points_and_runs(store_dir):
    store = SqliteStore(store_dir)
    run = tl.init("p", dir=store_dir, flush_interval=0.02)
    run.log({"x": 1.0})
    assert until(lambda: store.series_points().get((run.id, "x")) == 1)
    watcher = Watcher(store)
    assert watcher.changes() == []
    run.log({"x": 2.0, "y": 1.0})
    keys: set[str] = set()

    def grown():
        for event, data in watcher.changes():
            if event == "scalars":
                keys.update(data["runs"].get(run.id, {}).get("keys", []))
        return keys >= {"x", "y"}

    assert until(grown), keys
    assert keys == {"x", "y"}
    run.finish()
    statuses: list[str] = []

    def finished():
        statuses.extend(r["status"] for event, data in watcher.changes() if event == "runs" for r in data["runs"])
        return "finished" in statuses

    assert until(finished), statuses


def test_stream_pushes_a_value_within_a_second(store_dir):
    """A real server on loopback: the SSE stream announces a new point in under a second."""
    import httpx

    from torchloupe.serve.server import start

    run = tl.init("p", dir=store_dir, flush_interval=0.1)
    run.log({"x": 0.0})
    handle = start(store_dir, port=0)
    got = {}
    try:
        with httpx.stream("GET", handle.url + "api/v1/stream", timeout=10) as response:
            event = None
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "ready":
                    # The server watches the store from here on: log now and time the announcement.
                    got["t0"] = time.time()
                    run.log({"x": 1.0})
                elif line.startswith("data:") and event == "scalars":
                    got["t1"] = time.time()
                    got["data"] = json.loads(line[5:])
                    break
    finally:
        handle.stop()
        run.finish()
    assert run.id in got["data"]["runs"]
    assert got["t1"] - got["t0"] < 1.0


@pytest.mark.parametrize("path", ["/..%2F..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/assets/..%2F..%2F..%2F..%2Fstore%2Fsqlite.py"])
def test_static_paths_cannot_escape(client, path):
    r = client.get(path)
    assert r.status_code in (404, 400) and b"root:" not in r.content and b"SqliteStore" not in r.content


def test_an_unexpected_failure_is_a_json_500_without_internals(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    app = create_app(store)
    monkeypatch.setattr(app.state.store, "runs", broken)
    client = TestClient(app, base_url=LOCAL, raise_server_exceptions=False)
    r = client.get("/api/v1/runs")
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["type"] == "InternalError" and "secret" not in err["message"]
