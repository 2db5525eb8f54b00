"""Console control: ``kill``, ``resume``, ``status``, ``report``, ``console``, ``audit``.

``kill`` and ``resume`` write to the journal, so they work whether the bot runs or not: the state is
latched at once (a running bot reads it before every decision) and the request is carried out by the
running bot within a second, or by the next start. Which journal: ``targets.py`` (the running bot's
by default, found in the registry); none of these commands ever creates a journal.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    control_db_option,
    env_file_option,
    fail,
    load_or_exit,
    progress_bar,
    refuse,
)

if TYPE_CHECKING:
    from ..journal import Journal
    from ..registry import Bot
    from ..settings import Settings

WAIT_SECONDS = 5.0
CONSOLE_KILL = "console kill"


def _targets(settings: Settings, db: Path | None, *, every: bool = False) -> list[Path]:
    """The journal(s) to act on (``targets.py``); none found is one line and exit 2."""
    from .targets import NoSuchJournal, journals

    try:
        return journals(db, settings.journal_path(), every=every, choose=_choose)
    except NoSuchJournal as exc:
        refuse(str(exc))


def _choose(bots: list[Bot]) -> Bot:
    for number, bot in enumerate(bots, start=1):
        click.echo(f"{number}. {bot.line()}", err=True)
    picked = click.prompt("Which bot", type=click.IntRange(1, len(bots)), err=True)
    return bots[picked - 1]


def _journal(path: Path, consequence: str) -> Journal:
    """An existing journal, never a new one; one that cannot be opened says what did not happen."""
    from ..journal import Journal, JournalError

    try:
        return Journal(path, create=False)
    except JournalError as exc:
        fail(f"{exc}: {consequence}")


@contextmanager
def _writing(journal: Journal, consequence: str) -> Iterator[None]:
    """A latch that cannot be written is one line and exit 1 that says what did not happen."""
    from ..journal import JournalError

    try:
        yield
    except JournalError as exc:
        fail(f"{exc}: {consequence}")


@click.command()
@click.argument("reason", required=False, default=CONSOLE_KILL)
@click.option("--no-flatten", is_flag=True, help="Cancel every working order but keep positions open.")
@click.option("--all", "every", is_flag=True, help="Halt every running bot.")
@control_db_option
@env_file_option
def kill(reason: str, no_flatten: bool, every: bool, db: Path | None, env_file: Path | None) -> None:
    """Halt trading now: cancel every working order and close the bot's positions at market.

    REASON is optional (default "console kill"). Without --db it halts the running bot (with several,
    it asks which, or use --all); with none running, the settings' journal, whose next start carries
    it out before reading any message. It never creates a journal. `autoscalper resume` is the only
    way back.
    """
    settings = load_or_exit(env_file)
    for path in _targets(settings, db, every=every):
        _kill_one(path, reason, flatten=not no_flatten)


def _kill_one(path: Path, reason: str, *, flatten: bool) -> None:
    from ..control import latch
    from ..registry import bot_on

    journal = _journal(path, "trading was NOT halted")
    with _writing(journal, "trading was NOT halted"):
        request = latch(journal, "kill", reason=reason, flatten=flatten)
    click.echo(f"Trading halted in {journal.path}: {reason}")
    bot = bot_on(path)
    if bot is None:
        click.echo(
            "No bot is running on this journal: the next start cancels working orders"
            + (" and flattens positions" if flatten else "")
            + " before anything else."
        )
        return
    click.echo(f"Carried out by {bot.line()}:")
    _await_result(journal, request)


@click.command()
@control_db_option
@env_file_option
def resume(db: Path | None, env_file: Path | None) -> None:
    """Return to active trading after a kill switch or a loss-cap latch. The only way back.

    Without --db: the running bot's journal, else the settings' journal. It never creates a journal.
    """
    from ..control import latch
    from ..registry import bot_on

    [path] = _targets(load_or_exit(env_file), db)
    journal = _journal(path, "trading was NOT resumed")
    with _writing(journal, "trading was NOT resumed"):
        request = latch(journal, "resume")
    click.echo(f"Trading active again in {journal.path}.")
    if bot_on(path) is not None:
        _await_result(journal, request)


def _await_result(journal: Journal, request: int) -> str | None:
    """Print the running bot's answer to ``request``; its outcome (None: no answer in time)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = journal.control_result(request)
        if result:
            click.echo(f"The running bot: {result['outcome']}.")
            for line in (result["detail"] or "").splitlines():
                click.echo(f"  {line}")
            return str(result["outcome"])
        time.sleep(0.1)
    click.echo(f"The running bot has not answered within {WAIT_SECONDS:g}s.")
    return None


@click.command()
@click.argument("signal_id", metavar="ID")
@control_db_option
@env_file_option
def approve(signal_id: str, db: Path | None, env_file: Path | None) -> None:
    """Send an entry a confirm profile holds: ID is the one its notice gives (the alert's message id).

    Only the running bot holds entries, for the profile's confirm_seconds (default 60): after that,
    or with no bot running, nothing is sent. Exit 1 when it was not sent.
    """
    from ..registry import bot_on

    [path] = _targets(load_or_exit(env_file), db)
    if bot_on(path) is None:
        fail(f"no bot is running on {path}: nothing is held, nothing was sent")
    journal = _journal(path, "nothing was sent")
    with _writing(journal, "nothing was sent"):
        request = journal.request("approve", reason=signal_id, flatten=False, by="console")
    if _await_result(journal, request) != "done":
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@control_db_option
@env_file_option
def status(as_json: bool, db: Path | None, env_file: Path | None) -> None:
    """Mode, bot, broker, trading state and why, positions, working orders, today's P&L, recent messages.

    Without --db: the running bot's journal, else the settings' journal. It never creates a journal.
    """
    from ..control import status_report
    from ..views.status import lines

    settings = load_or_exit(env_file)
    [path] = _targets(settings, db)
    journal = _journal(path, "no status")
    report = status_report(journal, settings)
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
    "--out",
    "--chart",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the HTML report (default: reports/ beside the journal, named after it and "
    "its last trading day). --chart is the old name.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@control_db_option
@env_file_option
def report(days: int, out: Path | None, as_json: bool, db: Path | None, env_file: Path | None) -> None:
    """P&L per day, per author and per instrument: trades, win rate, net, average win and loss, the
    worst loss, slippage against the alert price, and the trades made on made-up prices.

    Writes one self-contained HTML page (charts of the daily net and the equity curve, the tables;
    it opens offline) and prints its path.
    """
    from rich.console import Console

    from ..shadow import shadow_path
    from ..views.report import build
    from ..views.report_page import page, print_tables

    [path] = _targets(load_or_exit(env_file), db)
    journal = _journal(path, "no report")
    with progress_bar("reading fills") as progress:
        summary = build(journal, days, progress)
    shadow = shadow_path(path)
    if shadow.exists():  # a shadow profile's track record: beside the account's, never in its figures
        simulated = build(_journal(shadow, "no report"), days)
        summary["shadow"] = {key: simulated[key] for key in ("authors", "instruments", "total")}
    last = summary["days"][-1]["name"] if summary["days"] else "empty"
    target = out or path.parent / "reports" / f"{path.stem}-{last}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page(summary, f"journal {path}"), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(summary))
        click.echo(f"report: {target}", err=True)
        return
    print_tables(Console(markup=False, highlight=False), summary)
    click.echo(f"report: {target}")


@click.command()
@control_db_option
@env_file_option
def console(db: Path | None, env_file: Path | None) -> None:
    """A Python shell with `orchestrator` bound to the configured journal and broker (it holds the
    journal's lock like `run`: one trading process per journal).

    Try `orchestrator.executor.activate_kill_switch("manual stop")` or `orchestrator.executor.book`.
    """
    from ..journal import JournalInUse
    from .shell import interact

    try:
        interact(load_or_exit(env_file, profiles=True), db)
    except JournalInUse as exc:
        refuse(str(exc))


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Print the datasette metadata and command instead of starting it."
)
@control_db_option
@env_file_option
def audit(dry_run: bool, db: Path | None, env_file: Path | None) -> None:
    """Open the journal in datasette with the canned queries (a message's story, the day's decisions,
    denials by reason, kill switch history), whatever the journal file is called.

    Without --db: the running bot's journal, else the settings' journal. It never creates a journal.
    datasette is an optional extra: pip install 'autoscalper[audit]'.
    """
    import shutil
    import subprocess
    import tempfile

    from ..journal.audit import datasette_metadata

    [path] = _targets(load_or_exit(env_file), db)
    _journal(path, "nothing to audit").close()
    metadata = json.dumps(datasette_metadata(path), indent=2)
    datasette = shutil.which("datasette")
    if dry_run:
        click.echo(metadata)
        click.echo(f"datasette {path} --metadata METADATA.json", err=True)
        return
    if datasette is None:
        refuse("datasette is not installed: pip install 'autoscalper[audit]' (or pipx install datasette)")
    with tempfile.TemporaryDirectory() as scratch:
        file = Path(scratch) / "metadata.json"
        file.write_text(metadata, encoding="utf-8")
        command = [datasette, str(path), "--metadata", str(file)]  # the installed datasette, our files
        sys.exit(subprocess.run(command, check=False).returncode)  # noqa: S603
