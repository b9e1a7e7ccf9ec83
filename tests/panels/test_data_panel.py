"""The data panel: log_dataset's stored statistics, planted problems surfaced, API and figure."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

import torchloupe as tl
from shapes_data import CLASSES, DUPLICATE_OF, MISLABELLED, Shapes
from torchloupe.errors import LoupeValueError
from torchloupe.serve.app import create_app
from torchloupe.store.sqlite import SqliteStore

LOCAL = "http://127.0.0.1"  # the dashboard answers only its own names (DNS-rebinding defence)


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    d = tmp_path_factory.mktemp("data") / "loupe"
    with tl.init("shapes", dir=d) as run:
        train = Shapes(300, 0, plant=True)
        meta = run.log_dataset(train, "train", progress=False)
        run.log_dataset(Shapes(200, 1, weights=(2, 1, 1)), "test", max_samples=100, progress=False)
    return d, run.id, meta, len(train)


def test_planted_duplicate_and_mislabelled_are_surfaced(logged):
    d, run_id, meta, n = logged
    body = TestClient(create_app(d), base_url=LOCAL).get("/api/v1/data/overview", params={"run": run_id}).json()
    train = next(s for s in body["splits"] if s["split"] == "train")
    assert [DUPLICATE_OF, n - 1] in [p["index"] for p in train["duplicates"]]
    top = train["mislabelled"][0]
    assert top["index"] == MISLABELLED and top["label"] == 2 and top["suggested"] == 0
    assert top["png"] and train["duplicates"][0]["png"][0]
    assert len(train["mislabelled"]) <= 3


def test_balance_samples_and_sampling_note(logged):
    d, run_id, meta, n = logged
    assert meta["n_total"] == n and not meta["sampled"]
    body = TestClient(create_app(d), base_url=LOCAL).get("/api/v1/data/overview", params={"run": run_id}).json()
    assert [s["split"] for s in body["splits"]] == ["train", "test"]
    test = body["splits"][1]
    assert test["sampled"] and test["n_analysed"] == 100 and test["n_total"] == 200
    assert test["counts_from"] == "all" and sum(test["class_counts"]) == 200
    bal = body["balance"]
    assert bal["reference"] == "train" and [c["name"] for c in bal["classes"]] == CLASSES
    assert bal["classes"][0]["diff"]["test"] > 0.1        # 'bar' is twice as common in test
    assert sum(c["shares"]["train"] for c in bal["classes"]) == pytest.approx(1)
    train = body["splits"][0]
    assert len(train["samples"]) == 3 and len(train["samples"][1]) > 5
    assert len(train["mean"]) == 3 and train["shapes"] == [{"shape": [1, 12, 12], "count": n}]
    assert len(train["histogram"]["counts"][0]) == len(train["histogram"]["edges"]) - 1


def test_stored_arrays_are_compact(logged):
    d, run_id, *_ = logged
    store = SqliteStore(d)
    rec = store.artifacts(run_id, "dataset", "train")[-1]
    a = store.load_arrays(rec)
    assert a["samples"].dtype == np.uint8 and a["mean"].dtype == np.float32
    assert a["mean"].shape == (3, 1, 12, 12)


def test_tensors_vectors_and_bad_input(store_dir):
    with tl.init("v", dir=store_dir) as run:
        x = torch.randn(50, 6)
        y = torch.arange(50) % 2
        meta = run.log_dataset((x, y), "train", class_names=["a", "b"], progress=False)
        assert meta["kind"] == "vector" and meta["n_analysed"] == 50
        run.log_dataset(np.random.rand(20, 8, 8, 3), "unlabelled", progress=False)
        with pytest.raises(LoupeValueError, match="out of range"):
            run.log_dataset((x, y + 5), "bad", class_names=["a", "b"], progress=False)
        with pytest.raises(LoupeValueError, match="differ in length"):
            run.log_dataset((x, y[:3]), "bad", progress=False)
        with pytest.raises(LoupeValueError, match="max_samples"):
            run.log_dataset((x, y), "bad", max_samples=0, progress=False)
        with pytest.raises(LoupeValueError, match="Dataset"):
            run.log_dataset(42, "bad", progress=False)
    body = TestClient(create_app(store_dir), base_url=LOCAL).get("/api/v1/data/overview", params={"run": run.id}).json()
    assert {s["split"] for s in body["splits"]} == {"train", "unlabelled"}


def test_figure_renders(logged, tmp_path):
    d, run_id, *_ = logged
    fig = tl.plot.dataset(d, run_id)
    for ext in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"data.{ext}")
    from PIL import Image

    img = np.asarray(Image.open(tmp_path / "data.png").convert("L"), float)
    assert img.std() > 10 and (tmp_path / "data.pdf").stat().st_size > 5000
