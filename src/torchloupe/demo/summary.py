"""The table printed at the end of a demo run."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from torchloupe import Run


def print_summary(run: Run, console: Console | None = None) -> None:
    """Print a table of a finished demo run: identity, epochs, accuracy, time and where it is stored.

    Args:
        run: a run made by ``run_demo`` (it reads the summary and config keys that sets).
        console: where to print; a new ``rich.console.Console`` on stdout when None.

    Example:
        >>> from torchloupe.demo import print_summary, run_demo
        >>> print_summary(run_demo(epochs=1, progress=False))  # doctest: +SKIP
    """
    console = console or Console()
    summary, config = run.summary, run.config
    table = Table(title="torchloupe demo", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("run", f"{run.name} ({run.id})")
    table.add_row("epochs", str(config.get("epochs", "?")))
    table.add_row(
        "test accuracy",
        f"{_pct(summary.get('final_test_acc'))} final, {_pct(summary.get('best_test_acc'))} best",
    )
    table.add_row("training time", f"{summary.get('train_seconds', float('nan')):.1f} s")
    table.add_row("parameters", f"{summary.get('params', 0):,}")
    table.add_row("recorded in", str(run.dir))
    table.add_row("data", str(config.get("data_root", "?")))
    console.print(table)
    console.print(f"Open the dashboard with: [bold]torchloupe ui {run.dir}[/bold]")


def _pct(value: object) -> str:
    return f"{value:.2%}" if isinstance(value, float) else "?"
