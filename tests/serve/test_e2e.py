"""The dashboard in real headless Chromium (Debian's), against a real server on loopback.

Screenshots land in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

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


def _card(page, tag):
    return page.locator(f'[data-testid=chart-card][data-tag="{tag}"]')


def test_page_lists_runs_and_draws_charts(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    expect(page.get_by_test_id("run-row")).to_have_count(3)
    names = page.get_by_test_id("run-name").all_inner_texts()
    assert {n.strip() for n in names} >= {"calm-lynx-1", "live-otter-3"}
    expect(_card(page, "train/loss")).to_have_attribute("data-series-count", "3")
    test_acc = _card(page, "test/acc")
    expect(test_acc).to_have_attribute("data-series-count", "2")
    expect(test_acc.locator("canvas").first).to_be_attached()
    page.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"), full_page=True)
    assert page_errors == []


def test_xss_run_name_renders_as_text(page, dashboard, page_errors):
    _open(page, dashboard["url"])
    expect(page.get_by_test_id("run-name")).to_have_count(3)
    names = [n.strip() for n in page.get_by_test_id("run-name").all_inner_texts()]
    assert XSS in names
    assert page.locator("img[src=x]").count() == 0
    assert page_errors == []


def test_live_value_appears_within_two_seconds(page, dashboard):
    _open(page, dashboard["url"])
    card = _card(page, "train/acc")
    expect(card).to_have_attribute("data-series-count", "3")
    # "Live" once the server watches the store: a point logged from now on is announced.
    expect(page.get_by_test_id("live-status")).to_have_class(re.compile(r"\bis-live\b"))
    t0 = time.time()
    dashboard["live"].log({"train/acc": 0.999, "train/loss": 0.01}, step=5000)
    expect(card).to_have_attribute("data-last-x", "5000", timeout=5000)
    assert time.time() - t0 < 2.0


def test_dark_theme(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_test_id("theme-toggle").click()
    expect(page.locator("body")).not_to_have_css("background-color", before)
    expect(_card(page, "train/loss")).to_have_attribute("data-theme", "dark")
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
        expect(page.get_by_test_id("error-banner")).to_be_visible()
        _open(page, handle.url)  # ...?token=tok3n
        expect(page.get_by_test_id("run-row")).to_have_count(3)
        ctx.close()
    finally:
        handle.stop()
