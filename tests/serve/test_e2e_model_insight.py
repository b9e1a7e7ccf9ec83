"""The model-insight panels in headless Chromium: diagnostics banner, graph (ResNet-50 sized),
summary, histograms, gradient flow and activations. Screenshots in ``test-artifacts/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from insight_models import seed_store
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("insight-e2e") / "loupe"
    ids = seed_store(store_dir)
    handle = start(store_dir, port=0)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"url": handle.url, "ids": ids}
    handle.stop()



def _open(page, url, tab=""):
    page.goto(url + tab)
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=15000)


def test_diagnostics_banner_and_list(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 800})
    _open(page, dashboard["url"])
    banner = page.get_by_test_id("diagnostics-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-severity", "warning")
    assert "dead" in page.get_by_test_id("diagnostics-text").inner_text().lower() or \
        "weights barely move" in page.get_by_test_id("diagnostics-text").inner_text()
    page.get_by_test_id("diagnostics-toggle").click()
    expect(page.get_by_test_id("diagnostics-list")).to_be_visible()
    kinds = {el.get_attribute("data-kind") for el in page.get_by_test_id("diagnostics-item").all()}
    assert {"dead_relu", "update_ratio_low"} <= kinds
    page.screenshot(path=str(ARTIFACTS / "insight-diagnostics.png"))
    # Only the healthy run selected: no banner.
    rows = page.get_by_test_id("run-row")
    dead_row = page.locator(f'[data-testid=run-row][data-run-id="{dashboard["ids"]["dead"]}"]')
    dead_row.get_by_test_id("run-select").click()
    page.wait_for_function("() => document.querySelector('[data-testid=panel-diagnostics]').hidden", timeout=5000)
    assert rows.count() == 2
    assert page_errors == []


def test_model_graph_resnet50(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1360, "height": 900})
    _open(page, dashboard["url"], "#model")
    summary = page.get_by_test_id("summary-table")
    summary.first.wait_for(timeout=10000)
    assert page.get_by_test_id("summary-row").count() >= 5
    page.get_by_test_id("graph-run").select_option(dashboard["ids"]["healthy"])
    page.get_by_test_id("graph-model").select_option("ResNet50")
    page.wait_for_function("() => document.querySelector('[data-node=\"group:layer4\"]')"
                           " && document.querySelector('[data-node=\"group:layer1\"]')", timeout=10000)
    top = int(page.get_by_test_id("graph-svg").get_attribute("data-nodes"))
    assert 8 <= top <= 14  # stem, four stages folded, head
    page.locator('[data-node="group:layer1"]').click()
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=graph-svg]').dataset.nodes) > {top}")
    page.locator('[data-node="group:layer1"]').wait_for(state="detached")
    page.locator('[data-node="group:layer2"]').hover()
    expect(page.get_by_test_id("graph-tip")).to_contain_text("params")
    page.screenshot(path=str(ARTIFACTS / "insight-graph.png"), full_page=True)
    page.get_by_test_id("graph-expand-all").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=graph-svg]').dataset.nodes) > 150", timeout=10000)
    took = page.get_by_test_id("graph-info").inner_text()
    assert int(took.rsplit("·", 1)[1].strip().split()[0]) < 3000, took
    page.get_by_test_id("graph-collapse-all").click()
    page.get_by_test_id("graph-search").fill("downsample")
    page.wait_for_function("() => document.querySelectorAll('.graph-node.is-match').length >= 4", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "insight-graph-search.png"), full_page=True)
    assert page_errors == []


def test_training_health_panels(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"], "#training-health")
    for what in ("hist", "gradflow", "act"):
        page.get_by_test_id(f"{what}-run").select_option(dashboard["ids"]["healthy"])
    page.wait_for_function("() => document.querySelector('[data-testid=hist-ridges]')?.closest('.insight-grid')?.dataset.steps === '8'", timeout=10000)
    page.wait_for_function("() => Number(document.querySelector('[data-testid=gradflow-canvas]')?.closest('figure')?.dataset.layers) > 10", timeout=10000)
    page.wait_for_function("() => Number(document.querySelector('[data-testid=act-canvas]')?.closest('figure')?.dataset.layers) > 10", timeout=10000)
    page.get_by_test_id("hist-which").select_option("gradients")
    expect(page.locator(".insight-grid:has([data-testid=hist-ridges])")).to_have_attribute("data-which", "gradients")
    page.screenshot(path=str(ARTIFACTS / "insight-training-health.png"), full_page=True)
    page.locator("[data-testid=theme-toggle]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")  # the canvases redraw at once
    page.screenshot(path=str(ARTIFACTS / "insight-training-health-dark.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    # Each chart is redrawn to its card's new width (a ResizeObserver): wait until every one fits.
    page.wait_for_function(
        "() => window.innerWidth === 390 && [...document.querySelectorAll('.insight-card canvas')]"
        ".every(c => c.getBoundingClientRect().right <= window.innerWidth)")
    page.screenshot(path=str(ARTIFACTS / "insight-training-health-phone.png"), full_page=True)
    page.locator("[data-testid=theme-toggle]").click()
    assert page_errors == []
