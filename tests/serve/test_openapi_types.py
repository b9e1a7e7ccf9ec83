"""The page's TypeScript API types are generated from the server's schema when the page is built
(``make web``); these tests fail when the built types and the server's answers part ways."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from torchloupe.serve.openapi import dumps, main, schema

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
BUILT = WEB / "src" / "generated" / "api-schema.ts"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_the_page_was_built_against_this_api(tmp_path):
    if not GENERATOR.exists() or shutil.which("node") is None:
        pytest.skip("the web toolchain is not installed (make setup installs it)")
    assert BUILT.is_file(), "the page's API types were never generated: run `make web`"
    spec = tmp_path / "openapi.json"
    spec.write_text(dumps(schema()), encoding="utf-8")
    fresh = tmp_path / "api-schema.ts"
    subprocess.run([str(GENERATOR), str(spec), "-o", str(fresh), "--silent"], cwd=WEB, check=True,
                   capture_output=True, timeout=120)
    now, built = fresh.read_text(encoding="utf-8"), BUILT.read_text(encoding="utf-8")
    if now != built:
        diff = "".join(list(difflib.unified_diff(built.splitlines(True), now.splitlines(True),
                                                 "built types", "this server"))[:80])
        raise AssertionError("the API changed since the page's types were generated: run `make web` "
                             f"(or `make types`) and fix what the type check names\n{diff}")


def test_every_json_route_declares_its_response():
    bare = []
    for path, ops in schema()["paths"].items():
        for method, op in ops.items():
            ok = op.get("responses", {}).get("200", {}).get("content", {})
            body = ok.get("application/json", {}).get("schema")
            if "application/json" in ok and not body:
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
