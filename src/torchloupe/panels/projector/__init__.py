"""The embedding projector: PCA / t-SNE / UMAP of logged embeddings (``run.log_embedding``),
coloured by label, prediction, correctness or metadata, with thumbnails and neighbours."""

from typing import Any

from ..base import Panel, StoreGetter, logged
from .figure import figure
from .record import KIND


def router(store: StoreGetter) -> Any:
    # Imported here: `run.log_*` loads record.py through this package, and recording must not
    # pull in FastAPI.
    from .api import router as build

    return build(store)


PANEL = Panel(name="projector", title="Projector", router=router, has_data=logged(KIND),
              figure=figure, plot="embedding")
