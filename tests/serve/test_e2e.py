"""The dashboard in real headless Chromium (Debian's), against a real server on loopback.

Screenshots land in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

import torchloupe as tl
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(),
                       reason="the page is not built (make web)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e") / "loupe"
    for name, lr in (("calm-lynx-1", 0.1), (XSS, 0.01)):
        with tl.init("mnist", name=name, config={"lr": lr, "batch_size": 64}, dir=store_dir) as run:
            for i in range(3000):
                run.log({"train/loss": 2 * math.exp(-i / (800 / lr ** 0.1)) + 0.05 * math.sin(i / 7),
                         "train/acc": 1 - math.exp(-i / 500)}, step=i)
            for e in range(5):
                run.log({"test/acc": 0.8 + e / 30}, step=600 * e)
            run.log({"train/loss": float("nan")}, step=1500)
            run.summary["best_acc"] = 0.93
    live = tl.init("mnist", name="live-otter-3", config={"lr": 0.05}, dir=store_dir, flush_interval=0.05)
    for i in range(100):
        live.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 100}, step=i)
    handle = start(store_dir, port=0)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"url": handle.url, "live": live, "dir": store_dir}
    handle.stop()
    live.finish()



def _open(page, url):
    page.goto(url)
    page.wait_for_function("() => window.__loupe && window.__loupe.firstChartDrawnAt !== null", timeout=15000)


def test_page_lists_runs_and_draws_charts(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    rows = page.get_by_test_id("run-row")
    assert rows.count() == 3
    names = page.get_by_test_id("run-name").all_inner_texts()
    assert {n.strip() for n in names} >= {"calm-lynx-1", "live-otter-3"}
    card = page.locator('[data-testid=chart-card][data-tag="train/loss"]')
    page.wait_for_function(
        "() => document.querySelector('[data-testid=chart-card][data-tag=\"train/loss\"]')"
        ".dataset.seriesCount === '3'", timeout=10000)
    assert card.get_attribute("data-series-count") == "3"
    test_acc = page.locator('[data-testid=chart-card][data-tag="test/acc"]')
    page.wait_for_function(
        "() => document.querySelector('[data-testid=chart-card][data-tag=\"test/acc\"]')"
        ".dataset.seriesCount === '2'", timeout=10000)
    assert test_acc.locator("canvas").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"), full_page=True)
    assert page_errors == []


def test_xss_run_name_renders_as_text(page, dashboard, page_errors):
    _open(page, dashboard["url"])
    names = [n.strip() for n in page.get_by_test_id("run-name").all_inner_texts()]
    assert XSS in names
    assert page.locator("img[src=x]").count() == 0
    assert page_errors == []


def test_live_value_appears_within_two_seconds(page, dashboard):
    _open(page, dashboard["url"])
    sel = "[data-testid=chart-card][data-tag=\"train/acc\"]"
    page.wait_for_function(f"() => document.querySelector('{sel}').dataset.seriesCount === '3'", timeout=10000)
    time.sleep(0.5)  # the stream is connected and the first data drawn
    t0 = time.time()
    dashboard["live"].log({"train/acc": 0.999, "train/loss": 0.01}, step=5000)
    page.wait_for_function(f"() => Number(document.querySelector('{sel}').dataset.lastX) >= 5000", timeout=5000)
    assert time.time() - t0 < 2.0


def test_dark_theme(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_test_id("theme-toggle").click()
    page.wait_for_timeout(300)
    after = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert before != after
    page.screenshot(path=str(ARTIFACTS / "dashboard-dark.png"))


def test_phone_layout_has_no_horizontal_overflow(page, dashboard):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, dashboard["url"])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    width = page.locator("[data-testid=chart-card]").first.bounding_box()["width"]
    assert width <= 390
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=False)


def test_token_protected_dashboard(browser, dashboard):
    handle = start(dashboard["dir"], port=0, token="tok3n")
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(handle.url.split("?")[0])
        page.get_by_test_id("error-banner").wait_for(state="visible", timeout=10000)
        page.goto(handle.url)  # ...?token=tok3n
        page.wait_for_function("() => window.__loupe && window.__loupe.firstChartDrawnAt !== null", timeout=15000)
        assert page.get_by_test_id("run-row").count() == 3
        ctx.close()
    finally:
        handle.stop()
