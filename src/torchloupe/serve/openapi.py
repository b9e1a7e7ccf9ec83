"""Write the dashboard API's OpenAPI schema to a file, without starting a server.

The web build generates its TypeScript types from it. Keys are sorted and the text is indented,
so the file changes only when the API does.

Example:
    $ python -m torchloupe.serve.openapi web/src/api/openapi.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..store.sqlite import SqliteStore
from .app import create_app


def schema() -> dict[str, Any]:
    """The API's OpenAPI schema (built over an empty, temporary store).

    Example:
        >>> "/api/v1/runs" in schema()["paths"]
        True
    """
    with tempfile.TemporaryDirectory(prefix="torchloupe-openapi-") as tmp:
        store = SqliteStore(tmp)
        try:
            return create_app(store).openapi()
        finally:
            store.close()


def text() -> str:
    """:func:`schema` as stable JSON text: sorted keys, two-space indent, a final newline."""
    return json.dumps(schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m torchloupe.serve.openapi",
                                     description="Write the dashboard API's OpenAPI schema.")
    parser.add_argument("out", help="the JSON file to write, or - for standard output")
    args = parser.parse_args(argv)
    body = text()
    if args.out == "-":
        sys.stdout.write(body)
    else:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
