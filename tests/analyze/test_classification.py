"""Classification metrics against scikit-learn on the same data."""

import numpy as np
import pytest
from sklearn import metrics as skm

from torchloupe.analyze import classification as C
from torchloupe.errors import LoupeValueError


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n, c = 400, 5
    targets = rng.integers(0, c, n)
    logits = rng.normal(size=(n, c)) + 2.0 * np.eye(c)[targets] * rng.random((n, 1))
    return targets, C.to_probs(logits), c


def test_probs_rule():
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    assert C.to_probs(p) is not None and np.allclose(C.to_probs(p), p)
    logits = np.array([[2.0, -1.0], [0.0, 0.0]])
    assert np.allclose(C.to_probs(logits).sum(1), 1) and not C.looks_like_probs(logits)
    assert np.allclose(C.to_probs(p, "logits"), C.to_probs(np.log(np.exp(p)), "logits"))
    assert np.allclose(C.to_probs(np.array([0.0]), "logits"), [[0.5, 0.5]])
    assert np.allclose(C.to_probs(np.array([[3.0]])), [[1 / (1 + np.exp(3)), 1 / (1 + np.exp(-3))]])
    with pytest.raises(LoupeValueError, match="'auto', 'logits' or 'probs'"):
        C.to_probs(p, "odds")  # type: ignore[arg-type]


def test_confusion_and_per_class(data):
    t, p, c = data
    pred = p.argmax(1)
    assert (C.confusion_matrix(t, pred, c) == skm.confusion_matrix(t, pred, labels=range(c))).all()
    for norm in ("true", "pred", "all"):
        assert np.allclose(C.confusion_matrix(t, pred, c, norm),
                           skm.confusion_matrix(t, pred, labels=range(c), normalize=norm))
    m = C.per_class_metrics(C.confusion_matrix(t, pred, c))
    pr, rc, f1, sup = skm.precision_recall_fscore_support(t, pred, labels=range(c), zero_division=0)
    assert np.allclose(m["precision"], pr) and np.allclose(m["recall"], rc)
    assert np.allclose(m["f1"], f1) and (m["support"] == sup).all()
    for avg in ("macro", "weighted"):
        ref = skm.precision_recall_fscore_support(t, pred, labels=range(c), average=avg, zero_division=0)
        assert np.allclose([m[avg]["precision"], m[avg]["recall"], m[avg]["f1"]], ref[:3])
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(t, pred))


def test_class_never_predicted_gives_zero():
    m = C.per_class_metrics(np.array([[3, 0], [2, 0]]))
    assert m["precision"].tolist() == [0.6, 0.0] and m["f1"][1] == 0.0


def test_roc_auc_and_ap(data):
    t, p, c = data
    p = p.round(2)  # ties
    for k in range(c):
        y, s = t == k, p[:, k]
        fpr, tpr, thr = C.roc_curve(y, s)
        rf, rt, rth = skm.roc_curve(y, s, drop_intermediate=False)
        assert np.allclose(fpr, rf) and np.allclose(tpr, rt) and np.allclose(thr[1:], rth[1:])
        assert C.auc(fpr, tpr) == pytest.approx(skm.roc_auc_score(y, s))
        assert C.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s))


def test_tensorboard_pr_curve_counts(data):
    t, p, _ = data
    y, s = t == 0, p[:, 0]
    curve = C.tensorboard_pr_curve(y, s, 11)
    for i in range(len(curve["thresholds"])):
        pred = np.floor(s * 10) >= i  # TensorBoard's bucketing
        assert curve["tp"][i] == (pred & y).sum() and curve["fp"][i] == (pred & ~y).sum()
        assert curve["tn"][i] == (~pred & ~y).sum() and curve["fn"][i] == (~pred & y).sum()
    assert curve["recall"][0] == pytest.approx(1.0)
    assert curve["precision"][5] == pytest.approx(
        skm.precision_score(y, np.floor(s * 10) >= 5, zero_division=0))


def test_reliability_and_ece():
    rng = np.random.default_rng(1)
    p1 = rng.random(2000)
    y = (rng.random(2000) < p1).astype(int)  # calibrated by construction
    probs = np.stack([1 - p1, p1], 1)
    r = C.reliability(y, probs, bins=10)
    assert r["count"].sum() == 2000 and r["ece"] < 0.05
    conf = probs.max(1)
    correct = probs.argmax(1) == y
    bins = np.clip(np.ceil(conf * 10).astype(int) - 1, 0, 9)
    ece = sum(abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    assert r["ece"] == pytest.approx(ece)
    over = C.reliability(np.zeros(100, int), np.tile([[0.6, 0.4]], (100, 1)) * 0 + [[0.99, 0.01]])
    assert over["ece"] == pytest.approx(0.01)


def test_top_k_and_highest_loss(data):
    t, p, c = data
    for k in (1, 2, 3):
        assert C.top_k_accuracy(t, p, k) == pytest.approx(skm.top_k_accuracy_score(t, p, k=k, labels=range(c)))
    loss = C.losses(t, p)
    assert np.allclose(loss.mean(), skm.log_loss(t, p, labels=range(c)))
    top = C.highest_loss(t, p, 5)
    assert (loss[top] == np.sort(loss)[::-1][:5]).all()
