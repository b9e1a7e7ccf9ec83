"""Access control and request screening for the dashboard server (the store checks blob paths).

Three ASGI middlewares, outermost first:

- :class:`SecurityHeaders` puts a Content-Security-Policy, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` and ``X-Frame-Options: DENY`` on every response. The page gets
  :data:`PAGE_CSP` (no inline script, nothing from other origins); API answers are data, never
  documents, and get :data:`API_CSP` (a sandbox without script), so a recorded HTML or SVG file
  opened from the blob route cannot run anything.
- :class:`RequestGuard` refuses requests whose ``Host`` is not one of the dashboard's names (a
  DNS-rebinding page reaches 127.0.0.1 under its own name, which shows in ``Host``) and requests
  sent by another site's page (an ``Origin`` that is not the dashboard's, or an API request that
  the browser marks ``Sec-Fetch-Site: cross-site``).
- :class:`TokenAuth` requires the token on every API request when one is set.

Refusals answer with the API's error shape, ``{"error": {"type": ..., "message": ...}}``.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AuthError, BadHostError, CrossSiteError, LoupeError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Loopback names: always allowed in ``Host``, whatever else is."""

ANY_HOST = "*"
"""In ``allowed_hosts``: accept any ``Host`` (a server reachable from other machines by design)."""

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; worker-src 'none'; object-src 'none'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
"""The page's policy: only the bundled script and stylesheet, no inline script or ``style``
attribute (the page sets styles through the CSSOM), images from the API or ``data:`` URLs (PNGs
sent as base64, the icon), requests to its own origin only."""

API_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
"""API answers (JSON, PNG, recorded files): nothing may run if one is opened as a document."""

DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
"""The interactive API docs: FastAPI's Swagger UI page starts with an inline script (fixed text,
no data) and loads Swagger UI from its CDN."""

_NAME = re.compile(r"[a-z0-9_.-]+")


def needs_token(host: str) -> bool:
    """Whether binding ``host`` exposes the dashboard beyond this machine.

    Example:
        >>> needs_token("127.0.0.1"), needs_token("0.0.0.0")
        (False, True)
    """
    return host not in LOCAL_HOSTS


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to bind, or a name) only reaches this machine.

    Example:
        >>> is_loopback("127.0.0.2"), is_loopback("localhost"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    name = host.strip("[]").lower()
    if name in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str | None:
    """The name in a ``Host`` header (or in an origin's authority): lower case, without the port,
    brackets or a trailing dot; None when the value is malformed.

    Example:
        >>> host_name("LocalHost:6007"), host_name("[::1]:80"), host_name("a b")
        ('localhost', '::1', None)
    """
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        name, rest = value[1:end], value[end + 1:]
        if end < 0 or (rest and not re.fullmatch(r":\d{1,5}", rest)):
            return None
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
        return name
    if value.count(":") > 1:  # a bare IPv6 address, as some clients send it
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError:
            return None
    name, colon, port = value.partition(":")
    if colon and not re.fullmatch(r"\d{1,5}", port):
        return None
    name = name[:-1] if name.endswith(".") else name
    return name if name and len(name) <= 253 and _NAME.fullmatch(name) else None


def allowed_hosts_for(bind: str, extra: Iterable[str] = ()) -> list[str]:
    """The ``Host`` names a server bound to ``bind`` accepts.

    Bound to loopback: the loopback names (plus ``bind`` itself), so a DNS-rebinding page cannot
    read the dashboard. Bound to another address (``0.0.0.0``, a LAN address): any name, since
    other machines reach it by names the server cannot know and a token guards it, unless
    ``extra`` lists the names to accept. ``extra`` names are always accepted.

    Example:
        >>> allowed_hosts_for("127.0.0.1")
        ['127.0.0.1', '::1', 'localhost']
        >>> allowed_hosts_for("0.0.0.0"), allowed_hosts_for("0.0.0.0", ["box.lan"])
        (['*'], ['127.0.0.1', '::1', 'box.lan', 'localhost'])
    """
    names = {host_name(n) or n for n in extra}
    if not names and not is_loopback(bind):
        return [ANY_HOST]
    if bind not in ("0.0.0.0", "::", ""):
        names.add(host_name(bind) or bind.strip("[]").lower())
    return sorted(names | LOCAL_HOSTS)


async def _refuse(exc: LoupeError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer the request with ``exc`` instead of passing it on (a websocket is closed)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": str(exc)[:120]})
        return
    await error_response(exc)(scope, receive, send)


def error_response(exc: LoupeError) -> JSONResponse:
    """The API's error shape for ``exc``, with its HTTP status.

    Example:
        >>> error_response(AuthError("missing or wrong token")).status_code
        401
    """
    return JSONResponse({"error": {"type": type(exc).__name__, "message": str(exc)}},
                        status_code=exc.http_status)


class SecurityHeaders:
    """Adds the security headers to every response (see the module docstring)."""

    def __init__(self, app: ASGIApp, docs_path: str | None = None) -> None:
        self.app = app
        self.docs_path = docs_path

    def policy(self, path: str) -> str:
        """The Content-Security-Policy for a response to ``path``.

        Example:
            >>> SecurityHeaders(None).policy("/api/v1/runs") == API_CSP
            True
        """
        if self.docs_path and path in (self.docs_path, self.docs_path + "/oauth2-redirect"):
            return DOCS_CSP
        return API_CSP if path.startswith("/api/") else PAGE_CSP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.policy(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestGuard:
    """Refuses a bad or foreign ``Host`` (400) and requests from other sites' pages (403).

    ``allowed_hosts``: names accepted in ``Host`` besides the loopback names, any port; ``"*"``
    accepts every name. An ``Origin`` header must be the dashboard's own (the same host and port
    as ``Host``) or name one of the allowed non-loopback hosts (a reverse proxy that rewrites
    ``Host``).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] | None = None) -> None:
        self.app = app
        given = {n.strip().lower() for n in (allowed_hosts or ())}
        self.any_host = ANY_HOST in given
        names = frozenset(host_name(n) or n for n in given - {ANY_HOST})
        self.allowed = names | LOCAL_HOSTS
        # Names an Origin may carry on any port (a proxy's public name). Loopback names are not
        # among them: another local port is another site (a notebook, a dev server).
        self.explicit = frozenset(n for n in names if not is_loopback(n))

    def check(self, scope: Scope) -> LoupeError | None:
        """Why the request must be refused, or None.

        Example:
            >>> guard = RequestGuard(None)
            >>> guard.check({"type": "http", "path": "/", "headers": [(b"host", b"localhost:6007")]})
            >>> type(guard.check({"type": "http", "path": "/", "headers": [(b"host", b"evil.example")]})).__name__
            'BadHostError'
        """
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name = host_name(host)
        if name is None or (not self.any_host and name not in self.allowed):
            return BadHostError(
                f"Host {host[:100]!r} is not one of this dashboard's names: open it as "
                "http://127.0.0.1:PORT/, or start it with --allowed-host NAME for each name "
                "it is reached by")
        origin = headers.get("origin")
        if origin is not None and not self._same_origin(origin, host):
            return CrossSiteError(f"cross-site request refused: Origin {origin[:100]!r} is not "
                                  "this dashboard's")
        if (scope.get("path", "").startswith("/api/")
                and headers.get("sec-fetch-site") == "cross-site"
                and headers.get("sec-fetch-mode") != "navigate"):
            return CrossSiteError("cross-site request refused: another site's page asked for "
                                  "this dashboard's data")
        return None

    def _same_origin(self, origin: str, host: str) -> bool:
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        if parts.netloc.lower() == host.strip().lower():
            return True
        return host_name(parts.netloc) in self.explicit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            refusal = self.check(scope)
            if refusal is not None:
                await _refuse(refusal, scope, receive, send)
                return
        await self.app(scope, receive, send)


class TokenAuth:
    """Requires ``Authorization: Bearer <token>`` (or ``?token=``) on every API request.

    The page's static files carry no data and load without it, so the page can read the token
    from its own URL. The comparison takes the same time whatever the guess
    (:func:`hmac.compare_digest`), and covers every route under ``/api/`` alike: JSON, the event
    stream (which sends the token in its query, as ``EventSource`` cannot send headers), images
    and recorded files.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def authorized(self, scope: Scope) -> bool:
        """Whether the request carries the token.

        Example:
            >>> auth = TokenAuth(None, "s3cret")
            >>> auth.authorized({"type": "http", "headers": [(b"authorization", b"Bearer s3cret")]})
            True
            >>> auth.authorized({"type": "http", "headers": [], "query_string": b"token=guess"})
            False
        """
        given = QueryParams(scope.get("query_string", b"")).get("token", "")
        header = Headers(scope=scope).get("authorization", "")
        if header.lower().startswith("bearer "):
            given = header[7:].strip()
        return hmac.compare_digest(given.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] in ("http", "websocket") and scope.get("path", "").startswith("/api/")
                and not self.authorized(scope)):
            await _refuse(AuthError("missing or wrong token"), scope, receive, send)
            return
        await self.app(scope, receive, send)

