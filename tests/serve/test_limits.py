"""Every query parameter of every route is bounded, in the OpenAPI schema and in practice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.panels.params import MAX_RUNS
from torchloupe.serve.app import create_app

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("limits") / "loupe"
    with tl.init("lim", name="a", dir=store_dir) as run:
        for i in range(50):
            run.log({"train/loss": 1.0 / (i + 1)}, step=i)
    c = TestClient(create_app(store_dir), base_url=LOCAL)
    c.run_id = run.id  # type: ignore[attr-defined]
    return c


def _bounded(schema: dict) -> bool:
    """Whether one parameter's schema admits only bounded values."""
    options = schema.get("anyOf", [schema])
    for s in options:
        kind = s.get("type")
        if kind == "null" or "enum" in s or "const" in s:
            continue
        if kind == "string" and "maxLength" not in s:
            return False
        if kind in ("integer", "number") and not (
                ("maximum" in s or "exclusiveMaximum" in s) and ("minimum" in s or "exclusiveMinimum" in s)):
            return False
        if kind not in ("string", "integer", "number", "boolean"):
            return False
    return True


def test_every_parameter_of_every_route_is_bounded_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    unbounded = []
    count = 0
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                count += 1
                if not _bounded(p["schema"]):
                    unbounded.append(f"{method.upper()} {path} {p['name']}: {p['schema']}")
    assert count > 60 and not unbounded, "\n".join(unbounded)


@pytest.mark.parametrize("params, needle", [
    ({"tag": "train/loss", "width": 10**9}, "width"),                    # bounded ints
    ({"tag": "train/loss", "width": 10_001}, "width"),
    ({"tag": "train/loss", "lo": "nan"}, "lo"),                          # finite floats
    ({"tag": "train/loss", "hi": "inf"}, "hi"),
    ({"tag": "train/loss", "lo": 1e300}, "lo"),
    ({"tag": "x" * 257}, "tag"),                                          # bounded strings
    ({"tag": "train/loss", "runs": ",".join(["r"] * (MAX_RUNS + 1))}, "at most 1,000"),  # bounded lists
    ({"tag": "train/loss", "runs": ",".join(["ab"] * 10_000)}, "at most 1,000"),  # 10,000 runs
    ({"tag": "train/loss", "runs": "x" * 65_001}, "runs"),
    ({"tag": "train/loss", "runs": "x" * 65}, "longer than 64"),
])
def test_series_limits(client, params, needle):
    r = client.get("/api/v1/scalars/series", params=params)
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"]["message"]


def test_a_thousand_runs_is_fine(client):
    runs = ",".join([client.run_id] + [f"r{i:07d}" for i in range(MAX_RUNS - 1)])
    r = client.get("/api/v1/scalars/series", params={"tag": "train/loss", "runs": runs, "width": 10})
    assert r.status_code == 200 and [s["run"] for s in r.json()["series"]] == [client.run_id]


@pytest.mark.parametrize("path, params, needle", [
    ("/api/v1/scalars/tags", {"runs": ",".join(["a"] * 10_000)}, "runs"),
    ("/api/v1/diagnostics", {"runs": ",".join(["a"] * 1_001)}, "at most 1,000"),
    ("/api/v1/predictions/index", {"runs": ",".join(["a"] * 1_001)}, "at most 1,000"),
    ("/api/v1/projector/tags", {"runs": ",".join(["a"] * 1_001)}, "at most 1,000"),
    ("/api/v1/data/runs", {"runs": ",".join(["a"] * 1_001)}, "at most 1,000"),
    ("/api/v1/model/summary", {"run": "r" * 65}, "run"),
    ("/api/v1/histograms", {"run": "r", "layer": "l" * 513}, "layer"),
    ("/api/v1/gradient-flow", {"run": "r", "step": 2**63}, "step"),
    ("/api/v1/predictions/summary", {"run": "r", "step": -(2**63)}, "step"),
    ("/api/v1/predictions/summary", {"run": "r", "split": "s" * 257}, "split"),
    ("/api/v1/predictions/examples", {"run": "r", "offset": 2**40}, "offset"),
    ("/api/v1/predictions/examples", {"run": "r", "limit": 501}, "limit"),
    ("/api/v1/predictions/examples", {"run": "r", "target": 2**40}, "target"),
    ("/api/v1/predictions/thumb", {"run": "r", "id": "i" * 513}, "id"),
    ("/api/v1/projector/point", {"run": "r", "tag": "t", "index": 2**31}, "index"),
    ("/api/v1/projector/neighbors", {"run": "r", "tag": "t", "index": 0, "k": 10**6}, "k"),
    ("/api/v1/projector/projection", {"run": "r", "tag": "t", "perplexity": "nan"}, "perplexity"),
    ("/api/v1/projector/search", {"run": "r", "tag": "t", "q": "q", "column": "c" * 257}, "column"),
    ("/api/v1/runs/r/blobs/" + "p" * 1100, {}, "path"),
])
def test_route_limits(client, path, params, needle):
    r = client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"]["message"]
