"""Every panel, in every tab, in headless Chromium against an empty run and a run with data for every
panel, in both themes: no page error, no console error and no serious or critical accessibility
violation found by axe-core (injected from web/node_modules, pinned in web/package.json)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import torchloupe as tl
from every_panel import DRAWN, seed
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (cd web && npm ci)"),
]

# A tab has settled when nothing in it is loading any more.
LOADING = "main [data-state=loading], main [aria-busy=true]"
SEVERE = ("serious", "critical")


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Two servers: one over a run that logged nothing, one over runs with data for every panel."""
    root = tmp_path_factory.mktemp("e2e-a11y")
    with tl.init("empty", name="nothing yet", dir=root / "empty"):
        pass
    seed(root / "full")
    handles = {kind: start(root / kind, port=0) for kind in ("empty", "full")}
    yield {kind: h.url for kind, h in handles.items()}
    for h in handles.values():
        h.stop()


def watch_errors(page) -> list[str]:
    """Collects uncaught page errors, console errors and failed requests from now on (Chromium
    logs each failed request as a console error too; those are told by their response)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {urlsplit(r.url).path}") if r.status >= 400 else None)
    return errors


def open_page(browser, url: str, theme: str):
    """A page in `theme`, its Content-Security-Policy bypassed so that axe can be injected."""
    context = browser.new_context(bypass_csp=True, color_scheme=theme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(url)
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    return page, errors


def tab_keys(page) -> list[str]:
    """The keys of the tabs shown."""
    return [t.get_attribute("data-testid").removeprefix("tab-") for t in page.locator("[data-testid^=tab-]:not([hidden])").all()]


def show_tab(page, key: str, drawn: bool) -> None:
    """Opens a tab and waits until its panels have drawn (`drawn`) or at least stopped loading."""
    page.get_by_test_id(f"tab-{key}").click()
    page.wait_for_function(f"() => location.hash === '#{key}'")
    if drawn:
        for selector in DRAWN[key]:
            expect(page.locator(selector).first).to_be_attached()
    expect(page.locator(LOADING)).to_have_count(0)


def axe_violations(page) -> list[str]:
    """The serious and critical violations axe-core finds in the page as shown, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact,
            nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\\n').slice(1, 2).join('')}`) }));
    }""")
    return [f"{v['impact']} {v['id']}: {node}" for v in found if v["impact"] in SEVERE for node in v["nodes"]]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["empty", "full"])
def test_every_tab_is_accessible_and_error_free(browser, stores, kind, theme):
    page, errors = open_page(browser, stores[kind], theme)
    listed = page.request.get(f"{stores[kind]}api/v1/panels").json()["panels"]
    says = any("has_data" in p for p in listed)
    keys = tab_keys(page)
    assert set(keys) <= set(DRAWN), f"tabs without a drawn state here: {set(keys) - set(DRAWN)}"
    if kind == "full":
        assert set(keys) == set(DRAWN), keys
    elif says:
        # A server that tells which panels have data: an empty run shows no tab, only the runs table.
        assert keys == [], keys
        expect(page.get_by_test_id("no-data")).to_be_visible()
    # A server that does not say shows every tab, and the model graph's route answers 404 for a run
    # that logged no graph (the panel then says so).
    expected = {"HTTP 404 /api/v1/model/graph"} if kind == "empty" and not says else set()
    problems: list[str] = []
    for key in keys:
        show_tab(page, key, drawn=kind == "full")
        # What sits above the tabs is seen again in every tab: each violation is told once.
        problems += [f"[{key}] {p}" for p in axe_violations(page) if not any(p in q for q in problems)]
    page.context.close()
    assert [e for e in errors if e not in expected] == []
    assert not problems, "\n".join(problems)
