"""Host and Origin screening (DNS rebinding, cross-site requests), security headers and the token,
through the in-process test client."""

from __future__ import annotations

import hmac

import pytest
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.cli import main
from torchloupe.serve import security
from torchloupe.serve.app import create_app
from torchloupe.serve.security import allowed_hosts_for, host_name
from torchloupe.store.sqlite import SqliteStore

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("security") / "loupe"
    with tl.init("sec", name="a", dir=store_dir) as run:
        run.log({"train/loss": 1.0}, step=0)
    folder = SqliteStore(store_dir).blob_dir(run.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "note.html").write_text("<script>alert(1)</script>")
    return store_dir, run.id


def client(store, base_url=LOCAL, **kwargs) -> TestClient:
    return TestClient(create_app(store[0], **kwargs), base_url=base_url)


@pytest.mark.parametrize("base", ["http://127.0.0.1:6007", "http://localhost", "http://LOCALHOST:80",
                                  "http://[::1]:6007", "http://127.0.0.1"])
def test_loopback_hosts_are_served(store, base):
    assert client(store, base).get("/api/v1/runs").status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:6007", "127.0.0.1.evil.example",
                                  "localhost.evil.example:6007", "testserver", "", "a b", "[::1",
                                  "127.0.0.1:x", "0.0.0.0:6007"])
def test_foreign_or_malformed_host_is_refused(store, host):
    r = client(store).get("/api/v1/runs", headers={"Host": host})
    assert r.status_code == 400
    body = r.json()["error"]
    assert body["type"] == "BadHostError" and "--allowed-host" in body["message"]
    # the page too: a rebinding page must not even read the HTML
    assert client(store).get("/", headers={"Host": host}).status_code == 400


def test_allowed_hosts_widen_and_star_allows_any(store):
    c = client(store, allowed_hosts=["box.lan"])
    assert c.get("/api/v1/runs", headers={"Host": "box.lan:6007"}).status_code == 200
    assert c.get("/api/v1/runs", headers={"Host": "localhost:6007"}).status_code == 200
    assert c.get("/api/v1/runs", headers={"Host": "other.lan"}).status_code == 400
    anyone = client(store, allowed_hosts=["*"], token="t0k")
    assert anyone.get("/api/v1/runs", headers={"Host": "gpu-7.cluster:6007",
                                               "Authorization": "Bearer t0k"}).status_code == 200


@pytest.mark.parametrize("origin, status", [
    ("http://127.0.0.1", 200),                # same origin as the Host below
    ("http://evil.example", 403),
    ("http://127.0.0.1:9999", 403),           # another local port is another origin
    ("null", 403),                            # sandboxed frames, file: pages
    ("http://127.0.0.1.evil.example", 403),
    ("javascript:alert(1)", 403),
])
def test_origin_must_be_the_dashboards_own(store, origin, status):
    r = client(store).get("/api/v1/runs", headers={"Origin": origin})
    assert r.status_code == status
    if status == 403:
        assert r.json()["error"]["type"] == "CrossSiteError"


def test_origin_of_an_allowed_host_passes(store):
    """Behind a reverse proxy that rewrites Host, the public name is passed as --allowed-host."""
    c = client(store, allowed_hosts=["loupe.example.org"])
    assert c.get("/api/v1/runs", headers={"Origin": "https://loupe.example.org"}).status_code == 200


def test_cross_site_fetch_metadata_is_refused_but_navigation_is_not(store):
    c = client(store)
    sub = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    r = c.get("/api/v1/projector/projection", params={"run": "x", "tag": "y", "method": "umap"}, headers=sub)
    assert r.status_code == 403 and r.json()["error"]["type"] == "CrossSiteError"
    nav = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert c.get("/api/v1/runs", headers=nav).status_code == 200
    assert c.get("/", headers=nav).status_code == 200
    same = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
    assert c.get("/api/v1/runs", headers=same).status_code == 200


HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
           "x-frame-options": "DENY"}


@pytest.mark.parametrize("path, policy", [
    ("/", security.PAGE_CSP),
    ("/api/v1/runs", security.API_CSP),
    ("/api/v1/nope", security.API_CSP),
    ("/api/v1/scalars/series?tag=x&width=0", security.API_CSP),
    ("/api/v1/docs", security.DOCS_CSP),
])
def test_security_headers_on_every_response(store, path, policy):
    r = client(store).get(path)
    assert r.headers["content-security-policy"] == policy
    for name, value in HEADERS.items():
        assert r.headers[name] == value


def test_security_headers_on_refusals(store):
    refused = [client(store).get("/api/v1/runs", headers={"Host": "evil.example"}),
               client(store).get("/api/v1/runs", headers={"Origin": "http://evil.example"}),
               client(store, token="s3cret").get("/api/v1/runs")]
    assert [r.status_code for r in refused] == [400, 403, 401]
    for r in refused:
        assert r.headers["content-security-policy"] == security.API_CSP
        assert r.headers["x-frame-options"] == "DENY"


def test_page_policy_forbids_inline_script_and_framing():
    csp = dict(part.strip().split(" ", 1) for part in security.PAGE_CSP.split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe" not in security.PAGE_CSP
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'" and csp["connect-src"] == "'self'"


def test_recorded_html_cannot_run_script(store):
    """A recorded file opened as a page is sandboxed: no script, no same-origin access."""
    r = client(store).get(f"/api/v1/runs/{store[1]}/blobs/note.html")
    assert r.status_code == 200 and "sandbox" in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_built_page_has_no_inline_script():
    from html.parser import HTMLParser

    from torchloupe.serve.app import STATIC

    index = STATIC / "index.html"
    if not index.is_file():
        pytest.skip("the page is not built (make web)")

    class Scripts(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inline: list[str] = []
            self.handlers: list[str] = []
            self._open = False

        def handle_starttag(self, tag, attrs):
            names = dict(attrs)
            self.handlers += [n for n in names if n.startswith("on")]
            self._open = tag == "script" and "src" not in names

        def handle_data(self, data):
            if self._open and data.strip():
                self.inline.append(data)

        def handle_endtag(self, tag):
            self._open = False

    parser = Scripts()
    parser.feed(index.read_text())
    assert parser.inline == [] and parser.handlers == []
    for js in STATIC.glob("assets/*.js"):
        text = js.read_text()
        assert "eval(" not in text and "new Function" not in text, js.name


@pytest.mark.parametrize("path", ["/api/v1/runs", "/api/v1/stream", "/api/v1/runs/{run}/blobs/note.html"])
def test_token_compared_in_constant_time_on_every_route(store, monkeypatch, path):
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    c = client(store, token="s3cret")
    url = path.format(run=store[1])
    assert c.get(url).status_code == 401
    assert c.get(url, params={"token": "s3cres"}).status_code == 401
    assert calls == [(b"", b"s3cret"), (b"s3cres", b"s3cret")]
    if "stream" not in path:  # the stream never ends; its refusal is what matters
        assert c.get(url, headers={"Authorization": "Bearer s3cret"}).status_code == 200


@pytest.mark.parametrize("value, name", [
    ("LocalHost:6007", "localhost"), ("[::1]:6007", "::1"), ("::1", "::1"), ("localhost.", "localhost"),
    ("box.lan", "box.lan"), ("a b", None), ("x:", None), ("x:123456", None), ("[::1", None),
    ("[zz]:1", None), ("", None), ("evil.example/", None), ("user@host", None),
])
def test_host_name(value, name):
    assert host_name(value) == name


def test_allowed_hosts_for_bindings():
    loop = ["127.0.0.1", "::1", "localhost"]
    assert allowed_hosts_for("127.0.0.1") == loop
    assert allowed_hosts_for("::1") == loop
    assert allowed_hosts_for("127.0.0.2") == sorted([*loop, "127.0.0.2"])
    assert allowed_hosts_for("0.0.0.0") == ["*"]
    assert allowed_hosts_for("192.168.1.5") == ["*"]
    assert allowed_hosts_for("0.0.0.0", ["Box.LAN"]) == sorted([*loop, "box.lan"])
    assert allowed_hosts_for("192.168.1.5", ["box.lan"]) == sorted([*loop, "192.168.1.5", "box.lan"])


def test_cli_passes_allowed_hosts_and_trusted_modules(monkeypatch, tmp_path):
    seen = {}

    def fake_serve(store_dir, **kwargs):
        seen.update(kwargs)

    monkeypatch.setattr("torchloupe.serve.server.serve_forever", fake_serve)
    assert main(["ui", str(tmp_path), "--allowed-host", "box.lan", "--allowed-host", "gpu.lan",
                 "--trust-module", "mylab.models", "--port", "0"]) == 0
    assert seen["allowed_hosts"] == ["box.lan", "gpu.lan"]
    assert seen["trusted_modules"] == ["mylab.models"]
