"""Per-class accuracy over time: the query against scikit-learn, the route, the figure."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import recall_score

import torchloupe as tl
from torchloupe.errors import NotFoundError
from torchloupe.panels.class_accuracy.query import class_accuracy, splits
from torchloupe.serve.app import create_app

LOCAL = "http://127.0.0.1"
NAMES = ["cat", "dog", "emu"]


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """One run: test predictions at steps 0, 5, 9 (and again at 9: the last wins); class 2 has no
    example at step 5; train predictions at one step."""
    path = tmp_path_factory.mktemp("ca")
    rng = np.random.default_rng(1)
    truth = {}
    with tl.init("ca", name="ca-run", dir=path) as run:
        for step, strength in ((0, 0.2), (5, 1.5), (9, 0.0), (9, 3.0)):
            labels = rng.integers(0, 3, 90) if step != 5 else rng.integers(0, 2, 90)
            logits = rng.normal(size=(90, 3)) + strength * np.eye(3)[labels]
            run.log_predictions(labels, logits, "test", step=step, class_names=NAMES)
            truth[step] = (labels, logits.argmax(axis=1))
        run.log_predictions(np.array([0, 1, 2]), np.eye(3), "train", step=3, class_names=NAMES)
    return path, run.id, truth


def test_matches_per_class_recall(logged):
    path, rid, truth = logged
    store = tl.open(path)
    d = class_accuracy(store.backend, rid, "test")
    assert d["steps"] == [0, 5, 9] and d["class_names"] == NAMES
    for t, step in enumerate(d["steps"]):
        y, p = truth[step]
        want = recall_score(y, p, labels=[0, 1, 2], average=None, zero_division=np.nan)
        got = [d["accuracy"][c][t] for c in range(3)]
        for g, w in zip(got, want, strict=True):
            assert (g is None and np.isnan(w)) or g == pytest.approx(w)
        assert d["overall"][t] == pytest.approx(float((y == p).mean()))
        assert [d["support"][c][t] for c in range(3)] == np.bincount(y, minlength=3).tolist()
    assert d["accuracy"][2][1] is None  # no example of class 2 at step 5
    assert splits(store.backend, [rid]) == {rid: ["test", "train"]}


def test_unknown_split_is_not_found(logged):
    path, rid, _ = logged
    with pytest.raises(NotFoundError, match="no predictions for split 'val'"):
        class_accuracy(tl.open(path).backend, rid, "val")


def test_route_and_figure(logged):
    path, rid, _ = logged
    client = TestClient(create_app(path), base_url=LOCAL)
    body = client.get("/api/v1/class_accuracy", params={"run": rid, "split": "test"}).json()
    assert body["steps"] == [0, 5, 9] and len(body["accuracy"]) == 3
    listed = client.get("/api/v1/class_accuracy/runs", params={"runs": rid}).json()
    assert listed == {"runs": [{"run": rid, "splits": ["test", "train"]}]}
    missing = client.get("/api/v1/class_accuracy", params={"run": rid, "split": "val"})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "NotFoundError"
    fig = tl.plot.class_accuracy(path, rid, "test")
    assert len(fig.axes[0].lines) == 4  # three classes and the overall line
    import matplotlib.pyplot as plt
    plt.close(fig)
