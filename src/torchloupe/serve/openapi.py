"""The HTTP API's OpenAPI schema as a file, written without starting a server.

The dashboard's TypeScript types are generated from this file during the web build
(``openapi-typescript``), and a test fails when the committed copy (``web/openapi.json``) drifts
from what the server answers, so the page and the API cannot disagree silently.

Example:
    $ python -m torchloupe.serve.openapi web/openapi.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def schema() -> dict[str, Any]:
    """The OpenAPI document of the dashboard's API (``GET /api/v1/openapi.json``).

    Example:
        >>> "/api/v1/runs" in schema()["paths"]
        True
    """
    from .app import create_app

    with tempfile.TemporaryDirectory(prefix="torchloupe-openapi-") as tmp:
        app = create_app(tmp)
        try:
            return app.openapi()
        finally:
            app.state.store.close()


def dumps(doc: dict[str, Any]) -> str:
    """The schema as stable text: sorted keys, two-space indent, a final newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Writes the schema to the file named on the command line (stdout with ``-``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m torchloupe.serve.openapi OUT.json", file=sys.stderr)
        return 2
    text = dumps(schema())
    if args[0] == "-":
        sys.stdout.write(text)
    else:
        out = Path(args[0])
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
