"""The dashboard server: the JSON API of every registered panel, live updates and the page."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path as FsPath

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import LoupeError
from ..panels.params import MAX_RUN_ID, RUN_IDS
from ..panels.registry import PANELS
from ..panels.responses import Body, errors, json_body
from ..store import Backend, open_backend
from . import stream
from .jobs import JobRunner
from .security import RequestGuard, SecurityHeaders, TokenAuth

STATIC = FsPath(__file__).parent / "static"

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>torchloupe</title>
<p>The dashboard's page is not built. Run <code>make web</code> (or <code>make setup</code>)
in the torchloupe checkout, then reload. The API is at <a href="api/v1/docs">api/v1/docs</a>.</p>"""


class PanelOut(Body):
    name: str
    title: str
    has_data: bool
    """Whether the panel has something to show for the runs asked about (the page hides it if not)."""


class PanelsOut(Body):
    panels: list[PanelOut]
    version: str
    store: str


def create_app(store: Backend | str | os.PathLike[str], token: str | None = None,
               allowed_hosts: Iterable[str] | None = None,
               trusted_modules: Iterable[str] = ()) -> FastAPI:
    """The FastAPI application serving one store.

    Args:
        store: a store, or the directory of one (created if missing).
        token: when set, every API request must carry it (``Authorization: Bearer``).
        allowed_hosts: names accepted in the ``Host`` header besides the loopback names
            (127.0.0.1, localhost, ::1), any port; ``["*"]`` accepts any name. Default: loopback
            names only, so a DNS-rebinding page cannot read the dashboard. See
            :func:`torchloupe.serve.security.allowed_hosts_for` for what the server picks.
        trusted_modules: modules (and their submodules) whose model classes the attribution
            maps may import, besides classes registered with ``tl.register_model`` and
            torchloupe's own.

    The app owns a :class:`~.jobs.JobRunner` (``app.state.jobs``, its cache in the store) that
    routes receive as a dependency; it is closed, its threads stopped, when the app shuts down.

    Example:
        >>> from fastapi.testclient import TestClient
        >>> app = create_app(tempfile.mkdtemp())                                # doctest: +SKIP
        >>> TestClient(app, base_url="http://127.0.0.1").get("/api/v1/runs").json()  # doctest: +SKIP
        {'runs': []}
    """
    backend = open_backend(store)
    docs = "/api/v1/docs"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            app.state.jobs.close()

    app = FastAPI(title="torchloupe", version=__version__, openapi_url="/api/v1/openapi.json",
                  docs_url=docs, redoc_url=None, lifespan=lifespan)
    app.state.store = backend
    app.state.jobs = JobRunner(backend.dir / "cache" / "projections")
    app.state.trusted_modules = tuple(trusted_modules)
    # Starlette runs the last middleware added first: headers on every answer (refusals too),
    # then Host/Origin screening, then the token.
    if token:
        app.add_middleware(TokenAuth, token=token)
    app.add_middleware(RequestGuard, allowed_hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders, docs_path=docs)

    @app.exception_handler(LoupeError)
    async def loupe_error(request: Request, exc: LoupeError) -> JSONResponse:
        return _error(type(exc).__name__, str(exc), exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                 for e in exc.errors()]
        return _error("ValidationError", "; ".join(parts), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _error("HTTPError", str(exc.detail), exc.status_code)
        response.headers.update(exc.headers or {})  # a 405's Allow
        return response

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: the API's error shape without internals (the server still
        # logs the traceback), never a plain-text page.
        return _error("InternalError", f"the server failed on this request ({type(exc).__name__}); "
                      "see the server's log", 500)

    # Screening and store failures can answer any route.
    api = APIRouter(prefix="/api/v1", responses=errors(400, 401, 403, 500))

    @api.get("/panels", tags=["meta"], response_model=PanelsOut, responses=errors(422))
    def panels(ids: list[str] | None = RUN_IDS) -> Response:
        """Every panel in display order, with whether it has data for the runs (all when omitted)."""
        return json_body({"panels": [{"name": p.name, "title": p.title,
                                      "has_data": p.has_data(backend, ids)} for p in PANELS],
                          "version": __version__, "store": str(backend.dir)})

    @api.get("/stream", tags=["meta"], response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                              "description": "server-sent events: `ready`, then one event per change in the store"}})
    async def live(request: Request) -> StreamingResponse:
        return StreamingResponse(stream.events(request, backend), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.get("/runs/{run_id}/blobs/{path:path}", tags=["runs"], response_class=Response,
             responses={200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                              "description": "the file, with the media type its name implies"},
                        **errors(404, 422)})
    def blob(run_id: str = Path(..., min_length=1, max_length=MAX_RUN_ID),
             path: str = Path(..., min_length=1, max_length=1024)) -> Response:
        data = backend.open_blob(backend.run(run_id).id, path)
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Response(data, media_type=kind)

    for p in PANELS:
        api.include_router(p.router(lambda: backend))
    app.include_router(api)

    if (STATIC / "index.html").is_file():
        app.mount("/", StaticFiles(directory=STATIC, html=True), name="static")
    else:
        @app.get("/", include_in_schema=False)
        def not_built() -> HTMLResponse:
            return HTMLResponse(_NOT_BUILT)

    return app


def _error(kind: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)
