"""The public surface and the layering, locked."""

import os
import subprocess
import sys
from pathlib import Path

import torchloupe as tl

SRC = Path(tl.__file__).parent

PUBLIC = {
    "LoupeError", "LoupeKeyError", "LoupeValueError", "NotFoundError", "Run", "RunFinishedError",
    "RunReader", "RunRecord", "RunStatus", "Store", "StoreError", "__version__", "init", "open", "plot",
    "register_model",
}


def test_public_names_are_locked():
    assert PUBLIC <= set(tl.__all__)
    for name in tl.__all__:
        assert getattr(tl, name) is not None


def test_import_is_light():
    """`import torchloupe` pulls in neither the server nor Matplotlib."""
    code = "import sys, torchloupe; print(sorted(m for m in ('fastapi', 'matplotlib', 'uvicorn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layers_hold():
    """The import-linter contracts of pyproject.toml: the layers of docs/architecture.md, panels
    independent of one another, nothing below the server importing it, and a training side free
    of web frameworks and Matplotlib. Imports inside functions count."""
    root = SRC.parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(SRC.parent), os.environ.get("PYTHONPATH")) if p)}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    out = subprocess.run([sys.executable, "-c", code, str(root / "pyproject.toml"), "--no-cache",
                          "--no-logo"], capture_output=True, text=True, cwd=root, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_plot_is_lazy_and_draws():
    assert callable(tl.plot.scalars)


def test_server_import_is_light():
    """The dashboard starts fast: no torch, Matplotlib or heavy analysis libraries until needed."""
    heavy = ("torch", "matplotlib", "sklearn", "captum", "umap", "openTSNE", "pandas", "numba")
    code = ("import sys, torchloupe.serve.server, torchloupe.cli; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
