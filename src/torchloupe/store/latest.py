"""The latest artifact of a kind per tag: what panels that show "the model as last logged" read."""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError


def latest_per_tag(store: Any, run: str, kind: str, tag: str | None = None) -> list[tuple[str, Any, Any]]:
    """(tag, record, JSON) of the latest JSON artifact of ``kind`` per tag (or of ``tag`` alone).

    Raises:
        NotFoundError: ``tag`` is given and the run logged no artifact of ``kind`` under it.

    Example:
        >>> [t for t, _, _ in latest_per_tag(store, run_id, "model_summary")]   # doctest: +SKIP
        ['Net']
    """
    by_tag: dict[str, Any] = {}
    for rec in store.artifacts(run, kind, tag):
        by_tag[rec.tag] = rec  # ordered by step, then time: the last one wins
    if tag is not None and tag not in by_tag:
        raise NotFoundError(f"run {run} logged no model {tag!r} (call run.log_model)")
    return [(t, rec, store.load_json(rec)) for t, rec in by_tag.items()]

