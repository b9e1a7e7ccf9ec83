"""torchloupe: see what your PyTorch training does.

Example:
    >>> import tempfile, torchloupe as tl
    >>> d = tempfile.mkdtemp()
    >>> with tl.init(project="mnist", config={"lr": 1e-3}, dir=d) as run:
    ...     for step in range(3):
    ...         run.log({"train/loss": 1.0 / (step + 1)})
    >>> tl.open(d).runs()[0].scalars("train/loss")["value"].round(2).tolist()
    [1.0, 0.5, 0.33]
"""

from __future__ import annotations

from .errors import (
    LoupeError,
    LoupeKeyError,
    LoupeValueError,
    NotFoundError,
    RunFinishedError,
    StoreError,
)
from .run import Run, init
from .store.reader import RunReader, Store, open
from .types import RunRecord, RunStatus

__version__ = "0.1.0"


def summary(model, example_input):  # type: ignore[no-untyped-def]
    """A model's summary table without a run: every module's type, input and output shapes,
    parameters (trainable/frozen), FLOPs and activation memory, plus totals.

    Example:
        >>> import torch
        >>> s = summary(torch.nn.Linear(4, 2), torch.zeros(1, 4))
        >>> s.total_params, s.total_flops
        (10, 16)
    """
    from .analyze.model_summary import summarize

    return summarize(model, example_input)


def explain(model, inputs, target=None, method="integrated_gradients", layer=None, **options):  # type: ignore[no-untyped-def]
    """Attribution maps through Captum, one verb for every method: ``[N, H, W]`` maps for
    ``"integrated_gradients"``, ``"saliency"``, ``"gradcam"`` (``layer``: default the last conv)
    and ``"occlusion"``; ``FeatureMaps`` (per-layer activations, first-layer filters) for
    ``"feature_maps"``. Draw them with ``tl.plot.attributions`` / ``tl.plot.feature_maps``.

    Example:
        >>> maps = tl.explain(model, images, method="gradcam")   # doctest: +SKIP
    """
    from .analyze.attribution import explain as _explain

    return _explain(model, inputs, target, method, layer, **options)


def register_model(cls):  # type: ignore[no-untyped-def]
    """Allow the dashboard to re-create checkpoints of the model class ``cls`` (returns ``cls``, so
    it also works as a class decorator).

    A checkpoint (``run.save_checkpoint``) records its model's class by name; the dashboard's
    attribution maps re-create the model from it. Importing the module a store names would run
    its code, so the dashboard only uses classes registered in its own process, torchloupe's own
    classes, and classes of modules trusted with ``torchloupe ui --trust-module NAME``.
    ``run.save_checkpoint`` registers its model's class itself, so a dashboard started in the
    training process (the demo, a notebook) needs nothing more.

    Example:
        >>> import torch, torchloupe as tl
        >>> @tl.register_model
        ... class Net(torch.nn.Module):
        ...     def __init__(self, classes: int = 10):
        ...         super().__init__()
        ...         self.fc = torch.nn.Linear(784, classes)
        >>> tl.register_model(Net) is Net
        True
    """
    from .panels.predictions.trust import register_model as _register

    return _register(cls)


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # `tl.plot` imports Matplotlib-based modules only when first used.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'torchloupe' has no attribute {name!r}")

__all__ = [
    "LoupeError",
    "LoupeKeyError",
    "LoupeValueError",
    "NotFoundError",
    "Run",
    "RunFinishedError",
    "RunReader",
    "RunRecord",
    "RunStatus",
    "Store",
    "StoreError",
    "__version__",
    "explain",
    "init",
    "open",
    "plot",
    "register_model",
    "summary",
]
