"""Tabs with no data for the selected runs are hidden, as the server says through `has_data` in
`GET /api/v1/panels?runs=…`, asked again when the selection changes; a server that does not say
(an older one) gets every tab."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from playwright.sync_api import expect

import torchloupe as tl
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]



@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """`scalars-only` logged scalars; `predictions-only` logged predictions."""
    store_dir = tmp_path_factory.mktemp("e2e-tabs") / "loupe"
    with tl.init("tabs", name="scalars-only", dir=store_dir) as a:
        for i in range(5):
            a.log({"loss": 1 / (i + 1)}, step=i)
    with tl.init("tabs", name="predictions-only", dir=store_dir) as b:
        labels = np.arange(12) % 3
        b.log_predictions(labels, np.eye(3)[labels] * 2.0, "test", step=0)
    handle = start(store_dir, port=0)
    yield {"url": handle.url, "scalars": a.id, "predictions": b.id}
    handle.stop()


def asked_runs(page) -> list[list[str]]:
    """Records the run ids of each `GET /api/v1/panels` the page sends (the server answers)."""
    asked: list[list[str]] = []

    def note(request):
        if urlsplit(request.url).path.endswith("/api/v1/panels"):
            runs = parse_qs(urlsplit(request.url).query).get("runs", [""])[0]
            asked.append([r for r in runs.split(",") if r])

    page.on("request", note)
    return asked


def shown_tabs(page) -> list[str]:
    return [t.get_attribute("data-testid").removeprefix("tab-")
            for t in page.locator("[data-testid^=tab-]:not([hidden])").all()]


def test_tabs_without_data_for_the_selected_runs_are_hidden(page, dashboard):
    asked = asked_runs(page)
    page.goto(dashboard["url"])
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    expect(page.get_by_test_id("tab-scalars")).to_be_visible()
    expect(page.get_by_test_id("tab-evaluation")).to_be_visible()
    assert shown_tabs(page) == ["scalars", "evaluation"]

    # Only the run with predictions: the scalars tab goes, the evaluation tab opens.
    page.locator(f"[data-testid=run-row][data-run-id='{dashboard['scalars']}'] [data-testid=run-select]").click()
    expect(page.get_by_test_id("tab-scalars")).to_be_hidden()
    expect(page.get_by_test_id("panel-confusion")).to_be_visible()
    expect(page.get_by_test_id("panel-scalars")).to_be_hidden()
    assert asked[-1] == [dashboard["predictions"]]

    # Only the run with scalars: the other way round.
    page.locator(f"[data-testid=run-row][data-run-id='{dashboard['scalars']}'] [data-testid=run-select]").click()
    page.locator(f"[data-testid=run-row][data-run-id='{dashboard['predictions']}'] [data-testid=run-select]").click()
    expect(page.get_by_test_id("panel-scalars")).to_be_visible()
    expect(page.get_by_test_id("panel-confusion")).to_be_hidden()
    expect(page.get_by_test_id("tab-evaluation")).to_be_hidden()
    assert asked[-1] == [dashboard["scalars"]]


def test_a_server_without_has_data_shows_every_tab(page, dashboard):
    def older(route):
        body = route.fetch().json()
        for p in body["panels"]:
            del p["has_data"]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/panels*", older)
    page.goto(dashboard["url"])
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    for key in ("scalars", "evaluation", "model", "training-health", "data", "projector"):
        expect(page.get_by_test_id(f"tab-{key}")).to_be_visible()
    expect(page.get_by_test_id("no-data")).to_be_hidden()
    # The page asks again as the run list changes: let an answer being rewritten finish before the
    # page closes, rather than fail inside the handler.
    page.unroute_all(behavior="wait")


def test_a_store_with_nothing_to_show_shows_the_runs_table_and_says_so(page, dashboard):
    def nothing(route):
        body = route.fetch().json()
        for p in body["panels"]:
            p["has_data"] = p["name"] == "runs"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/panels*", nothing)
    page.goto(f"{dashboard['url']}#evaluation")
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    expect(page.get_by_test_id("no-data")).to_be_visible()
    expect(page.get_by_test_id("runs-table")).to_be_visible()
    assert shown_tabs(page) == []
    expect(page.locator("main section[role=tabpanel]:not([hidden])")).to_have_count(0)
    page.unroute_all(behavior="wait")
