"""The data panel and the projector in headless Chromium (WebGL through SwiftShader).

Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from playwright.sync_api import expect

import torchloupe as tl
from shapes_data import DUPLICATE_OF, MISLABELLED, Shapes, pattern
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
N = 3000


def embedding(step: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(N) % 3
    spread = 0.5 + 2.0 * step
    centers = np.random.default_rng(7).normal(0, 1, (3, 32)) * spread
    return (centers[labels] + rng.normal(0, 1, (N, 32))).astype(np.float32), labels


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e-data") / "loupe"
    rng = np.random.default_rng(0)
    with tl.init("shapes", name="shapes-run", dir=store_dir) as run:
        run.log({"train/loss": 1.0}, step=0)
        train = Shapes(300, 0, plant=True)
        run.log_dataset(train, "train", progress=False)
        run.log_dataset(Shapes(200, 1, weights=(2, 1, 1)), "test", max_samples=150, progress=False)
        labels = np.arange(N) % 3
        images = torch.from_numpy(np.stack([pattern(int(k), rng, 28) for k in labels]))
        meta = {"source": np.where(np.arange(N) % 2 == 0, "scan", "photo"), "brightness": rng.random(N)}
        for step in range(3):
            x, y = embedding(step, rng)
            run.log_embedding("penultimate", torch.from_numpy(x), labels=torch.from_numpy(y),
                              images=images if step == 0 else None, metadata=meta, step=step,
                              class_names=["bar", "ring", "cross"])
        pred = labels.copy()
        pred[:200] = (pred[:200] + 1) % 3
        run.record("predictions", "test", {"ids": np.arange(N), "targets": labels, "predicted": pred}, step=2)
    handle = start(store_dir, port=0)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"url": handle.url, "dir": store_dir, "train_n": len(train)}
    handle.stop()



def _projector(page, url):
    """The projector tab, its points drawn and its stage in view."""
    page.goto(url + "#projector")
    stage = page.get_by_test_id("projector-stage")
    expect(stage).to_have_attribute("data-state", "ready", timeout=20000)
    stage.evaluate("e => e.scrollIntoView({block: 'end'})")
    expect(stage).to_be_in_viewport()
    return page.get_by_test_id("projector-canvas")


def _drawn(page, **shows):
    """Waits until the stage has drawn what ``shows`` says (data-step, data-method, data-dims)."""
    stage = page.get_by_test_id("projector-stage")
    for name, value in shows.items():
        expect(stage).to_have_attribute(f"data-{name}", str(value))
    expect(stage).to_have_attribute("data-state", "ready")


def _drawn_pixels(page) -> int:
    """Non-transparent pixels of the WebGL canvas (drawn points)."""
    return page.evaluate("""() => {
      const c = document.querySelector('[data-testid=projector-canvas]');
      const g = document.createElement('canvas'); g.width = c.width; g.height = c.height;
      const x = g.getContext('2d'); x.drawImage(c, 0, 0);
      const d = x.getImageData(0, 0, g.width, g.height).data; let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n; }""")


def test_data_panel_surfaces_planted_problems(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(dashboard["url"] + "#data")
    expect(page.get_by_test_id("balance-row")).to_have_count(3)
    note = page.get_by_test_id("data-sampling-note").inner_text()
    assert "random 150 of 200" in note
    dup = page.locator("[data-testid=duplicate-item]").first
    assert dup.get_attribute("data-index") == f"{DUPLICATE_OF},{dashboard['train_n'] - 1}"
    mis = page.locator("[data-testid=mislabelled-item]").first
    assert mis.get_attribute("data-index") == str(MISLABELLED)
    assert "neighbours say bar" in mis.inner_text()
    page.screenshot(path=str(ARTIFACTS / "data-panel.png"), full_page=True)
    page.locator("[data-testid=balance-row][data-class='1']").click()
    detail = page.get_by_test_id("class-samples")
    expect(detail).to_have_attribute("data-class", "1")
    assert detail.get_by_test_id("sample-thumb").count() >= 20
    detail.screenshot(path=str(ARTIFACTS / "data-class-samples.png"))
    assert page_errors == []


def test_projection_drawn_and_hover_thumbnail(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    canvas = _projector(page, dashboard["url"])
    assert canvas.get_attribute("data-points") == str(N)
    assert _drawn_pixels(page) > 2000
    assert page.get_by_test_id("legend-item").count() == 3
    x, y = page.evaluate("window.__loupeProjector.screenOf(0)")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = page.get_by_test_id("projector-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=projector-thumb]');"
        " return i && i.complete && i.naturalWidth > 0; }", timeout=5000)
    page.wait_for_function("() => document.querySelector('[data-testid=projector-tooltip]').innerText.includes('label')",
                           timeout=5000)
    assert "bar" in tip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "projector-hover.png"))
    assert page_errors == []


def test_lasso_and_box_open_a_gallery(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    canvas = _projector(page, dashboard["url"])
    box = canvas.bounding_box()
    cx, cy = page.evaluate("window.__loupeProjector.screenOf(0)")
    page.get_by_test_id("projector-mode-lasso").click()
    page.mouse.move(box["x"] + cx - 60, box["y"] + cy - 60)
    page.mouse.down()
    for dx, dy in ((60, -70), (70, 0), (60, 70), (0, 70), (-60, 60)):
        page.mouse.move(box["x"] + cx + dx, box["y"] + cy + dy, steps=3)
    page.mouse.up()
    gallery = page.get_by_test_id("projector-gallery")
    page.wait_for_selector("[data-testid=gallery-item]", timeout=5000)
    assert "selected" in page.get_by_test_id("gallery-title").inner_text()
    assert gallery.get_by_test_id("gallery-item").count() > 10
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=gallery-item] img')].slice(0, 5)"
        ".every(i => i.complete && i.naturalWidth > 0)", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "projector-lasso.png"))
    # Box selection over the whole stage selects every point.
    page.get_by_test_id("projector-mode-box").click()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2, steps=4)
    page.mouse.up()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=gallery-title]').innerText.startsWith('{N:,}')", timeout=5000)
    # A gallery example shows its details, neighbours and the link to its prediction.
    gallery.get_by_test_id("gallery-item").first.click()
    details = page.get_by_test_id("point-details")
    details.wait_for(state="visible", timeout=5000)
    page.get_by_test_id("neighbors-btn").wait_for(timeout=5000)
    page.get_by_test_id("neighbors-btn").click()
    page.wait_for_function("() => document.querySelector('[data-testid=gallery-title]').innerText.includes('nearest')",
                           timeout=5000)
    expect(page.get_by_test_id("open-prediction")).to_have_count(1)
    assert page_errors == []


def test_correctness_3d_step_slider_and_dark_theme(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _projector(page, dashboard["url"])
    page.select_option("[data-testid=projector-color]", "correct")
    page.wait_for_function("() => document.querySelector('[data-testid=projector-legend]').innerText.includes('wrong')",
                           timeout=5000)
    page.get_by_test_id("projector-dims-3").click()
    _drawn(page, dims=3)
    page.get_by_test_id("theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.screenshot(path=str(ARTIFACTS / "projector-3d-dark.png"))
    page.get_by_test_id("projector-search").fill("id:7")
    page.get_by_test_id("projector-search").press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=gallery-title]')?.innerText.startsWith('1 selected')",
                           timeout=5000)
    step = page.get_by_test_id("projector-step")
    step.evaluate("e => { e.value = '0'; e.dispatchEvent(new Event('input')); }")
    expect(page.locator(".pj-step-label")).to_have_text("0")
    _drawn(page, step=0, dims=3)
    assert _drawn_pixels(page) > 1000
    page.get_by_test_id("theme-toggle").click()
    assert page_errors == []


def test_phone_layout(page, dashboard, page_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    _projector(page, dashboard["url"])
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "projector-phone.png"))
    page.goto(dashboard["url"] + "#data")
    expect(page.get_by_test_id("balance-row")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "data-phone.png"))
    assert page_errors == []


def test_tsne_progress_then_drawn(page, dashboard, page_errors, monkeypatch):
    import time

    from torchloupe.analyze import embeddings

    def slow_tsne(x, dims=2, perplexity=30.0, progress=None, **kw):  # the real one: tests/analyze
        for i in range(12):
            progress(i / 12, f"iteration {i * 60} of 750")
            time.sleep(0.25)
        return embeddings.pca(x, dims)

    monkeypatch.setattr(embeddings, "tsne", slow_tsne)
    page.set_viewport_size({"width": 1280, "height": 900})
    _projector(page, dashboard["url"])
    page.get_by_test_id("projector-method-tsne").click()
    page.wait_for_function(
        "() => { const p = document.querySelector('[data-testid=projector-progress]');"
        " return p && !p.parentElement.hidden && p.dataset.state === 'running'; }", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "projector-tsne-progress.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 400})
    expect(page.get_by_test_id("projector-stage")).to_have_attribute("data-method", "tsne", timeout=20000)
    _drawn(page, method="tsne")
    assert _drawn_pixels(page) > 1000
    assert page_errors == []
