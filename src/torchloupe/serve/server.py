"""Run the dashboard server: in the foreground (``torchloupe ui``) or on a thread (the demo)."""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import uvicorn

from ..errors import LoupeValueError
from .app import create_app
from .security import allowed_hosts_for, needs_token


@dataclass
class Handle:
    """A server running on a background thread."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(10)


def check_binding(host: str, token: str | None, no_auth: bool) -> None:
    """Refuse to expose the dashboard beyond this machine without a token (or ``--no-auth``).

    Example:
        >>> check_binding("127.0.0.1", None, False)   # loopback: no token needed
        >>> check_binding("0.0.0.0", None, False)     # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        torchloupe.errors.LoupeValueError: binding 0.0.0.0 makes the dashboard reachable ...
    """
    if needs_token(host) and not token:
        if not no_auth:
            raise LoupeValueError(
                f"binding {host} makes the dashboard reachable from other machines: pass "
                "--token SECRET (clients then open ...?token=SECRET), or --no-auth to allow anyone")
        warnings.warn(f"torchloupe: serving {host} with NO authentication: anyone who can reach "
                      "this machine can read every run", UserWarning, stacklevel=2)


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def url_for(host: str, port: int, token: str | None = None) -> str:
    """The address to open in a browser.

    Example:
        >>> url_for("0.0.0.0", 6007, "s3cret")
        'http://127.0.0.1:6007/?token=s3cret'
    """
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def _config(store_dir: str | os.PathLike[str], host: str, token: str | None,
            allowed_hosts: Iterable[str] | None, trusted_modules: Iterable[str]) -> uvicorn.Config:
    app = create_app(store_dir, token=token, allowed_hosts=allowed_hosts_for(host, allowed_hosts or ()),
                     trusted_modules=trusted_modules)
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")


def start(store_dir: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 6007,
          token: str | None = None, no_auth: bool = False,
          allowed_hosts: Iterable[str] | None = None, trusted_modules: Iterable[str] = ()) -> Handle:
    """Serve ``store_dir`` on a daemon thread; ``port=0`` picks a free port.

    ``allowed_hosts`` and ``trusted_modules`` are those of :func:`serve_forever`.

    Example:
        >>> h = start("./loupe", port=0); print(h.url); h.stop()   # doctest: +SKIP
    """
    check_binding(host, token, no_auth)
    sock = _socket(host, port)
    server = uvicorn.Server(_config(store_dir, host, token, allowed_hosts, trusted_modules))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="torchloupe-ui")
    thread.start()
    deadline = time.time() + 10
    while not server.started and thread.is_alive() and time.time() < deadline:
        time.sleep(0.01)
    return Handle(server, thread, url_for(host, sock.getsockname()[1], token))


def serve_forever(store_dir: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 6007,
                  token: str | None = None, no_auth: bool = False, announce=print,  # type: ignore[no-untyped-def]
                  allowed_hosts: Iterable[str] | None = None,
                  trusted_modules: Iterable[str] = ()) -> None:
    """Serve in the foreground until interrupted.

    Args:
        store_dir: the store to serve.
        host, port: where to listen (``port=0``: any free port).
        token: required on every API request when set; needed for a non-loopback ``host``.
        no_auth: allow a non-loopback ``host`` without a token (with a warning).
        announce: called with the URL to open once the socket is bound.
        allowed_hosts: extra names accepted in the ``Host`` header. Bound to loopback, only
            loopback names (and these) are accepted, which defeats DNS rebinding; bound to any
            other address, every name is accepted unless these narrow it (loopback names and
            the bound address stay accepted).
        trusted_modules: modules whose model classes attribution maps may import (see
            :func:`torchloupe.register_model`).

    Example:
        >>> serve_forever("./loupe", host="0.0.0.0", token="s3cret",     # doctest: +SKIP
        ...               allowed_hosts=["gpu-box.lan"])
    """
    check_binding(host, token, no_auth)
    sock = _socket(host, port)
    config = _config(store_dir, host, token, allowed_hosts, trusted_modules)
    announce(url_for(host, sock.getsockname()[1], token))
    uvicorn.Server(config).run(sockets=[sock])
