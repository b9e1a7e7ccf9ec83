"""The dashboard's API fuzzed from its own OpenAPI schema, and its Host/Origin screening against a
real server on loopback.

Schemathesis generates requests for every operation (valid and invalid by the schema, some with
real run ids, tags and example ids so that the routes' code runs, not only their validation) and
sends them in-process through the ASGI transport. Every answer must be below 500 and come within
``TIMEOUT`` seconds. The examples are derandomized, so a failure reproduces.
"""

from __future__ import annotations

import http.client
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from every_panel import IdleJobs, request_values, seed
from torchloupe.serve.app import create_app
from torchloupe.serve.server import start

LOCAL = "http://127.0.0.1"
TIMEOUT = 20.0
# Per operation (half as many invalid ones): the whole fuzz stays under a minute on 2 cores. Set
# TORCHLOUPE_FUZZ_EXAMPLES=200 for a deeper search.
EXAMPLES = int(os.environ.get("TORCHLOUPE_FUZZ_EXAMPLES", "16"))
SKIP = {"/api/v1/stream"}   # an endless event stream: tested in tests/serve/test_api.py


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("fuzz") / "loupe"
    known = seed(store_dir)
    app = create_app(store_dir)
    app.state.jobs = IdleJobs(None)
    return app, known


def _fuzz(op, mode, real: st.SearchStrategy, failures: list[str], timings: list[tuple[float, str]]) -> None:
    """Sends ``EXAMPLES`` generated requests to one operation; records 5xx answers."""

    @settings(max_examples=EXAMPLES if mode == GenerationMode.POSITIVE else EXAMPLES // 2, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode), data=st.data())
    def check(case, data):
        if isinstance(case.query, dict):
            context = data.draw(real, label="context")
            for name in list(case.query):
                if name in context and data.draw(st.integers(0, 3), label=f"keep {name}"):
                    case.query[name] = data.draw(context[name], label=name)
        started = time.perf_counter()
        response = case.call(base_url=LOCAL, timeout=TIMEOUT)
        timings.append((time.perf_counter() - started, f"{op.path} {case.query!r}"))
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {op.path} {case.query!r}: {response.text[:300]}")

    try:
        check()
    except Unsatisfiable:  # nothing invalid to send to an operation without parameters
        assert mode == GenerationMode.NEGATIVE, op.path


def test_fuzz_api_never_errs_or_hangs(seeded):
    app, known = seeded
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers={"Host": "127.0.0.1"})
    real = request_values(known)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path not in SKIP]
    assert len(operations) >= 25
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(op, mode, real, failures, timings)
    slowest = max(timings)
    print(f"{len(timings)} requests, {sum(t for t, _ in timings):.1f} s in the app; slowest "
          f"{slowest[0]:.2f} s: {slowest[1]}")
    assert not failures, "\n".join(failures[:20])


# -- Host and Origin against a real server -----------------------------------------------------

@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    import torchloupe as tl

    store_dir = tmp_path_factory.mktemp("hosts") / "loupe"
    with tl.init("hosts", name="a", dir=store_dir) as run:
        run.log({"train/loss": 1.0}, step=0)
    return store_dir


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _port(handle) -> int:
    return int(handle.url.rsplit(":", 1)[1].split("/")[0])


def test_real_server_refuses_forged_host_and_origin(small_store):
    handle = start(small_store, port=0)
    try:
        port = _port(handle)
        ok = {"Host": f"127.0.0.1:{port}"}
        assert _get(port, "/api/v1/runs", ok)[0] == 200
        assert _get(port, "/api/v1/runs", {"Host": f"localhost:{port}"})[0] == 200
        assert _get(port, "/", ok)[0] == 200
        # A DNS-rebinding page: the browser connects to 127.0.0.1 but names the attacker's host.
        for host in (f"rebind.attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}"):
            for path in ("/api/v1/runs", "/", "/api/v1/stream"):
                status, body = _get(port, path, {"Host": host})
                assert status == 400 and b"BadHostError" in body, (host, path)
        # A cross-site page reaching the dashboard directly.
        for origin in ("http://attacker.example", "null", f"http://localhost:{port + 1}"):
            status, body = _get(port, "/api/v1/runs", {**ok, "Origin": origin})
            assert status == 403 and b"CrossSiteError" in body, origin
        assert _get(port, "/api/v1/runs", {**ok, "Origin": f"http://127.0.0.1:{port}"})[0] == 200
    finally:
        handle.stop()


def test_real_server_allowed_host_works(small_store):
    handle = start(small_store, port=0, allowed_hosts=["loupe.lab.example"])
    try:
        port = _port(handle)
        assert _get(port, "/api/v1/runs", {"Host": f"loupe.lab.example:{port}"})[0] == 200
        assert _get(port, "/api/v1/runs", {"Host": f"other.lab.example:{port}"})[0] == 400
    finally:
        handle.stop()


def test_public_binding_with_token_accepts_any_host_but_not_other_origins(small_store):
    """``--host 0.0.0.0 --token T`` is reached by names the server cannot know; the token guards it."""
    handle = start(small_store, host="0.0.0.0", port=0, token="s3cret")
    try:
        port = _port(handle)
        auth = {"Authorization": "Bearer s3cret"}
        assert _get(port, "/api/v1/runs", {"Host": f"gpu-7.cluster:{port}", **auth})[0] == 200
        assert _get(port, "/api/v1/runs", {"Host": f"gpu-7.cluster:{port}"})[0] == 401
        status, _ = _get(port, "/api/v1/runs", {"Host": f"gpu-7.cluster:{port}", **auth,
                                                "Origin": "http://attacker.example"})
        assert status == 403
    finally:
        handle.stop()
    narrowed = start(small_store, host="0.0.0.0", port=0, token="s3cret", allowed_hosts=["gpu-7.cluster"])
    try:
        port = _port(narrowed)
        auth = {"Authorization": "Bearer s3cret"}
        assert _get(port, "/api/v1/runs", {"Host": f"gpu-7.cluster:{port}", **auth})[0] == 200
        assert _get(port, "/api/v1/runs", {"Host": f"gpu-8.cluster:{port}", **auth})[0] == 400
    finally:
        narrowed.stop()
