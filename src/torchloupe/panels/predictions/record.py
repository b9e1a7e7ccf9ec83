"""Recording predictions and checkpoints (``run.log_predictions``, ``run.save_checkpoint``).

Stored format:

``kind="predictions"``, ``tag=<split>``, one artifact per call (``.npz``):

    targets  int32   [N]      labels in 0..C-1
    probs    float16 [N, C]   class probabilities (float32 with ``precision="float32"``); a binary
                              problem is stored as two columns [1 - p, p]
    ids      int64 or unicode [N]   example ids (``arange(N)`` when none are given)
    meta: {"num_classes": C, "class_names": [...], "scores": "logits"|"probs", "binary": bool,
           "n": N, "ids_given": bool, "inputs": <step of the prediction_inputs artifact> or None}

``kind="prediction_inputs"``, ``tag=<split>`` (written when ``inputs`` are given and the ids
differ from the last ones stored for the split, so logging every epoch stores images once):

    ids      as above
    thumbs   uint8   [N, h, w] or [N, h, w, 3]   each input scaled to 0..255 per image, at most
                                                 ``THUMB`` px on a side
    inputs   float16 [N, ...]                     the model inputs themselves, when each has at
                                                 most ``MAX_INPUT_ELEMENTS`` values: the server
                                                 computes attribution maps from them

``kind="checkpoint"``, ``tag=<name>`` (``.pt``): the ``state_dict`` written by ``torch.save``, read
back with ``torch.load(..., weights_only=True)``; meta: ``{"module", "qualname", "init_kwargs"}``.
The model's class is also registered in the recording process (:func:`.trust.register_model`), so
a dashboard served from it can re-create the model; any other dashboard imports the class only if
its module is trusted there.

Logits or probabilities: see :func:`torchloupe.analyze.classification.looks_like_probs` (rows
non-negative summing to 1 within 1e-3 are probabilities, otherwise logits and a softmax; one
column is binary, through a sigmoid unless in [0, 1]); ``scores=`` overrides the rule.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...analyze.classification import looks_like_probs, to_probs
from ...errors import LoupeValueError
from ...record.recorder import Recorder
from .trust import register_model

THUMB = 64
MAX_INPUT_ELEMENTS = 3 * 64 * 64
_INPUTS_SEEN: weakref.WeakKeyDictionary[Any, dict[str, bytes]] = weakref.WeakKeyDictionary()


def _numpy(name: str, value: Any) -> np.ndarray:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach()
            if value.dtype == torch.bfloat16:
                value = value.float()
            return value.cpu().numpy()  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    try:
        return np.asarray(value)
    except Exception as exc:
        raise LoupeValueError(f"{name} must be an array or tensor, got {type(value).__name__}") from exc


def check_predictions(targets: Any, scores: Any, kind: str = "auto",
                      class_names: Sequence[str] | None = None, ids: Any = None) -> dict[str, Any]:
    """Validate and convert: targets int [N], probabilities [N, C], ids [N].

    Example:
        >>> d = check_predictions([0, 1], [[2.0, 0.0], [0.0, 1.0]])
        >>> d["probs"].shape, d["scores"]
        ((2, 2), 'logits')
    """
    t = _numpy("targets", targets)
    s = _numpy("logits_or_probs", scores)
    if t.ndim != 1:
        raise LoupeValueError(f"targets must be a 1-d array of class indices [N], got shape {t.shape}")
    if not np.issubdtype(t.dtype, np.integer):
        if t.size and not np.all(np.mod(t, 1) == 0):
            raise LoupeValueError(f"targets must be integer class indices, got dtype {t.dtype}")
        t = t.astype(np.int64)
    if s.ndim not in (1, 2) or not np.issubdtype(s.dtype, np.number):
        raise LoupeValueError(
            f"logits_or_probs must be numbers of shape [N, C] (or [N] for binary), got shape {s.shape}"
            f" and dtype {s.dtype}")
    if len(s) != len(t):
        raise LoupeValueError(f"targets has {len(t)} examples but logits_or_probs has {len(s)}; "
                              "they must have the same length")
    if len(t) == 0:
        raise LoupeValueError("log_predictions needs at least one example")
    if kind not in ("auto", "logits", "probs"):
        raise LoupeValueError(f"scores must be 'auto', 'logits' or 'probs', got {kind!r}")
    resolved = kind if kind != "auto" else ("probs" if looks_like_probs(s) else "logits")
    probs = to_probs(s, resolved)  # type: ignore[arg-type]
    c = probs.shape[1]
    if t.min() < 0 or t.max() >= c:
        bad = int(t[(t < 0) | (t >= c)][0])
        raise LoupeValueError(f"label {bad} out of range: targets must be in 0..{c - 1} for {c} classes")
    if class_names is not None:
        class_names = [str(n) for n in class_names]
        if len(class_names) != c:
            raise LoupeValueError(f"class_names has {len(class_names)} names but there are {c} classes")
    if ids is None:
        id_arr = np.arange(len(t), dtype=np.int64)
    else:
        id_arr = _numpy("ids", ids) if not isinstance(ids, (list, tuple)) else np.asarray(ids)
        if id_arr.ndim != 1 or len(id_arr) != len(t):
            raise LoupeValueError(f"ids must be a 1-d sequence of {len(t)} ids, got shape {id_arr.shape}")
        if np.issubdtype(id_arr.dtype, np.integer):
            id_arr = id_arr.astype(np.int64)
        else:
            id_arr = id_arr.astype(str)
        if len(np.unique(id_arr)) != len(id_arr):
            raise LoupeValueError("ids must be unique")
    return {"targets": t.astype(np.int32), "probs": probs, "ids": id_arr, "scores": resolved,
            "binary": s.ndim == 1 or s.shape[1] == 1, "class_names": class_names}


def thumbnails(inputs: np.ndarray, size: int = THUMB) -> np.ndarray:
    """uint8 thumbnails [N, h, w] (gray) or [N, h, w, 3] of images [N, C, H, W] / [N, H, W].

    Each image is scaled to 0..255 by its own range (inputs are often normalized) and shrunk by
    area averaging to at most ``size`` px on a side.

    Example:
        >>> thumbnails(np.random.rand(2, 1, 28, 28)).shape
        (2, 28, 28)
    """
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4:
        raise LoupeValueError(f"inputs must be images [N, C, H, W] or [N, H, W], got shape {tuple(x.shape)}")
    if x.shape[1] not in (1, 3):
        x = x.mean(dim=1, keepdim=True)
    h, w = x.shape[2:]
    scale = min(1.0, size / max(h, w))
    if scale < 1.0:
        x = F.interpolate(x, size=(max(1, round(h * scale)), max(1, round(w * scale))), mode="area")
    flat = x.reshape(len(x), -1)
    lo = flat.min(dim=1).values[:, None, None, None]
    hi = flat.max(dim=1).values[:, None, None, None]
    x = (x - lo) / torch.clamp(hi - lo, min=1e-12)
    out = (x * 255).round().clamp(0, 255).to(torch.uint8)
    out = out[:, 0] if out.shape[1] == 1 else out.permute(0, 2, 3, 1)
    return out.numpy()  # type: ignore[no-any-return]


def log_predictions(run: Recorder, targets: Any, logits_or_probs: Any, split: str = "test",
                    step: int | None = None, class_names: Sequence[str] | None = None,
                    inputs: Any = None, ids: Any = None, scores: str = "auto",
                    precision: str = "float16") -> None:
    """What ``Run.log_predictions`` does (see there)."""
    if precision not in ("float16", "float32"):
        raise LoupeValueError(f"precision must be 'float16' or 'float32', got {precision!r}")
    d = check_predictions(targets, logits_or_probs, scores, class_names, ids)
    step = run.step if step is None else step
    if inputs is not None:
        x = _numpy("inputs", inputs)
        if len(x) != len(d["targets"]):
            raise LoupeValueError(f"inputs has {len(x)} examples but targets has {len(d['targets'])}")
        key = d["ids"].tobytes()
        seen = _INPUTS_SEEN.setdefault(run, {})
        if seen.get(split) != key:
            arrays = {"ids": d["ids"], "thumbs": thumbnails(x)}
            if x[0].size <= MAX_INPUT_ELEMENTS:
                arrays["inputs"] = x.astype(np.float16)
            run.record("prediction_inputs", split, arrays, step=step,
                       meta={"shape": list(x.shape[1:])})
            seen[split] = key
    probs = d["probs"].astype(np.float16 if precision == "float16" else np.float32)
    meta = {"num_classes": int(probs.shape[1]), "class_names": d["class_names"],
            "scores": d["scores"], "binary": d["binary"], "n": int(len(probs)),
            "ids_given": ids is not None, "inputs": split in _INPUTS_SEEN.get(run, {})}
    run.record("predictions", split, {"targets": d["targets"], "probs": probs, "ids": d["ids"]},
               step=step, meta=meta)


def save_checkpoint(run: Recorder, model: Any, init_kwargs: Mapping[str, Any] | None = None,
                    name: str = "model", step: int | None = None) -> None:
    """What ``Run.save_checkpoint`` does (see there)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise LoupeValueError(f"save_checkpoint takes a torch.nn.Module, got {type(model).__name__}")
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    dtypes = {k: str(v.dtype).removeprefix("torch.") for k, v in state.items()}

    def encode(arrays: dict[str, np.ndarray]) -> tuple[bytes, str]:
        buf = io.BytesIO()
        tensors = {k: torch.from_numpy(np.array(a, copy=True)).to(getattr(torch, dtypes[k]))
                   for k, a in arrays.items()}
        torch.save(tensors, buf)
        return buf.getvalue(), "pt"

    cls = register_model(type(model))
    meta = {"module": cls.__module__, "qualname": cls.__qualname__,
            "init_kwargs": dict(init_kwargs) if init_kwargs is not None else None}
    run.record("checkpoint", name, state, step=step, meta=meta, encode=encode)


def predict_and_log(run: Recorder, model: Any, images: Any, labels: Any, split: str = "test",
                    step: int | None = None, class_names: Sequence[str] | None = None,
                    ids: Any = None, batch_size: int = 500) -> None:
    """Run ``model`` over ``images`` in eval mode (no grad, batches) and log its predictions with
    thumbnails; the model's mode is restored.

    Example:
        >>> predict_and_log(run, model, test.images, test.labels, "test", step=step,   # doctest: +SKIP
        ...                 class_names=[str(d) for d in range(10)])
    """
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = torch.cat([model(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])
    finally:
        model.train(was_training)
    log_predictions(run, labels, logits, split, step, class_names, inputs=images,
                    ids=ids if ids is not None else torch.arange(len(labels)), scores="logits")
