"""Access control and path safety for the dashboard server."""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from ..errors import NotFoundError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def needs_token(host: str) -> bool:
    """Whether binding ``host`` exposes the dashboard beyond this machine.

    Example:
        >>> needs_token("127.0.0.1"), needs_token("0.0.0.0")
        (False, True)
    """
    return host not in LOCAL_HOSTS


class TokenAuth(BaseHTTPMiddleware):
    """Requires ``Authorization: Bearer <token>`` (or ``?token=``) on every API request.

    The page's static files carry no data and load without it, so the page can read the token
    from its own URL.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        super().__init__(app)
        self.token = token.encode()

    async def dispatch(self, request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/"):
            given = request.query_params.get("token", "")
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer "):
                given = header[7:].strip()
            if not hmac.compare_digest(given.encode(), self.token):
                return JSONResponse({"error": {"type": "AuthError",
                                               "message": "missing or wrong token"}}, status_code=401)
        return await call_next(request)


def safe_join(base: Path, relative: str) -> Path:
    """``base / relative``, refusing any path that would leave ``base`` (``..``, absolute, links).

    Example:
        >>> safe_join(Path("/srv/blobs"), "r1/img.png").as_posix()
        '/srv/blobs/r1/img.png'
    """
    if not relative or "\x00" in relative or relative.startswith(("/", "\\")):
        raise NotFoundError(f"bad path {relative!r}")
    root = base.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise NotFoundError(f"bad path {relative!r}")
    return target
