"""The projector by keyboard alone, in headless Chromium: every control is reached with Tab and
works with Enter, Space or arrows, and the scatter has a name and takes keys."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from playwright.sync_api import expect

import torchloupe as tl
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

N = 300


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e-projector-keys") / "loupe"
    rng = np.random.default_rng(1)
    labels = np.arange(N) % 3
    with tl.init("keys", name="keys-run", dir=store_dir) as run:
        for step in (0, 1):
            x = np.eye(3, 8)[labels] * 6 + rng.normal(0, 1, (N, 8))
            run.log_embedding("penultimate", torch.from_numpy(x.astype(np.float32)), labels=torch.from_numpy(labels),
                              images=torch.rand(N, 1, 8, 8) if step == 0 else None,
                              metadata={"source": np.where(np.arange(N) % 2 == 0, "scan", "photo")}, step=step,
                              class_names=["bar", "ring", "cross"])
    handle = start(store_dir, port=0)
    yield handle.url
    handle.stop()


def _ready(page, url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url + "#projector")
    stage = page.get_by_test_id("projector-stage")
    expect(stage).to_have_attribute("data-state", "ready")
    return stage


def _focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement;"
                         " return e.dataset.testid || e.getAttribute('role') || e.tagName.toLowerCase(); }")


def test_tab_reaches_every_control(page, url, page_errors):
    _ready(page, url)
    page.get_by_test_id("projector-run").focus()
    seen = []
    for _ in range(30):
        seen.append(_focused(page))
        page.keyboard.press("Tab")
    for name in ("projector-run", "projector-tag", "projector-method-pca", "projector-method-tsne", "projector-method-umap",
                 "projector-dims-2", "projector-dims-3", "projector-color", "projector-search", "projector-step",
                 "projector-mode-pan", "projector-mode-lasso", "projector-mode-box", "legend-item", "img"):
        assert name in seen, (name, seen)
    assert page_errors == []


def test_scatter_is_named_and_takes_keys(page, url, page_errors):
    _ready(page, url)
    scatter = page.get_by_role("img", name=re.compile(r"Embedding scatter of 300 points, PCA 2-D at step 1, coloured by label"))
    expect(scatter).to_have_count(1)
    hint = scatter.get_attribute("aria-describedby")
    assert hint and "Keyboard" in page.locator(f"#{hint}").inner_text()
    scatter.focus()
    center = page.evaluate("() => { const c = document.querySelector('[data-testid=projector-canvas]');"
                           " return [c.clientWidth / 2, c.clientHeight / 2]; }")

    def spread() -> float:
        x, y = page.evaluate("window.__loupeProjector.screenOf(0)")
        return abs(x - center[0]) + abs(y - center[1])

    before = spread()
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_function(f"() => {{ const [x, y] = window.__loupeProjector.screenOf(0);"
                           f" return Math.abs(x - {center[0]}) + Math.abs(y - {center[1]}) > {before} * 1.2; }}")
    page.keyboard.press("0")
    assert spread() == pytest.approx(before, abs=0.5)
    x0 = page.evaluate("window.__loupeProjector.screenOf(0)")[0]
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.__loupeProjector.screenOf(0)")[0] > x0
    assert page_errors == []


def test_switches_search_gallery_and_neighbours_by_keyboard(page, url, page_errors):
    stage = _ready(page, url)
    page.get_by_test_id("projector-dims-3").focus()
    page.keyboard.press("Enter")
    expect(stage).to_have_attribute("data-dims", "3")
    expect(page.get_by_test_id("projector-dims-3")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("projector-dims-2").focus()
    page.keyboard.press("Space")
    expect(stage).to_have_attribute("data-dims", "2")
    expect(stage).to_have_attribute("data-state", "ready")

    page.get_by_test_id("projector-step").focus()
    page.keyboard.press("ArrowLeft")
    expect(stage).to_have_attribute("data-step", "0")

    page.get_by_test_id("legend-item").nth(1).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("gallery-title")).to_have_text(re.compile(r"^100 selected · label = ring"))

    page.get_by_test_id("projector-search").focus()
    page.keyboard.type("id:7")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("gallery-title")).to_have_text(re.compile(r"^1 selected"))
    page.keyboard.press("Tab")
    page.get_by_test_id("gallery-item").first.focus()
    page.keyboard.press("Enter")
    details = page.get_by_test_id("point-details")
    expect(details).to_be_visible()
    expect(details).to_have_attribute("data-index", "7")
    page.get_by_test_id("neighbors-btn").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("gallery-title")).to_contain_text("nearest neighbours of id 7")
    neighbour = page.get_by_test_id("gallery-item").nth(1)
    index = neighbour.get_attribute("data-index")
    neighbour.focus()
    page.keyboard.press("Enter")
    expect(details).to_have_attribute("data-index", index)
    page.get_by_role("button", name="Close the details").focus()
    page.keyboard.press("Enter")
    expect(details).to_be_hidden()
    assert page_errors == []
