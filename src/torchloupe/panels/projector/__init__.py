"""The embedding projector: PCA / t-SNE / UMAP of logged embeddings (``run.log_embedding``),
coloured by label, prediction, correctness or metadata, with thumbnails and neighbours."""

from ..base import Panel, logged
from .api import router
from .figure import figure
from .record import KIND

PANEL = Panel(name="projector", title="Projector", router=router, has_data=logged(KIND),
              figure=figure, plot="embedding")
