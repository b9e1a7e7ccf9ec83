"""A small store with data for every panel, shared by the fuzz and content-security tests.

Two runs: ``beta`` (scalars, a dataset, embeddings over two steps), then ``alpha`` (scalars with a
NaN, predictions with inputs over two steps, a checkpoint, a logged and watched model), the newest,
so that panels showing one run show it. :func:`request_values` gives request parameters that name
what the store holds, for tests that generate requests.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from shapes_data import CLASSES, Shapes, pattern
from torchloupe.serve.jobs import JobRunner

N = 48
SPLIT = "test"


# What each tab of the page shows once its panels have drawn with this store's data (a tab added
# later needs its line here).
DRAWN = {
    "scalars": ["[data-testid=chart-card][data-series-count]"],
    "evaluation": [f"[data-testid={p}-body][data-state=ready]"
                   for p in ("confusion", "class-metrics", "curves", "calibration", "examples", "data-map",
                             "class_accuracy")],
    "projector": ["[data-testid=projector-stage][data-state=ready]"],
    "data": ["[data-testid=balance-row]"],
    "model": ["[data-testid=summary-table]", "[data-testid=graph-svg][data-nodes]"],
    "training-health": [".insight-grid[data-steps]", "figure[data-layers]:has([data-testid=gradflow-canvas])",
                        "figure[data-layers]:has([data-testid=act-canvas])"],
}


class IdleJobs(JobRunner):
    """Takes t-SNE/UMAP jobs and never runs them: the API tests exercise the routes (a projection
    answers 202 with its state), not the projections."""

    def _start(self, key, fn) -> None:
        pass


def seed(store_dir) -> dict:
    """Writes the store; returns what a request can name: run ids, tags, ids, models."""
    import torchloupe as tl
    from torchloupe.demo.model import DemoCNN

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        labels = np.arange(N) % 3
        images = torch.from_numpy(np.stack([pattern(int(k), rng, 16) for k in labels]))[:, None]
        ids = [f"ex{i}" for i in range(N)]
        with tl.init("fuzz", name="beta <b>", dir=store_dir) as b:
            for i in range(50):
                b.log({"train/loss": 2.0 / (i + 1)}, step=i)
            b.log_dataset(Shapes(60, 0, plant=True), "train", progress=False)
            for step in (0, 5):
                feats = rng.normal(size=(N, 8)).astype(np.float32) + labels[:, None]
                b.log_embedding("penultimate", torch.from_numpy(feats), labels=torch.as_tensor(labels),
                                images=images[:, 0] if step == 0 else None, step=step,
                                metadata={"source": np.where(labels == 0, "scan", "photo")},
                                class_names=CLASSES)
        with tl.init("fuzz", name="alpha", config={"lr": 0.1}, dir=store_dir, flush_interval=0.05) as a:
            for i in range(300):
                a.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 300}, step=i)
            a.log({"train/loss": float("nan")}, step=300)
            for step in (0, 10):
                logits = rng.normal(size=(N, 3)) + (1 + step / 5) * np.eye(3)[labels]
                a.log_predictions(labels, logits, SPLIT, step=step, class_names=CLASSES,
                                  inputs=images, ids=ids)
            a.save_checkpoint(DemoCNN(num_classes=3, channels=(4, 4, 4)),
                              init_kwargs={"num_classes": 3, "channels": [4, 4, 4]})
            mlp = nn.Sequential(nn.Flatten(), nn.Linear(256, 16), nn.ReLU(), nn.Linear(16, 3))
            a.log_model(mlp, images[:2])
            a.watch(mlp, every=2)
            opt = torch.optim.SGD(mlp.parameters(), lr=0.1)
            y = torch.as_tensor(labels)
            for step in range(6):
                loss = nn.functional.cross_entropy(mlp(images), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                a.log({"watch/loss": loss.detach()}, step=1000 + step)
            a.summary["best"] = float("inf")
    finally:
        torch.set_num_threads(threads)
    return {"runs": [a.id, b.id], "tags": ["train/loss", "train/acc", "penultimate"],
            "splits": [SPLIT, "train"], "ids": ids[:3], "models": ["model", "Sequential"]}


def request_values(known: dict) -> st.SearchStrategy[dict[str, st.SearchStrategy]]:
    """Query values that exist in the store and belong together (one run's split, tag, ids)."""
    alpha, beta = known["runs"]
    both = st.lists(st.sampled_from(known["runs"]), min_size=1, max_size=2).map(",".join)
    return st.sampled_from([
        {"run": st.just(alpha), "runs": both, "split": st.just("test"),
         "id": st.sampled_from(known["ids"]), "tag": st.sampled_from(["train/loss", "train/acc"]),
         "model": st.just("Sequential"), "step": st.sampled_from([0, 2, 10, 300])},
        {"run": st.just(beta), "runs": both, "split": st.just("train"), "tag": st.just("penultimate"),
         "index": st.integers(0, 60), "step": st.sampled_from([0, 5]),
         "name": st.sampled_from(["label", "source", "predicted"]),
         "q": st.sampled_from(["scan", "label:bar", "id:3", "", "x:"]),
         "column": st.sampled_from(["label", "source", "id"])},
    ])
