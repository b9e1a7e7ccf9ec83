"""``tl.explain`` from several threads on one model: the dashboard asks for an example's four maps
at once, and Captum's hooks on a shared model would see the other threads' forward passes."""

from __future__ import annotations

import threading

import torch

import torchloupe as tl
from torchloupe.demo.model import DemoCNN

METHODS = ("gradcam", "saliency", "integrated_gradients", "occlusion")


def test_one_model_many_threads():
    torch.manual_seed(0)
    model = DemoCNN(num_classes=4, channels=(4, 4, 4)).eval()
    x = torch.rand(1, 1, 16, 16)
    alone = {m: tl.explain(model, x, method=m) for m in METHODS}
    errors: list[str] = []
    results: dict[tuple[int, str], torch.Tensor] = {}

    def one(round_: int, method: str) -> None:
        try:
            results[round_, method] = tl.explain(model, x, method=method)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"{method}: {type(exc).__name__}: {exc}")

    for round_ in range(25):
        threads = [threading.Thread(target=one, args=(round_, m)) for m in METHODS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for (_, method), maps in results.items():
        assert torch.allclose(maps, alone[method], atol=1e-5), method
    assert not model.training
