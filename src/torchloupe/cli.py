"""The ``torchloupe`` command: demo, ui, ls, show, export."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .errors import LoupeError

DEFAULT_DIR = os.environ.get("TORCHLOUPE_DIR", "./loupe")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="torchloupe",
        description="See what your PyTorch training does: record runs, browse them in a live "
                    "dashboard or the terminal, export them.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser("demo", help="train the demo CNN on MNIST and watch it in the dashboard",
                          description="Train a deep CNN on the shipped MNIST subset (4,000 train / "
                                      "1,000 test digits) on the CPU, recording everything, with "
                                      "the dashboard open while it trains.")
    demo.add_argument("--epochs", type=int, default=None, help="epochs (default: the demo's)")
    demo.add_argument("--dir", default=DEFAULT_DIR, help="store directory (default: %(default)s)")
    demo.add_argument("--no-ui", action="store_true", help="train and print a summary; no dashboard")
    demo.add_argument("--port", type=int, default=6007, help="dashboard port (default: %(default)s)")
    demo.add_argument("--exit", action="store_true",
                      help="stop the dashboard when training ends instead of serving on")

    ui = sub.add_parser("ui", help="serve the live dashboard",
                        description="Serve the dashboard for a store directory. Binds 127.0.0.1 "
                                    "unless told otherwise; any other address needs --token.")
    ui.add_argument("dir", nargs="?", default=DEFAULT_DIR, help="store directory (default: %(default)s)")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    ui.add_argument("--port", type=int, default=6007, help="port (default: %(default)s; 0: any free)")
    ui.add_argument("--token", default=os.environ.get("TORCHLOUPE_TOKEN"),
                    help="require this token on every request (env TORCHLOUPE_TOKEN)")
    ui.add_argument("--no-auth", action="store_true",
                    help="allow a non-local --host without a token (prints a warning)")
    ui.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                    dest="allowed_hosts",
                    help="accept requests addressed to NAME (repeatable). Bound to 127.0.0.1, only "
                         "loopback names are accepted unless added here (DNS-rebinding defence); "
                         "bound to another address, any name is, unless this narrows it")
    ui.add_argument("--trust-module", action="append", default=[], metavar="NAME",
                    dest="trusted_modules",
                    help="let attribution maps import model classes from module NAME and its "
                         "submodules (repeatable); only do this for code you trust")

    ls = sub.add_parser("ls", help="list runs", description="List the runs of a store, newest first.")
    ls.add_argument("--dir", default=DEFAULT_DIR, help="store directory (default: %(default)s)")
    ls.add_argument("--project", help="only this project's runs")

    show = sub.add_parser("show", help="one run in the terminal",
                          description="Show one run: config, summary, and each series' last "
                                      "value with a sparkline.")
    show.add_argument("run", help="run id or name")
    show.add_argument("--dir", default=DEFAULT_DIR, help="store directory (default: %(default)s)")
    show.add_argument("--width", type=int, default=32, help="sparkline width (default: %(default)s)")

    export = sub.add_parser("export", help="export a run's series to CSV or Parquet",
                            description="Write every point of a run (key, step, value, wall_time) "
                                        "to a CSV or Parquet file.")
    export.add_argument("run", help="run id or name")
    export.add_argument("--format", choices=["csv", "parquet"], help="default: from -o's suffix, else csv")
    export.add_argument("-o", "--output", help="output file (default: RUN_NAME.FORMAT)")
    export.add_argument("--dir", default=DEFAULT_DIR, help="store directory (default: %(default)s)")

    recover = sub.add_parser(
        "recover", help="load recovery files into a store",
        description="Load what runs could not write to their store (recovery files, *.spill) "
                    "back into it, each exactly once. Without FILE: the store's recovery/ folder "
                    "and the user's fallback folder (~/.cache/torchloupe/recovery).")
    recover.add_argument("files", nargs="*", metavar="FILE", help="recovery files or folders")
    recover.add_argument("--dir", default=DEFAULT_DIR, help="store directory (default: %(default)s)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``torchloupe`` command; returns the exit status.

    Example:
        >>> main(["ls", "--dir", "./loupe"])   # doctest: +SKIP
        0
    """
    args = _parser().parse_args(argv)
    from rich.console import Console

    console = Console()
    err = Console(stderr=True)
    try:
        return int(_COMMANDS[args.command](args, console) or 0)
    except LoupeError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        return 2
    except KeyboardInterrupt:
        return 130


def _demo(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .demo.train import print_summary, run_demo

    handle = None

    def started(run) -> None:  # type: ignore[no-untyped-def]
        nonlocal handle
        if args.no_ui:
            return
        from .serve.server import start

        handle = start(run.dir, port=args.port)
        console.print(f"dashboard: [bold]{handle.url}[/] (training is live there)")

    kwargs = {} if args.epochs is None else {"epochs": args.epochs}
    run = run_demo(dir=args.dir, on_run_started=started, **kwargs)
    print_summary(run, console)
    if handle is not None and not args.exit:
        console.print(f"dashboard: [bold]{handle.url}[/] — Ctrl-C to stop")
        try:
            handle.thread.join()
        except KeyboardInterrupt:
            pass
        handle.stop()
    elif handle is not None:
        handle.stop()
    return 0


def _ui(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .serve.server import serve_forever

    console.print(f"serving [bold]{os.path.abspath(args.dir)}[/]")
    serve_forever(args.dir, host=args.host, port=args.port, token=args.token, no_auth=args.no_auth,
                  announce=lambda url: console.print(f"dashboard: [bold]{url}[/] — Ctrl-C to stop"),
                  allowed_hosts=args.allowed_hosts, trusted_modules=args.trusted_modules)
    return 0


def _ls(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .show.terminal import runs_table
    from .store.reader import open as open_store

    console.print(runs_table(open_store(args.dir), args.project))
    return 0


def _show(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .show.terminal import run_view
    from .store.reader import open as open_store

    console.print(run_view(open_store(args.dir).run(args.run), width=args.width,
                           console_width=console.width))
    return 0


def _export(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .show.export import export_run
    from .store.reader import open as open_store

    run = open_store(args.dir).run(args.run)
    fmt = args.format or (os.path.splitext(args.output)[1].lstrip(".") if args.output else "csv") or "csv"
    path = export_run(run, args.output or f"{run.name}.{fmt}", fmt)
    console.print(f"wrote {path}")
    return 0


def _recover(args: argparse.Namespace, console) -> int:  # type: ignore[no-untyped-def]
    from .store import open_backend
    from .store.recovery import recover

    done = recover(open_backend(args.dir), args.files or None, quiet=True)
    for path, run_id, points in done.loaded:
        console.print(f"loaded {path} (run {run_id}, {points} points)", highlight=False,
                      soft_wrap=True)
    for path, why in done.skipped:
        console.print(f"[yellow]skipped[/] {path}: {why}", highlight=False, soft_wrap=True)
    if not done.loaded and not done.skipped:
        console.print("nothing to recover")
    return 1 if done.skipped and not done.loaded else 0


_COMMANDS = {"demo": _demo, "ui": _ui, "ls": _ls, "show": _show, "export": _export,
             "recover": _recover}


if __name__ == "__main__":
    sys.exit(main())
