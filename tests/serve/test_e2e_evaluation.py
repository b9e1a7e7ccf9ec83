"""The evaluation panels in headless Chromium: a click on a confusion cell shows exactly its
examples, a click on an example shows its attribution maps; compare, sort, themes, phone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from playwright.sync_api import expect

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
PANELS = ("confusion", "class-metrics", "curves", "calibration", "examples", "data-map")
METHODS = ("gradcam", "saliency", "integrated_gradients", "occlusion")


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
    """The evaluation tab with every panel drawn for its selection."""
    page.goto(url + "#evaluation")
    for name in PANELS:
        expect(page.get_by_test_id(f"{name}-body")).to_have_attribute("data-state", "ready")


def _drawn(page, panel, runs=None):
    """The panel's body once it shows its current selection (of ``runs``, a comma-joined list of ids)."""
    only = f"[data-runs='{runs}']" if runs else ""
    return page.locator(f"[data-testid={panel}-body][data-state=ready]{only}")


def test_confusion_cell_opens_its_examples_and_attributions(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    run_select = page.get_by_test_id("panel-confusion").get_by_test_id("eval-run")
    run_select.select_option(label="sharp-heron-1")
    run = run_select.input_value()
    cells = _drawn(page, "confusion", run).get_by_test_id("cm-cell")
    expect(cells).to_have_count(25)
    off = cells.evaluate_all("cs => cs.map(c => c.dataset)"
                             ".filter(d => d.target !== d.predicted && Number(d.count) > 0)"
                             ".map(d => [d.target, d.predicted, d.count])")
    assert off, "expected some confusion"
    target, predicted, count = off[0]
    page.screenshot(path=str(ARTIFACTS / "evaluation-confusion.png"), full_page=False)
    _drawn(page, "confusion", run).locator(
        f"[data-testid=cm-cell][data-target='{target}'][data-predicted='{predicted}']").click()
    examples = _drawn(page, "examples", run)
    expect(examples.get_by_test_id("cell-filter")).to_contain_text(
        f"true {NAMES[int(target)]} → predicted {NAMES[int(predicted)]}")
    cards = examples.get_by_test_id("example-card")
    expect(cards).to_have_count(int(count))
    shown = cards.evaluate_all("cs => cs.map(c => [c.dataset.target, c.dataset.predicted])")
    assert {tuple(x) for x in shown} == {(target, predicted)}
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=examples-body] img.ev-thumb')].every(i => i.complete && i.naturalWidth === 28)")
    page.get_by_test_id("panel-examples").screenshot(path=str(ARTIFACTS / "evaluation-cell-examples.png"))
    first_id = cards.first.get_attribute("data-id")
    cards.first.click()
    viewer = page.get_by_test_id("example-viewer")
    expect(viewer).to_have_attribute("data-id", first_id)
    # Every map has loaded or failed (the first ones are computed on the server: captum, the model).
    expect(viewer).to_have_attribute("data-state", "ready", timeout=60_000)
    for method in METHODS:
        expect(viewer.locator(f"[data-testid=attribution-img][data-method={method}]")).to_have_attribute("data-loaded", "1")
    page.screenshot(path=str(ARTIFACTS / "evaluation-attribution.png"))
    page.get_by_test_id("viewer-close").click()
    expect(viewer).to_have_count(0)
    assert page_errors == []


def test_run_names_that_arrive_after_the_index_label_the_controls(page, dashboard):
    """The evaluation tab mounts before the run list arrives: its run menus show names once it does."""
    held = []
    page.route("**/api/v1/runs", lambda route: held.append(route))
    page.goto(dashboard["url"] + "#evaluation")
    expect(page.get_by_test_id("confusion-body")).to_have_attribute("data-state", "ready")
    assert len(held) == 1, "the run list was not requested (or not held)"
    options = page.get_by_test_id("panel-confusion").get_by_test_id("eval-run").locator("option")
    expect(options).to_have_count(2)
    assert not {"sharp-heron-1", "vague-ibex-2"} & set(options.all_inner_texts())  # ids until then
    held[0].continue_()
    page.unroute("**/api/v1/runs")
    for name in ("sharp-heron-1", "vague-ibex-2"):
        expect(options.filter(has_text=name)).to_have_count(1)


def test_metrics_sort_curves_compare_and_data_map(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    metrics = _drawn(page, "class-metrics")
    metrics.get_by_test_id("sort-precision").click()
    expect(metrics.locator("th[aria-sort=descending]")).to_contain_text("Precision")
    texts = metrics.locator("[data-testid=metrics-row] td:nth-child(2)").all_inner_texts()
    values = [float(t.split()[-1]) for t in texts]
    assert values == sorted(values, reverse=True) and len(values) == 5
    curves = _drawn(page, "curves")
    expect(curves.locator("polyline.ev-line")).to_have_count(10)
    curves.get_by_test_id("curve-legend-item").first.click()
    expect(curves.locator("polyline.ev-line")).to_have_count(8)
    conf = page.get_by_test_id("panel-confusion")
    runs = [v for v in conf.locator("[data-testid=eval-compare] option").evaluate_all("os => os.map(o => o.value)") if v]
    conf.get_by_test_id("eval-compare").select_option(runs[0])
    compared = _drawn(page, "confusion").locator(".eval-col")
    expect(compared).to_have_count(2)
    conf.get_by_test_id("eval-step").fill("0")
    expect(conf.get_by_test_id("eval-step-label")).to_have_text("0")
    expect(_drawn(page, "confusion").locator(".ev-stats .muted")).to_have_text([f"step 0 · n = {N}"] * 2)
    conf.screenshot(path=str(ARTIFACTS / "evaluation-compare.png"))
    dm = page.get_by_test_id("panel-data-map")
    dm.scroll_into_view_if_needed()
    drawn = _drawn(page, "data-map")
    expect(drawn.get_by_test_id("data-map-point")).to_have_count(N)
    top = drawn.get_by_test_id("suspect-row").evaluate_all("rs => rs.slice(0, 3).map(r => r.dataset.id)")
    assert set(top) == {"img-004", "img-009", "img-017"}
    dm.screenshot(path=str(ARTIFACTS / "evaluation-data-map.png"))
    drawn.locator("[data-testid=data-map-point][data-id=img-009]").click(force=True)
    viewer = page.get_by_test_id("example-viewer")
    expect(viewer).to_have_attribute("data-id", "img-009")
    page.get_by_test_id("viewer-close").click()
    expect(viewer).to_have_count(0)
    page.get_by_test_id("panel-calibration").screenshot(path=str(ARTIFACTS / "evaluation-calibration.png"))
    page.screenshot(path=str(ARTIFACTS / "evaluation-full.png"), full_page=True)
    assert page_errors == []


def test_dark_and_phone(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")
    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "dark")
    page.screenshot(path=str(ARTIFACTS / "evaluation-dark.png"), full_page=True)
    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => window.innerWidth === 390")
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
        _drawn(page, "examples").get_by_test_id("example-card").first.click()
        status = page.get_by_test_id("attribution-status").first
        expect(status).to_contain_text("register")
        text = status.inner_text()
        assert "someones_code.models.Net is not registered" in text and "--trust-module" in text
    finally:
        handle.stop()
    assert page_errors == []


def test_per_class_accuracy_opens_the_confusion_row(page, dashboard, page_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, dashboard["url"])
    panel = page.get_by_test_id("panel-class_accuracy")
    panel.get_by_test_id("ca-run").select_option(label="vague-ibex-2")
    run = panel.get_by_test_id("ca-run").input_value()
    body = page.locator(f"[data-testid=class_accuracy-body][data-state=ready][data-run='{run}']")
    expect(body.get_by_test_id("ca-class")).to_have_count(5)
    # One line per class with a point at each of the four logged steps, and the overall line.
    expect(body.locator(".ca-line")).to_have_count(5)
    assert all(d.count("L") == 3 for d in body.locator(".ca-line").evaluate_all("ls => ls.map(l => l.getAttribute('d'))"))
    # The legend lists the worst class first: its last value is the smallest.
    values = [float(t.rstrip("%")) for t in body.locator(".ca-value").all_inner_texts()]
    assert values == sorted(values)
    worst = body.get_by_test_id("ca-class").first
    klass = worst.get_attribute("data-class")
    worst.focus()
    expect(body.locator(f".ca-line.is-focus[data-class='{klass}']")).to_have_count(1)
    panel.screenshot(path=str(ARTIFACTS / "evaluation-class-accuracy.png"))
    page.keyboard.press("Enter")
    grid = _drawn(page, "confusion", run).get_by_test_id("confusion-matrix")
    expect(grid).to_have_attribute("data-revealed-row", klass)
    row = grid.locator("[role=row][aria-selected=true]")
    expect(row.locator("[role=rowheader]")).to_have_text(NAMES[int(klass)])
    expect(row.locator("[role=gridcell]").first).to_have_attribute("tabindex", "0")
    assert page_errors == []
