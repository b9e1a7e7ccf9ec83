"""Attribution maps on the server: the run's saved model, re-created and asked through Captum.

The model class named by the checkpoint's ``module`` and ``qualname`` is used only when it is
trusted (:mod:`.trust`: registered, torchloupe's own, or in a module trusted explicitly); no
other module is ever imported. Its weights are read with ``torch.load(..., weights_only=True)`` —
nothing stored is ever unpickled. Models and maps are cached per (run, checkpoint, example,
method), after the trust check.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...errors import LoupeValueError, NotFoundError, StoreError
from ...store.predictions import Lru
from . import query
from .images import overlay, png
from .trust import model_class

WEB_METHODS = ("saliency", "integrated_gradients", "gradcam", "occlusion")
_MODELS = Lru(4)
_MAPS = Lru(512)


def checkpoint_of(store: Any, run: str) -> Any:
    """The run's newest checkpoint artifact."""
    recs = store.artifacts(run, "checkpoint")
    if not recs:
        raise NotFoundError(f"run {run} has no checkpoint; save one with run.save_checkpoint(model)")
    return recs[-1]


def load_model(store: Any, rec: Any, trusted_modules: Iterable[str] = ()) -> Any:
    """The checkpoint's model in eval mode, on the CPU (cached once its class is allowed).

    Example:
        >>> model = load_model(store, checkpoint_of(store, run_id))   # doctest: +SKIP
    """
    cls = model_class(rec.meta.get("module"), rec.meta.get("qualname"), trusted_modules)
    kwargs = rec.meta.get("init_kwargs") or {}
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise LoupeValueError(f"the checkpoint's init_kwargs must be a mapping of argument names "
                              f"to values, got {type(kwargs).__name__}")

    def make() -> Any:
        import torch

        try:
            model = cls(**kwargs)
        except Exception as exc:
            raise LoupeValueError(f"cannot create {cls.__qualname__}(**{kwargs!r:.200}): "
                                  f"{type(exc).__name__}: {exc}") from exc
        data = store.load_bytes(rec)
        try:
            if data.startswith(b"PK"):  # torch.save's zip: torch does not check its checksums
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    bad = archive.testzip()
                if bad is not None:
                    raise zipfile.BadZipFile(f"{bad} fails its CRC-32 check")
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as exc:  # a truncated or garbled file fails in the zip reader or unpickler
            if "weights only load failed" in str(exc).lower():  # objects beyond tensors: refused
                raise LoupeValueError(
                    f"cannot load the checkpoint's weights into {cls.__qualname__}: the file holds "
                    f"objects that weights-only loading refuses ({str(exc).splitlines()[0][:200]})"
                ) from None
            raise StoreError(f"damaged checkpoint file {rec.path} of run "
                             f"{rec.run_id}: {type(exc).__name__}: {exc}") from exc
        try:
            model.load_state_dict(state)
        except Exception as exc:
            raise LoupeValueError(f"cannot load the checkpoint's weights into {cls.__qualname__}: "
                                  f"{type(exc).__name__}: {str(exc)[:300]}") from exc
        return model.eval()
    return _MODELS.get((str(store.dir), rec.id, cls), make)


def attribution_png(store: Any, run: str, split: str, example_id: str, method: str,
                    trusted_modules: Iterable[str] = ()) -> bytes:
    """The attribution map of one example as a PNG over the example (cached).

    Example:
        >>> attribution_png(store, run_id, "test", "ex3", "gradcam")[:4]   # doctest: +SKIP
        b'\\x89PNG'
    """
    if method not in WEB_METHODS:
        raise LoupeValueError(f"method must be one of {', '.join(WEB_METHODS)}, got {method!r}")
    rec = checkpoint_of(store, run)
    trusted = tuple(trusted_modules)
    model_class(rec.meta.get("module"), rec.meta.get("qualname"), trusted)  # refuse before any cache
    key = (str(store.dir), run, rec.id, split, example_id, method)
    return _MAPS.get(key, lambda: _compute(store, rec, run, split, example_id, method, trusted))  # type: ignore[no-any-return]


def _compute(store: Any, rec: Any, run: str, split: str, example_id: str, method: str,
             trusted_modules: Iterable[str]) -> bytes:
    import torch

    from ...analyze.attribution import explain

    thumb, x = query.find_input(store, run, split, example_id)
    if x is None:
        raise NotFoundError(f"example {example_id!r} was logged with thumbnails only (inputs larger "
                            "than the stored limit): attribution maps need the model input")
    model = load_model(store, rec, trusted_modules)
    tensor = torch.from_numpy(np.asarray(x, dtype=np.float32))
    try:
        heat = explain(model, tensor, method=method)[0].numpy()
    except LoupeValueError:
        raise
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:  # e.g. inputs the model cannot take
        raise LoupeValueError(f"cannot compute the {method} map of example {example_id!r} with "
                              f"{type(model).__qualname__}: {type(exc).__name__}: {str(exc)[:300]}") from exc
    return png(overlay(thumb, heat, signed=method == "integrated_gradients" or method == "occlusion"))
