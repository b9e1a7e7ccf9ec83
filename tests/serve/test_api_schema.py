"""The OpenAPI schema is the API's contract: Schemathesis sends requests generated from it (valid
and invalid, some with real run ids, tags and example ids so that the routes' code runs) to the
app over a store with data for every panel, and every answer must pass all of its default checks
(no server error; a documented status, content type, headers and body; valid data accepted).
Derandomized with a fixed number of examples, so a failure reproduces."""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from every_panel import IdleJobs, request_values, seed
from torchloupe.serve.app import create_app

LOCAL = "http://127.0.0.1"
# Per operation and mode; TORCHLOUPE_SCHEMA_EXAMPLES=100 for a deeper search.
EXAMPLES = int(os.environ.get("TORCHLOUPE_SCHEMA_EXAMPLES", "12"))
SKIP = {"/api/v1/stream"}   # an endless event stream: tested in test_api.py


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("schema") / "loupe"
    known = seed(store_dir)
    app = create_app(store_dir)
    app.state.jobs = IdleJobs(None)
    return (schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers={"Host": "127.0.0.1"}),
            request_values(known))


def _check(op, mode: GenerationMode, real, failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode), data=st.data())
    def check(case, data):
        if mode == GenerationMode.POSITIVE and isinstance(case.query, dict):
            context = data.draw(real, label="context")
            for name in list(case.query):
                if name in context and data.draw(st.integers(0, 3), label=f"keep {name}"):
                    case.query[name] = data.draw(context[name], label=name)
        try:
            case.call_and_validate(base_url=LOCAL)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(f"{mode.name} {op.path} {case.query!r}: {failure.title}: "
                                f"{failure.message[:300]}")

    try:
        check()
    except Unsatisfiable:  # nothing invalid to send to an operation without parameters
        assert mode == GenerationMode.NEGATIVE, op.path


@pytest.mark.slow
def test_every_answer_conforms_to_the_schema(schema):
    api, real = schema
    operations = [r.ok() for r in api.get_all_operations()]
    operations = [op for op in operations if op.path not in SKIP]
    assert len(operations) >= 28
    failures: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _check(op, mode, real, failures)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:30])


@pytest.fixture
def app(tmp_path):
    return create_app(tmp_path / "loupe")


def test_every_route_declares_its_bodies_and_errors(app):
    for path, item in app.openapi()["paths"].items():
        op = item["get"]
        responses = op["responses"]
        assert {"400", "401", "403", "500"} <= set(responses), path
        ok = responses["200"]["content"]
        assert len(ok) == 1, (path, ok)
        media, body = next(iter(ok.items()))
        if media == "application/json":
            assert "$ref" in body["schema"], (path, body)   # a pydantic model
        else:
            assert body.get("schema"), (path, media)
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
        if op.get("parameters"):
            assert "422" in responses, path



def test_every_model_name_is_plain(app):
    # Two models of one name are both renamed after their module path
    # (torchloupe__panels__x__api__SummaryOut), and the page's generated types with them.
    names = app.openapi()["components"]["schemas"]
    mangled = sorted(n for n in names if "__" in n)
    assert not mangled, f"response models that share a name with another panel's: {mangled}"

def test_a_method_not_allowed_names_the_allowed_one(app):
    client = TestClient(app, base_url=LOCAL)
    for path in ("/api/v1/runs", "/api/v1/scalars/series", "/api/v1/panels"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = client.request(method, path)
            allowed = {m.strip() for m in r.headers.get("allow", "").split(",")}
            assert r.status_code == 405 and "GET" in allowed, (method, path, r.headers)
            assert r.json()["error"]["type"] == "HTTPError"


def test_schema_written_to_a_file_is_stable(tmp_path):
    import json
    import subprocess
    import sys

    out = tmp_path / "api" / "openapi.json"
    subprocess.run([sys.executable, "-m", "torchloupe.serve.openapi", str(out)], check=True)
    written = out.read_text()
    again = subprocess.run([sys.executable, "-m", "torchloupe.serve.openapi", "-"], check=True,
                           capture_output=True, text=True).stdout
    assert written == again
    schema = json.loads(written)
    assert list(schema) == sorted(schema) and "/api/v1/panels" in schema["paths"]
    assert "PanelsOut" in schema["components"]["schemas"]


def test_recorded_files_conform_whatever_their_type(tmp_path):
    """A blob answers with the media type its name implies, which the schema allows."""
    import torchloupe as tl

    store_dir = tmp_path / "loupe"
    with tl.init("blobs", dir=store_dir) as run:
        run.log({"a": 1.0}, step=0)
    app = create_app(store_dir)
    folder = app.state.store.blob_dir(run.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "notes.html").write_text("<b>notes</b>")
    api = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers={"Host": "127.0.0.1"})
    op = api["/api/v1/runs/{run_id}/blobs/{path}"]["GET"]
    for name in ("img.png", "notes.html", "missing.txt"):
        op.Case(path_parameters={"run_id": run.id, "path": name}).call_and_validate(base_url=LOCAL)
