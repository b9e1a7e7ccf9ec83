"""The page's TypeScript types come from ``web/openapi.json``; it must be what the server answers."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from torchloupe.serve.openapi import dumps, main, schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "web" / "openapi.json"


def test_committed_schema_matches_the_server():
    live = dumps(schema())
    committed = COMMITTED.read_text(encoding="utf-8")
    if live != committed:
        diff = "".join(list(difflib.unified_diff(committed.splitlines(True), live.splitlines(True),
                                                 "web/openapi.json", "server"))[:80])
        raise AssertionError("the API changed but web/openapi.json (the source of the page's "
                             f"TypeScript types) did not: run `make types`\n{diff}")


def test_every_json_route_declares_its_response():
    doc = schema()
    bare = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = op.get("responses", {}).get("200", {}).get("content", {})
            body = ok.get("application/json", {}).get("schema")
            if "application/json" in ok and (not body or body == {}):
                bare.append(f"{method.upper()} {path}")
    assert not bare, "routes whose 200 answer has no declared model:\n" + "\n".join(bare)


def test_writer_is_stable_and_writes_only_on_change(tmp_path):
    out = tmp_path / "openapi.json"
    assert main([str(out)]) == 0
    first = out.read_text()
    assert json.loads(first)["openapi"].startswith("3.")
    mtime = out.stat().st_mtime_ns
    assert main([str(out)]) == 0
    assert out.read_text() == first and out.stat().st_mtime_ns == mtime
    assert main([]) == 2
