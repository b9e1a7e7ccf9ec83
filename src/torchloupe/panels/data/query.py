"""The data panel's view of a run: every logged split, class balance compared across splits,
thumbnails as small PNGs. The page and :func:`.figure.figure` both draw from :func:`overview`.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

from ...errors import NotFoundError
from ...store import ArtifactRecord, Backend
from .record import KIND


def runs_with_data(store: Backend, runs: list[str] | None = None) -> dict[str, list[str]]:
    """run id -> its logged splits (``("dataset", split)`` artifacts)."""
    out: dict[str, list[str]] = {}
    for split, ids in store.artifact_tags(KIND, runs).items():
        for rid in ids:
            out.setdefault(rid, []).append(split)
    return out


def latest(store: Backend, run_id: str) -> dict[str, ArtifactRecord]:
    """split -> the latest ``dataset`` artifact of the run."""
    out: dict[str, ArtifactRecord] = {}
    for rec in store.artifacts(run_id, KIND):
        out[rec.tag] = rec  # ordered by step then time: the last one wins
    return out


def overview(store: Backend, run_id: str, images: bool = True) -> dict[str, Any]:
    """Everything the data panel shows for one run.

    ``balance`` lists, per class, each split's count and share and the share's difference from
    the reference split (``train`` when logged, else the first). With ``images`` the thumbnails,
    mean and std images come as base64 PNGs.

    Example:
        >>> overview(store, run.id)["balance"]["classes"][:2]   # doctest: +SKIP
        [{'class': 0, 'name': '0', 'counts': {'train': 400, 'test': 100}, ...}]
    """
    recs = latest(store, store.run(run_id).id)
    if not recs:
        raise NotFoundError(f"run {run_id} has no logged dataset (run.log_dataset)")
    splits = [_split(store, rec, images) for rec in sorted(recs.values(), key=_split_order)]
    return {"run": run_id, "splits": splits, "balance": balance(splits)}


def _split_order(rec: ArtifactRecord) -> tuple[int, str]:
    order = {"train": 0, "val": 1, "valid": 1, "validation": 1, "test": 2}
    return order.get(rec.tag, 3), rec.tag


def _split(store: Backend, rec: ArtifactRecord, images: bool) -> dict[str, Any]:
    a = store.load_arrays(rec)
    m = rec.meta
    names = list(m.get("class_names", []))
    lo, hi = m.get("value_range", [0.0, 1.0])
    out: dict[str, Any] = {
        "split": rec.tag, "step": rec.step, "kind": m.get("kind", "image"), "class_names": names,
        "n_total": m.get("n_total"), "n_analysed": m.get("n_analysed"),
        "sampled": bool(m.get("sampled")), "counts_from": m.get("counts_from"),
        "value_range": [lo, hi], "class_counts": a["class_counts"].tolist(),
        "sample_counts": a["sample_counts"].tolist(),
        "histogram": {"edges": a["hist_edges"].tolist(), "counts": a["hist_counts"].tolist()},
        "shapes": [{"shape": s.tolist(), "count": int(c)} for s, c in zip(a["shapes"], a["shape_counts"], strict=True)],
        "duplicates": [
            {"index": p.tolist(), "labels": lab.tolist(), "distance": float(d)}
            for p, lab, d in zip(a["dup_index"], a["dup_labels"], a["dup_distance"], strict=True)],
        "mislabelled": [
            {"index": int(i), "label": int(lab), "suggested": int(s), "score": float(sc)}
            for i, lab, s, sc in zip(a["mis_index"], a["mis_label"], a["mis_suggested"], a["mis_score"], strict=True)],
        "arrays": a,
    }
    if images and "samples" in a:
        out["samples"] = [
            [{"index": int(i), "png": png(t)} for i, t in zip(idx, thumbs, strict=True) if i >= 0]
            for idx, thumbs in zip(a["samples_index"], a["samples"], strict=True)]
        mean_u8 = _to_u8(a["mean"], lo, hi)
        std_hi = float(a["std"].max()) or 1.0
        std_u8 = _to_u8(a["std"], 0.0, std_hi)
        out["mean"] = [png(t) for t in mean_u8]
        out["std"] = [png(t) for t in std_u8]
        out["std_max"] = std_hi
        for d, pair in zip(out["duplicates"], a["dup_thumbs"], strict=True):
            d["png"] = [png(pair[0]), png(pair[1])]
        for s, t in zip(out["mislabelled"], a["mis_thumbs"], strict=True):
            s["png"] = png(t)
    return out


def balance(splits: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and shares per class and split, with each share's difference from the reference."""
    if not splits:
        return {"reference": None, "splits": [], "classes": []}
    ref = next((s for s in splits if s["split"] == "train"), splits[0])
    names: list[str] = max((s["class_names"] for s in splits), key=len)
    shares = {}
    for s in splits:
        c = np.asarray(s["class_counts"] or s["sample_counts"], np.float64)
        c = np.pad(c, (0, max(0, len(names) - len(c))))
        shares[s["split"]] = (c, c / c.sum() if c.sum() else c)
    classes = []
    for k, name in enumerate(names):
        ref_share = shares[ref["split"]][1][k]
        classes.append({
            "class": k, "name": name,
            "counts": {sp: int(v[0][k]) for sp, v in shares.items()},
            "shares": {sp: float(v[1][k]) for sp, v in shares.items()},
            "diff": {sp: float(v[1][k] - ref_share) for sp, v in shares.items()},
        })
    return {"reference": ref["split"], "splits": [s["split"] for s in splits], "classes": classes}


def jsonable(view: dict[str, Any]) -> dict[str, Any]:
    """The overview without its raw arrays (kept for the figure)."""
    return {**view, "splits": [{k: v for k, v in s.items() if k != "arrays"} for s in view["splits"]]}


def _to_u8(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    from ...analyze.datasets import to_uint8

    if x.ndim == 2:  # vectors: show as a one-row strip
        x = x[:, None, None, :]
    return to_uint8(x, lo, hi)


def png(img: np.ndarray) -> str:
    """A uint8 ``[h, w, C]`` image as base64 PNG text."""
    from PIL import Image

    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", optimize=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")
