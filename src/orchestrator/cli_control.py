"""Console control: ``kill``, ``resume``, ``status``, ``report``, ``console``.

``kill`` and ``resume`` write to the journal, so they work whether the bot runs or not: the state is
latched at once (a running bot reads it before every decision) and the request is carried out by the
running bot within a second, or by the next start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import db_option, env_file_option, fail, load_or_exit, progress_bar

if TYPE_CHECKING:
    from .journal import Journal
    from .settings import Settings

WAIT_SECONDS = 5.0


def _journal(settings: Settings, db: Path | None) -> Journal:
    from .journal import Journal, JournalError

    try:
        return Journal(db or settings.journal_path())
    except JournalError as exc:
        fail(str(exc))


@contextmanager
def _writing(journal: Journal, consequence: str) -> Iterator[None]:
    """A latch that cannot be written is one line and exit 1 that says what did not happen."""
    from .journal import JournalError

    try:
        yield
    except JournalError as exc:
        fail(f"{exc}: {consequence}")


@click.command()
@click.argument("reason")
@click.option("--no-flatten", is_flag=True, help="Cancel every working order but keep positions open.")
@db_option
@env_file_option
def kill(reason: str, no_flatten: bool, db: Path | None, env_file: Path) -> None:
    """Halt trading now: cancel every working order and close the bot's positions at market.

    Latched in the journal at once. A running bot carries it out within a second; if none runs, the
    next start does, before reading any message. `autoscalper resume` is the only way back.
    """
    from executor import KILL_SWITCH
    from risk import TradingState, TradingStatus

    from .status import bot_alive

    journal = _journal(load_or_exit(env_file), db)
    # immediate: the halt's time is after every order the bot committed before it
    with _writing(journal, "trading was NOT halted"), journal.transaction(immediate=True):
        journal.record_status(TradingStatus(state=TradingState.HALTED, cause=KILL_SWITCH, detail=reason))
        request = journal.request("kill", reason=reason, flatten=not no_flatten)
    click.echo(f"Trading halted in {journal.path}: {reason}")
    if not bot_alive(journal):
        click.echo(
            "No bot is running: the next start cancels working orders"
            + (" and flattens positions" if not no_flatten else "")
            + " before anything else."
        )
        return
    _await_result(journal, request)


@click.command()
@db_option
@env_file_option
def resume(db: Path | None, env_file: Path) -> None:
    """Return to active trading after a kill switch or a loss-cap latch. The only way back."""
    from risk import TradingStatus

    from .status import bot_alive

    journal = _journal(load_or_exit(env_file), db)
    with _writing(journal, "trading was NOT resumed"), journal.transaction(immediate=True):
        journal.record_status(TradingStatus(cause="resume", detail="resumed by console"))
        request = journal.request("resume", by="console")
    click.echo(f"Trading active again in {journal.path}.")
    if bot_alive(journal):
        _await_result(journal, request)


def _await_result(journal: Journal, request: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        rows = journal.rows("SELECT outcome, detail FROM control_results WHERE request_id = ?", request)
        if rows:
            click.echo(f"The running bot: {rows[0]['outcome']}.")
            for line in (rows[0]["detail"] or "").splitlines():
                click.echo(f"  {line}")
            return
        time.sleep(0.1)
    click.echo(f"The running bot has not confirmed within {WAIT_SECONDS:g}s; the state is latched anyway.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
@env_file_option
def status(as_json: bool, db: Path | None, env_file: Path) -> None:
    """Mode, broker, trading state and why, positions, working orders, today's P&L, recent messages."""
    from .status import collect, lines

    settings = load_or_exit(env_file)
    journal = _journal(settings, db)
    report = collect(journal, settings)
    if as_json:
        click.echo(json.dumps(report, default=str))
        return
    for line in lines(report):
        click.echo(line)


@click.command()
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="The N most recent trading days with fills.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("autoscalper-report.html"),
    show_default=True,
    help="Where to write the self-contained HTML page with the daily P&L chart.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@db_option
@env_file_option
def report(days: int, chart: Path, as_json: bool, db: Path | None, env_file: Path) -> None:
    """P&L per day and per author, win rate, average hold, slippage against the alert price."""
    from rich.console import Console
    from rich.table import Table

    from .report import build, chart_html

    journal = _journal(load_or_exit(env_file), db)
    with progress_bar("reading fills") as progress:
        summary = build(journal, days, progress)
    chart.write_text(chart_html(summary), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(summary))
        return
    console = Console(markup=False, highlight=False)
    for title, rows in (
        ("Per day", summary["days"]),
        ("Per author", summary["authors"]),
        ("Total", [summary["total"]]),
    ):
        table = Table(title=title)
        for column in rows[0] if rows else ["name"]:
            table.add_column(column, justify="right")
        for row in rows:
            table.add_row(*map(str, row.values()))
        console.print(table)
    console.print(f"chart: {chart}")


@click.command()
@db_option
@env_file_option
def console(db: Path | None, env_file: Path) -> None:
    """A Python shell with `orchestrator` bound to the configured journal and broker.

    Try `orchestrator.executor.activate_kill_switch("manual stop")` or `orchestrator.executor.book`.
    """
    from .shell import interact

    interact(load_or_exit(env_file), db)
