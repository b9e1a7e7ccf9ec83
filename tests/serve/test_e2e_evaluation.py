"""The evaluation panels in headless Chromium: a click on a confusion cell shows exactly its
examples, a click on an example shows its attribution maps; compare, sort, themes, phone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import torchloupe as tl
from torchloupe.demo.model import DemoCNN
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NAMES = ["bar", "slash", "ring", "cross", "dot"]
N = 150


def _images(labels: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
    """28x28 shapes, one per class, with noise: something a person can recognise in a thumbnail."""
    yy, xx = np.mgrid[0:28, 0:28]
    shapes = [
        (np.abs(xx - 14) < 3),
        (np.abs(xx - yy) < 3),
        (np.abs(np.hypot(xx - 14, yy - 14) - 8) < 2),
        (np.abs(xx - 14) < 2) | (np.abs(yy - 14) < 2),
        (np.hypot(xx - 14, yy - 14) < 5),
    ]
    out = np.stack([shapes[k].astype(np.float32) for k in labels])
    out += rng.normal(0, 0.15, out.shape).astype(np.float32)
    return torch.from_numpy(out[:, None])


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e-eval") / "loupe"
    rng = np.random.default_rng(0)
    true = rng.integers(0, 5, N)
    labels = true.copy()
    labels[[4, 9, 17]] = (true[[4, 9, 17]] + 2) % 5
    images = _images(true, rng)
    ids = [f"img-{i:03d}" for i in range(N)]
    for name, skill in (("sharp-heron-1", 3.0), ("vague-ibex-2", 1.2)):
        with tl.init("eval", name=name, dir=store_dir) as run:
            for epoch in range(4):
                logits = rng.normal(size=(N, 5)) + skill * (epoch + 1) / 4 * np.eye(5)[true] * 2
                run.log({"test/acc": float((logits.argmax(1) == labels).mean())}, step=epoch * 10)
                run.log_predictions(labels, logits, "test", step=epoch * 10, class_names=NAMES,
                                    inputs=images, ids=ids)
            run.save_checkpoint(DemoCNN(num_classes=5, channels=(4, 8, 8)),
                                init_kwargs={"num_classes": 5, "channels": [4, 8, 8]})
    handle = start(store_dir, port=0)
    ARTIFACTS.mkdir(exist_ok=True)
    yield {"url": handle.url, "dir": store_dir}
    handle.stop()



def _open(page, url):
    page.goto(url + "#evaluation")
    page.wait_for_selector("[data-testid=cm-cell]", timeout=15000)


def test_confusion_cell_opens_its_examples_and_attributions(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    page.select_option("[data-testid=panel-confusion] [data-testid=eval-run]", label="sharp-heron-1")
    cells = page.locator("[data-testid=panel-confusion] [data-testid=cm-cell]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=panel-confusion] [data-testid=cm-cell]').length === 25")
    off = [c for c in cells.all() if c.get_attribute("data-target") != c.get_attribute("data-predicted")
           and int(c.get_attribute("data-count")) > 0]
    assert off, "expected some confusion"
    cell = off[0]
    target, predicted, count = (cell.get_attribute(k) for k in ("data-target", "data-predicted", "data-count"))
    page.screenshot(path=str(ARTIFACTS / "evaluation-confusion.png"), full_page=False)
    cell.click()
    chip = page.locator("[data-testid=panel-examples] [data-testid=cell-filter]")
    chip.wait_for(timeout=10000)
    assert f"true {NAMES[int(target)]} → predicted {NAMES[int(predicted)]}" in chip.inner_text()
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=panel-examples] [data-testid=example-card]').length === {count}")
    cards = page.locator("[data-testid=panel-examples] [data-testid=example-card]")
    assert {(c.get_attribute("data-target"), c.get_attribute("data-predicted")) for c in cards.all()} == {(target, predicted)}
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=panel-examples] img.ev-thumb')].every(i => i.complete && i.naturalWidth === 28)")
    page.locator("[data-testid=panel-examples]").screenshot(path=str(ARTIFACTS / "evaluation-cell-examples.png"))
    first_id = cards.first.get_attribute("data-id")
    cards.first.click()
    viewer = page.locator("[data-testid=example-viewer]")
    viewer.wait_for(timeout=5000)
    assert viewer.get_attribute("data-id") == first_id
    page.wait_for_selector("[data-testid=attribution-img][data-method=gradcam][data-loaded='1']", timeout=30000)
    page.wait_for_selector("[data-testid=attribution-img][data-method=saliency][data-loaded='1']", timeout=30000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "evaluation-attribution.png"))
    page.get_by_test_id("viewer-close").click()
    assert page.locator("[data-testid=example-viewer]").count() == 0
    assert page_errors == []


def test_metrics_sort_curves_compare_and_data_map(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    metrics = page.locator("[data-testid=panel-class-metrics]")
    metrics.get_by_test_id("sort-precision").click()
    page.wait_for_timeout(200)
    values = [float(r.locator("td").nth(1).inner_text().split()[-1]) for r in metrics.get_by_test_id("metrics-row").all()]
    assert values == sorted(values, reverse=True) and len(values) == 5
    curves = page.locator("[data-testid=panel-curves]")
    assert curves.locator("polyline.ev-line").count() == 10
    curves.get_by_test_id("curve-legend-item").first.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=panel-curves] polyline.ev-line').length === 8")
    conf = page.locator("[data-testid=panel-confusion]")
    runs = [o.get_attribute("value") for o in conf.locator("[data-testid=eval-compare] option").all() if o.get_attribute("value")]
    conf.locator("[data-testid=eval-compare]").select_option(runs[0])
    page.wait_for_function("() => document.querySelectorAll('[data-testid=panel-confusion] .eval-col').length === 2")
    step = conf.get_by_test_id("eval-step")
    step.fill("0")
    page.wait_for_function("() => document.querySelector('[data-testid=panel-confusion] [data-testid=eval-step-label]').textContent === '0'")
    conf.screenshot(path=str(ARTIFACTS / "evaluation-compare.png"))
    dm = page.locator("[data-testid=panel-data-map]")
    dm.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=panel-data-map] [data-testid=data-map-point]').length === 150")
    top = [r.get_attribute("data-id") for r in dm.get_by_test_id("suspect-row").all()[:3]]
    assert set(top) == {"img-004", "img-009", "img-017"}
    dm.screenshot(path=str(ARTIFACTS / "evaluation-data-map.png"))
    dm.locator("[data-testid=data-map-point][data-id=img-009]").click(force=True)
    page.get_by_test_id("example-viewer").wait_for(timeout=5000)
    assert page.get_by_test_id("example-viewer").get_attribute("data-id") == "img-009"
    page.get_by_test_id("viewer-close").click()
    page.locator("[data-testid=panel-calibration]").screenshot(path=str(ARTIFACTS / "evaluation-calibration.png"))
    page.screenshot(path=str(ARTIFACTS / "evaluation-full.png"), full_page=True)
    assert page_errors == []


def test_dark_and_phone(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    page.get_by_test_id("theme-toggle").click()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "evaluation-dark.png"), full_page=True)
    page.get_by_test_id("theme-toggle").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "evaluation-phone.png"), full_page=False)


def test_untrusted_checkpoint_shows_why_no_map(page, tmp_path, page_errors):
    """A checkpoint naming a class the server may not import: the viewer says so and how to fix it."""
    import io

    store_dir = tmp_path / "loupe"
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 5, 20)
    with tl.init("eval", name="foreign-model", dir=store_dir) as run:
        run.log_predictions(labels, rng.normal(size=(20, 5)), "test", step=0, class_names=NAMES,
                            inputs=_images(labels, rng), ids=[f"f{i}" for i in range(20)])

        def encode(arrays):
            buf = io.BytesIO()
            torch.save({k: torch.from_numpy(np.array(a)) for k, a in arrays.items()}, buf)
            return buf.getvalue(), "pt"

        run.record("checkpoint", "model", DemoCNN(num_classes=5).state_dict(), step=0, encode=encode,
                   meta={"module": "someones_code.models", "qualname": "Net", "init_kwargs": None})
    handle = start(store_dir, port=0)
    try:
        page.goto(handle.url + "#evaluation")
        card = page.locator("[data-testid=panel-examples] [data-testid=example-card]").first
        card.wait_for(timeout=15000)
        card.click()
        status = page.locator("[data-testid=attribution-status]").first
        page.wait_for_function(
            "() => document.querySelector('[data-testid=attribution-status]')?.textContent.includes('register')",
            timeout=15000)
        text = status.inner_text()
        assert "someones_code.models.Net is not registered" in text and "--trust-module" in text
    finally:
        handle.stop()
    assert page_errors == []
