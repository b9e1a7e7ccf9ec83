"""The public surface and the layering, locked."""

import ast
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


# Lower layers never import higher ones: cli/demo -> run, serve, show, plot -> panels -> record -> store -> analyze.
RANK = {"analyze": 0, "types": 0, "errors": 0, "store": 1, "record": 2, "panels": 3,
        "run": 4, "serve": 4, "show": 4, "plot": 4, "cli": 5, "demo": 5}


def _layer(module: str) -> str | None:
    head = module.split(".")[0]
    return head if head in RANK else None


def test_layers_import_downward_only():
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("")
        parts = rel.parts
        own = _layer(".".join(parts))
        if own is None:
            continue
        tree = ast.parse(path.read_text())
        late = _late_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0 and id(node) not in late:
                base = list(parts[: len(parts) - node.level])
                target = ".".join(base + ([node.module] if node.module else []))
                layer = _layer(target)
                if layer is not None and RANK[layer] > RANK[own]:
                    bad.append(f"{rel}: imports {target}")
    assert not bad, "\n".join(bad)


def _late_imports(tree: ast.AST) -> set[int]:
    """Imports inside functions (deliberate late bindings, e.g. Run.log_* -> panels) or under
    ``if TYPE_CHECKING:`` (annotations only)."""
    late: set[int] = set()
    for node in ast.walk(tree):
        inside = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
            isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test))
        if inside:
            late.update(id(n) for n in ast.walk(node) if isinstance(n, ast.ImportFrom))
    return late


def test_plot_is_lazy_and_draws():
    assert callable(tl.plot.scalars)


def test_server_import_is_light():
    """The dashboard starts fast: no torch, Matplotlib or heavy analysis libraries until needed."""
    heavy = ("torch", "matplotlib", "sklearn", "captum", "umap", "openTSNE", "pandas", "numba")
    code = ("import sys, torchloupe.serve.server, torchloupe.cli; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
