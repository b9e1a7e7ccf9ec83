"""Attribution maps on the server: the run's saved model, re-created and asked through Captum.

The model class is re-created from the checkpoint's ``module`` and ``qualname`` only when that
module can be imported here (it must be installed where the dashboard runs) and the class is an
``nn.Module``; its weights are read with ``torch.load(..., weights_only=True)`` — nothing stored is
ever unpickled. Models and maps are cached per (run, checkpoint, example, method).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
from typing import Any

import numpy as np

from ...errors import LoupeValueError, NotFoundError
from . import query
from .images import overlay, png

WEB_METHODS = ("saliency", "integrated_gradients", "gradcam", "occlusion")
_MODELS = query._Lru(4)
_MAPS = query._Lru(512)


def checkpoint_of(store: Any, run: str) -> Any:
    """The run's newest checkpoint artifact."""
    recs = store.artifacts(run, "checkpoint")
    if not recs:
        raise NotFoundError(f"run {run} has no checkpoint; save one with run.save_checkpoint(model)")
    return recs[-1]


def load_model(store: Any, rec: Any) -> Any:
    """The checkpoint's model in eval mode, on the CPU (cached)."""
    def make() -> Any:
        import torch

        module, qualname = rec.meta.get("module"), rec.meta.get("qualname")
        if not module or not qualname or module == "__main__" or importlib.util.find_spec(module) is None:
            raise NotFoundError(f"the model class {module}.{qualname} cannot be imported where the "
                                "dashboard runs; define it in an installed module")
        obj: Any = importlib.import_module(module)
        for part in str(qualname).split("."):
            obj = getattr(obj, part, None)
        if not isinstance(obj, type) or not issubclass(obj, torch.nn.Module):
            raise NotFoundError(f"{module}.{qualname} is not a torch.nn.Module class")
        model = obj(**(rec.meta.get("init_kwargs") or {}))
        state = torch.load(io.BytesIO(store.load_bytes(rec)), map_location="cpu", weights_only=True)
        model.load_state_dict(state)
        return model.eval()
    return _MODELS.get((str(store.dir), rec.id), make)


def attribution_png(store: Any, run: str, split: str, example_id: str, method: str) -> bytes:
    """The attribution map of one example as a PNG over the example (cached)."""
    if method not in WEB_METHODS:
        raise LoupeValueError(f"method must be one of {', '.join(WEB_METHODS)}, got {method!r}")
    rec = checkpoint_of(store, run)
    key = (str(store.dir), run, rec.id, split, example_id, method)
    return _MAPS.get(key, lambda: _compute(store, rec, run, split, example_id, method))  # type: ignore[no-any-return]


def _compute(store: Any, rec: Any, run: str, split: str, example_id: str, method: str) -> bytes:
    import torch

    from ...analyze.attribution import explain

    thumb, x = query.find_input(store, run, split, example_id)
    if x is None:
        raise NotFoundError(f"example {example_id!r} was logged with thumbnails only (inputs larger "
                            "than the stored limit): attribution maps need the model input")
    model = load_model(store, rec)
    tensor = torch.from_numpy(np.asarray(x, dtype=np.float32))
    heat = explain(model, tensor, method=method)[0].numpy()
    return png(overlay(thumb, heat, signed=method == "integrated_gradients" or method == "occlusion"))
