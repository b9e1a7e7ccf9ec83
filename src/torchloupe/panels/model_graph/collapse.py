"""Folding a model graph's module hierarchy (pure; the page does the same in TypeScript)."""

from __future__ import annotations

from typing import Any


def collapse(g: dict[str, Any], depth: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges with every container deeper than ``depth`` levels folded into one node.

    Example:
        >>> g = {"nodes": [{"id": "a", "module": "b.0", "op": "module", "label": "a", "type": "L"}],
        ...      "edges": [], "modules": [{"path": "b", "type": "Seq", "params": 1}]}
        >>> [n["id"] for n in collapse(g, 1)[0]]
        ['group:b']
    """
    containers = {m["path"]: m for m in g.get("modules", [])}

    def owner(node: dict[str, Any]) -> str | None:
        parts = node.get("module", "").split(".") if node.get("module") else []
        for k in range(1, len(parts) + 1):
            path = ".".join(parts[:k])
            if k >= depth and path in containers:
                return path
        return None

    ids: dict[str, str] = {}
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n in g["nodes"]:
        path = owner(n)
        if path is None:
            ids[n["id"]] = n["id"]
            nodes.append(n)
        else:
            gid = f"group:{path}"
            ids[n["id"]] = gid
            if gid not in seen:
                seen.add(gid)
                m = containers[path]
                nodes.append({"id": gid, "label": path, "op": "group", "type": m["type"],
                              "module": path, "shape": None, "params": m.get("params", 0),
                              "flops": m.get("flops", 0)})
    edges, pairs = [], set()
    for e in g["edges"]:
        s, t = ids[e["source"]], ids[e["target"]]
        if s != t and (s, t) not in pairs:
            pairs.add((s, t))
            edges.append({**e, "source": s, "target": t})
    return nodes, edges


def layers(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, int]:
    """Rank of each node: the longest path from a source (edges closing a cycle are ignored)."""
    rank = {n["id"]: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for e in edges:
            if rank[e["target"]] < rank[e["source"]] + 1 <= len(nodes):
                rank[e["target"]] = rank[e["source"]] + 1
                changed = True
        if not changed:
            break
    return rank
