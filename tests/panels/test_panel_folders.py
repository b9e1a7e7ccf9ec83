"""Every Python panel has a TypeScript panel of the same name in its own folder, registered in
web/src/panels/index.ts, and the reverse. A Python panel lives in its own folder too, except the
evaluation panels, which share one (the reason is in docs/architecture.md, Panels)."""

from __future__ import annotations

import re
from pathlib import Path

from torchloupe.panels.registry import PANELS

ROOT = Path(__file__).resolve().parents[2]
WEB_PANELS = ROOT / "web" / "src" / "panels"
PY_PANELS = ROOT / "src" / "torchloupe" / "panels"

# Python folders that hold several panels, each with the panels it holds. One recorded format
# (`run.log_predictions`) feeds all six, with one set of queries and routes.
SHARED_FOLDERS = {
    "predictions": {"confusion", "class-metrics", "curves", "calibration", "examples", "data-map"},
}


def ts_folder(name: str) -> str:
    """The TypeScript folder of the panel called `name` (`model_summary` → `model-summary`)."""
    return name.replace("_", "-")


def py_folder(panel) -> str:
    """The folder under torchloupe/panels/ that defines the panel (from its router's module)."""
    parts = panel.router.__module__.split(".")
    assert parts[:2] == ["torchloupe", "panels"] and len(parts) > 2, panel.router.__module__
    return parts[2]


def ts_registry() -> list[str]:
    """The panel folders web/src/panels/index.ts lists, in its order."""
    source = (WEB_PANELS / "index.ts").read_text()
    listed = re.search(r"export const FOLDERS[^=]*= \[(.*?)\];", source, re.S)
    assert listed, "web/src/panels/index.ts lists no FOLDERS"
    return re.findall(r"'([\w-]+)'", listed.group(1))


def ts_name(folder: str) -> str:
    """The `name` of the Panel that web/src/panels/<folder>/index.ts exports."""
    source = (WEB_PANELS / folder / "index.ts").read_text()
    found = re.search(r"export const \w+: Panel = \{.*?\bname: '([^']+)'", source, re.S)
    assert found, f"web/src/panels/{folder}/index.ts exports no Panel with a name"
    return found.group(1)


def test_every_python_panel_has_a_registered_typescript_folder():
    registered = ts_registry()
    for panel in PANELS:
        folder = ts_folder(panel.name)
        assert (WEB_PANELS / folder / "index.ts").is_file(), f"{panel.name}: no web/src/panels/{folder}/index.ts"
        assert folder in registered, f"{panel.name}: web/src/panels/{folder} is not in web/src/panels/index.ts"
        assert ts_name(folder) == panel.name, f"web/src/panels/{folder} is named {ts_name(folder)!r}, not {panel.name!r}"


def test_every_typescript_panel_has_a_python_panel():
    python = {p.name for p in PANELS}
    registered = ts_registry()
    assert len(registered) == len(set(registered)), f"registered twice: {registered}"
    # A folder with an index.ts is a panel; one without is code panels share (evaluation/, insight/).
    folders = sorted(d.name for d in WEB_PANELS.iterdir() if (d / "index.ts").is_file())
    assert sorted(registered) == folders, "web/src/panels/index.ts must list exactly the folders with an index.ts"
    for folder in folders:
        assert ts_name(folder) in python, f"web/src/panels/{folder} ({ts_name(folder)!r}) has no Python panel"
        assert ts_folder(ts_name(folder)) == folder, f"web/src/panels/{folder} should be named after its panel"


def test_every_python_panel_lives_in_its_own_folder_or_a_documented_shared_one():
    for panel in PANELS:
        folder = py_folder(panel)
        if folder in SHARED_FOLDERS:
            assert panel.name in SHARED_FOLDERS[folder], f"{panel.name} joined the shared folder panels/{folder}/"
        else:
            assert folder == panel.name.replace("-", "_"), f"{panel.name} is defined in panels/{folder}/"
    used = {py_folder(p) for p in PANELS}
    packages = {d.name for d in PY_PANELS.iterdir() if (d / "__init__.py").is_file()}
    assert packages <= used, f"panel folders with no registered panel: {sorted(packages - used)}"
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    panels_section = architecture.split("## Panels", 1)[1].split("\n## ", 1)[0]
    for folder in SHARED_FOLDERS.keys() & used:
        assert f"panels/{folder}/" in panels_section, f"docs/architecture.md (Panels) must say why panels/{folder}/ is shared"
