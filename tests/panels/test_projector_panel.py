"""The projector panel: stored format, projections (PCA at once, t-SNE as a job), columns,
predictions by id, neighbours, search, thumbnails, figure."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.errors import LoupeValueError
from torchloupe.serve.app import create_app
from torchloupe.serve.jobs import InlineJobRunner
from torchloupe.store.sqlite import SqliteStore

LOCAL = "http://127.0.0.1"  # the dashboard answers only its own names (DNS-rebinding defence)

N = 240


def features(step: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(N) % 3
    centers = torch.randn(3, 16, generator=g) * (1 + step)
    return centers[labels] + torch.randn(N, 16, generator=g), labels


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    d = tmp_path_factory.mktemp("proj") / "loupe"
    with tl.init("emb", dir=d) as run:
        imgs = torch.rand(N, 1, 28, 28)
        meta = {"source": np.array(["scan", "photo"] * (N // 2)), "weight": np.linspace(0, 1, N)}
        for step in (0, 1, 2):
            x, y = features(step)
            run.log_embedding("penultimate", x, labels=y, images=imgs if step == 0 else None,
                              metadata=meta, step=step * 10, ids=torch.arange(100, 100 + N),
                              class_names=["a", "b", "c"])
        pred = (torch.arange(N) % 3).numpy()
        pred[:30] = (pred[:30] + 1) % 3       # 30 wrong
        ids = np.arange(100, 100 + N)[::-1].copy()  # another order: matched by id
        run.record("predictions", "test", {"ids": ids, "targets": (ids - 100) % 3,
                                           "predicted": pred[ids - 100]}, step=20)
    return d, run.id


@pytest.fixture
def client(logged):
    app = create_app(logged[0])
    app.state.jobs = InlineJobRunner()
    return TestClient(app, base_url=LOCAL)


def q(logged, **kw):
    return {"run": logged[1], "tag": "penultimate", **kw}


def test_stored_compactly_as_float16(logged):
    d, rid = logged
    store = SqliteStore(d)
    recs = store.artifacts(rid, "embedding", "penultimate")
    assert [r.step for r in recs] == [0, 10, 20]
    a = store.load_arrays(recs[0])
    assert a["features"].dtype == np.float16 and a["images"].dtype == np.uint8
    assert a["images"].shape == (N, 28, 28, 1) and "images" not in store.load_arrays(recs[1])


def test_info_and_pca_projection_in_binary(client, logged):
    info = client.get("/api/v1/projector/info", params=q(logged)).json()
    assert info["n"] == N and info["steps"] == [0, 10, 20] and info["has_images"]
    assert [c["name"] for c in info["columns"]] == ["label", "predicted", "correct", "source", "weight"]
    r = client.get("/api/v1/projector/projection", params=q(logged, method="pca", dims=3))
    assert r.status_code == 200 and r.headers["x-dims"] == "3"
    xyz = np.frombuffer(r.content, "<f4").reshape(N, 3)
    assert np.isfinite(xyz).all() and xyz.std() > 0


def test_tsne_runs_as_a_job_and_is_cached(logged, monkeypatch):
    from torchloupe.analyze import embeddings

    def fake_tsne(x, dims=2, perplexity=30.0, progress=None, **kw):
        for i in range(5):
            progress(i / 5, f"iteration {i}")
            time.sleep(0.05)
        return embeddings.Projection(x[:, :dims].astype(np.float32) * perplexity)

    monkeypatch.setattr(embeddings, "tsne", fake_tsne)   # the real one: tests/analyze
    app = create_app(logged[0])
    client = TestClient(app, base_url=LOCAL)
    params = q(logged, method="tsne", step=0, perplexity=10)
    r = client.get("/api/v1/projector/projection", params=params)
    deadline = time.time() + 120
    while r.status_code == 202 and time.time() < deadline:
        body = r.json()
        assert body["state"] in ("queued", "running") and 0 <= body["progress"] <= 1
        time.sleep(0.2)
        r = client.get("/api/v1/projector/projection", params=params)
    assert r.status_code == 200 and len(r.content) == N * 2 * 4
    assert np.frombuffer(r.content, "<f4")[0] != 0
    assert list((logged[0] / "cache" / "projections").glob("*.npy"))
    app.state.jobs.close()


def test_columns_correctness_by_id(client, logged):
    r = client.get("/api/v1/projector/column.bin", params=q(logged, name="correct"))
    correct = np.frombuffer(r.content, "<i4")
    assert correct.tolist() == [0] * 30 + [1] * (N - 30)
    desc = client.get("/api/v1/projector/column", params=q(logged, name="source")).json()
    assert desc == {"name": "source", "kind": "category", "categories": ["photo", "scan"]}
    desc = client.get("/api/v1/projector/column", params=q(logged, name="weight")).json()
    assert desc["kind"] == "number" and desc["range"] == [0, 1]
    labels = np.frombuffer(client.get("/api/v1/projector/column.bin", params=q(logged, name="label")).content, "<i4")
    assert labels[:4].tolist() == [0, 1, 2, 0]


def test_point_neighbors_search_thumb(client, logged):
    p = client.get("/api/v1/projector/point", params=q(logged, index=3)).json()
    assert p["id"] == 103 and p["label_name"] == "a" and p["correct"] is False
    assert p["metadata"] == {"source": "photo", "weight": pytest.approx(3 / (N - 1))}
    nb = client.get("/api/v1/projector/neighbors", params=q(logged, index=3, k=5)).json()["neighbors"]
    assert len(nb) == 5 and all(n["index"] % 3 == 0 for n in nb)   # same cluster
    hits = client.get("/api/v1/projector/search", params=q(logged, q="id:150")).json()
    assert hits["indices"] == [50]
    assert client.get("/api/v1/projector/search", params=q(logged, q="phot")).json()["count"] == N // 2
    t = client.get("/api/v1/projector/thumb", params=q(logged, index=7, step=20))
    assert t.status_code == 200 and t.content[:4] == b"\x89PNG"
    bad = client.get("/api/v1/projector/point", params=q(logged, index=N))
    assert bad.status_code == 404 and f"no point {N}" in bad.json()["error"]["message"]
    for route in ("neighbors", "thumb"):
        assert client.get(f"/api/v1/projector/{route}", params=q(logged, index=N)).status_code == 404
    missing = client.get("/api/v1/projector/info", params=q(logged, step=5))
    assert missing.status_code == 404 and "steps" in missing.json()["error"]["message"]


def test_bad_input(store_dir):
    with tl.init("e", dir=store_dir) as run:
        with pytest.raises(LoupeValueError, match=r"\[N, D\]"):
            run.log_embedding("x", torch.zeros(5))
        with pytest.raises(LoupeValueError, match="labels"):
            run.log_embedding("x", torch.zeros(5, 2), labels=torch.zeros(4, dtype=torch.long))
        with pytest.raises(LoupeValueError, match="images"):
            run.log_embedding("x", torch.zeros(5, 2), images=torch.zeros(4, 8, 8))
        with pytest.raises(LoupeValueError, match="metadata column 'c'"):
            run.log_embedding("x", torch.zeros(5, 2), metadata={"c": [1, 2]})


def test_figure_renders(logged, tmp_path):
    d, rid = logged
    fig = tl.plot.embedding(d, rid, "penultimate", color="correct")
    for ext in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"emb.{ext}")
    from PIL import Image

    img = np.asarray(Image.open(tmp_path / "emb.png").convert("L"), float)
    assert img.std() > 10


def test_correctness_from_log_predictions(store_dir):
    with tl.init("p", dir=store_dir) as run:
        y = torch.arange(50) % 5
        logits = torch.nn.functional.one_hot(y, 5).float() * 5
        logits[:7] = torch.nn.functional.one_hot((y[:7] + 1) % 5, 5).float() * 5
        run.log_predictions(y, logits, split="test", step=3)
        run.log_embedding("e", torch.randn(50, 8), labels=y, step=3)
    client = TestClient(create_app(store_dir), base_url=LOCAL)
    r = client.get("/api/v1/projector/column.bin", params={"run": run.id, "tag": "e", "name": "correct"})
    assert np.frombuffer(r.content, "<i4").tolist() == [0] * 7 + [1] * 43
