"""The dashboard works under its Content-Security-Policy: headless Chromium opens every tab of a
store with data for every panel (and an example's attribution maps) and must see no CSP violation
and no page error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from every_panel import DRAWN, seed
from torchloupe.serve.app import STATIC
from torchloupe.serve.security import PAGE_CSP
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Runs before the page's own script (and outside its policy): records every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""



@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e-csp") / "loupe"
    known = seed(store_dir)
    handle = start(store_dir, port=0)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"url": handle.url, **known}
    handle.stop()


def test_every_tab_works_under_the_content_security_policy(page, dashboard, page_errors):
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(dashboard["url"])
    assert response is not None and response.headers["content-security-policy"] == PAGE_CSP
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    tabs = page.locator("[data-testid^=tab-]")
    keys = [t.get_attribute("data-testid").removeprefix("tab-") for t in tabs.all()]
    assert {"scalars", "evaluation", "projector", "data"} <= set(keys), keys
    assert set(keys) <= set(DRAWN), f"tabs without a drawn state here: {set(keys) - set(DRAWN)}"
    for key in keys:
        page.get_by_test_id(f"tab-{key}").click()
        page.wait_for_function(f"() => location.hash === '#{key}'")
        for selector in DRAWN[key]:
            expect(page.locator(selector).first).to_be_attached()
        page.screenshot(path=str(ARTIFACTS / f"csp-{key}.png"))
    # Images and the attribution maps come from the API: open one example.
    page.get_by_test_id("tab-evaluation").click()
    page.locator("[data-testid=examples-body][data-state=ready] [data-testid=example-card]").first.click()
    viewer = page.get_by_test_id("example-viewer")
    expect(viewer).to_have_attribute("data-state", "ready", timeout=60_000)  # every map loaded or failed
    expect(viewer.locator("[data-testid=attribution-img][data-method=saliency]")).to_have_attribute("data-loaded", "1")
    violations = page.evaluate("() => window.__cspViolations")
    assert violations == []
    assert not [m for m in console if "Content Security Policy" in m or "Refused to" in m], console
    assert page_errors == []
