"""Tabs with no data for the selected runs are hidden, as the server says through `has_data` in
`GET /api/v1/panels?runs=…`. The page is shown a server that says so (the registry's answer, with
`has_data` added here from the run ids asked about), and asks again when the selection changes."""

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

EVALUATION = {"confusion", "class-metrics", "curves", "calibration", "examples", "data-map"}


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


def says_has_data(page, dashboard) -> list[list[str]]:
    """Answers the page's `GET /api/v1/panels` with `has_data` per panel; returns the ids asked, per request."""
    asked: list[list[str]] = []

    def answer(route):
        ids = [i for v in parse_qs(urlsplit(route.request.url).query).get("runs", []) for i in v.split(",") if i]
        asked.append(ids)
        runs = set(ids) or {dashboard["scalars"], dashboard["predictions"]}
        body = route.fetch().json()
        for p in body["panels"]:
            if p["name"] == "scalars":
                p["has_data"] = dashboard["scalars"] in runs
            elif p["name"] in EVALUATION:
                p["has_data"] = dashboard["predictions"] in runs
            else:
                p["has_data"] = p["name"] == "runs"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/panels*", answer)
    return asked


def shown_tabs(page) -> list[str]:
    return [t.get_attribute("data-testid").removeprefix("tab-")
            for t in page.locator("[data-testid^=tab-]:not([hidden])").all()]


def test_tabs_without_data_for_the_selected_runs_are_hidden(page, dashboard):
    asked = says_has_data(page, dashboard)
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
    page.goto(dashboard["url"])
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    listed = page.request.get(f"{dashboard['url']}api/v1/panels").json()["panels"]
    if any("has_data" in p for p in listed):
        pytest.skip("this server says which panels have data")
    for key in ("scalars", "evaluation", "model", "training-health", "data", "projector"):
        expect(page.get_by_test_id(f"tab-{key}")).to_be_visible()
    expect(page.get_by_test_id("no-data")).to_be_hidden()


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
