"""``autoscalper replay`` and ``autoscalper run``: the commands that trade (on paper, here)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from .common import db_option, env_file_option, fail, load_or_exit, progress_bar, refuse, replay_db_option

if TYPE_CHECKING:
    from ..app import Orchestrator
    from ..control import ControlResult
    from ..settings import Settings
    from ..sources import AlertSource
    from ..views.tables import Pnl

READINESS_SKIPPED = "readiness_skipped"  # the notice a live start without readiness leaves


def _in_use() -> type[Exception]:
    from ..journal import JournalInUse

    return JournalInUse


def _expected() -> tuple[type[Exception], ...]:
    """The failures that are one line for the user, not a traceback."""
    from executor import BrokerUnavailable, ModeMismatch

    from ..journal import JournalError

    return JournalError, BrokerUnavailable, ModeMismatch


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@replay_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON summary as the last line.")
@click.option(
    "--journal",
    "old",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --compare: the journal whose recorded messages are re-run.",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Re-run --journal's messages with today's parser and limits; "
    "print each decision that differs (exit 1 if any).",
)
@click.option(
    "--broker",
    type=click.Choice(["paper", "ib"]),
    default="paper",
    show_default=True,
    help="paper: the built-in simulator. ib: send the orders to the IB paper account at "
    "IBKR_HOST:IBKR_PORT (always paper mode; the session's quotes are not sent, IB's market fills).",
)
@env_file_option
def replay(
    files: tuple[Path, ...],
    db: Path | None,
    as_json: bool,
    old: Path | None,
    compare: bool,
    broker: str,
    env_file: Path | None,
) -> None:
    """Replay session FILE(s) on a simulated clock, on the paper simulator or an IB paper account.

    Prints each message's decision, the fills and the day's P&L. Without --db the journal is a
    temporary file; with --db a replay interrupted half way resumes where it stopped. Several FILEs
    are replayed one after the other, each into its own temporary journal. With --broker ib a
    management message first waits (up to 10 s) for working entries to fill at IB, and the brackets
    stay at IB when the replay ends (stops included): `autoscalper kill --db` on the same journal
    cancels and flattens them at the next start.
    """
    settings = load_or_exit(env_file, profiles=True)
    if compare:
        if old is None or files:
            raise click.UsageError("--compare takes --journal OLD.db and no FILE")
        from rich.console import Console

        from ..views.compare import run_compare

        sys.exit(run_compare(old, settings, Console(markup=False, highlight=False)))
    if not files:
        raise click.UsageError("give a session FILE (or --journal OLD.db --compare)")
    if len(files) > 1 and (db is not None or as_json):
        raise click.UsageError("--db and --json take a single FILE")
    from ..views.tables import Pnl

    total = Pnl()
    for path in files:
        total.add(_replay_one(path, db, as_json, settings, broker))
    if len(files) > 1:
        click.secho(total.line(f"All {len(files)} sessions", ""), bold=True)


def _replay_one(path: Path, db: Path | None, as_json: bool, settings: Settings, broker: str) -> Pnl:
    from rich.console import Console

    from risk import trading_day

    from ..journal import Journal
    from ..sources.session.replay import replay as run_replay
    from ..sources.session.replay import summary_items, write_summary
    from ..views.tables import FOLD_IGNORED_ABOVE, print_pnl, print_session

    console = Console(markup=False, highlight=False)
    with tempfile.TemporaryDirectory() as scratch:
        journal_path = db or Path(scratch) / "replay.db"
        source = str(path.resolve())
        lines = path.open(encoding="utf-8", errors="replace")
        with lines, progress_bar(f"replaying {path.name}") as progress:
            total = sum(1 for _ in lines) if progress else None  # read as replayed: a count first
            lines.seek(0)
            work = run_replay(
                lines,
                settings,
                journal_path,
                source=source,
                progress=progress,
                broker=broker,
                total=total,
                summary=False,  # streamed from the journal below: a long replay is not held in memory
            )
            try:
                result = asyncio.run(work)
            except _in_use() as exc:
                refuse(str(exc))
            except _expected() as exc:
                fail(str(exc))
        for bad in result.bad_lines:
            click.echo(f"{path}: skipped {bad}", err=True)
        journal = Journal(journal_path, durable=False)
        try:
            fold = result.messages > FOLD_IGNORED_ABOVE
            print_session(console, journal, f"{path.name}", source, fold=fold)
            days = {trading_day(datetime.fromisoformat(at)).isoformat() for at in journal.input_times(source)}
            pnl = print_pnl(console, journal, days, result, plain=fold)
            where = str(db) if db else "temporary (pass --db PATH to keep it)"
            console.print(f"journal: {where}", style="dim")
            if as_json:
                write_summary(summary_items(journal, result), sys.stdout)
        finally:
            journal.close()
    return pnl


@click.command()
@click.option(
    "--input",
    "stream",
    type=click.File("r", encoding="utf-8", errors="replace"),  # a stray byte is a character, not a crash
    default=None,
    help="Read alerts from FILE, or - for the terminal (type an alert, see the decision), "
    "instead of listening to Discord (the console source).",
)
@click.option(
    "--source",
    "names",
    multiple=True,
    metavar="NAME",
    help="Where alerts come from: discord (the default), console (the default with --input), "
    "webhook (TradingView) or telegram. Repeat it to run several sources in one bot, one journal.",
)
@click.option(
    "--skip-readiness",
    "skip",
    metavar="WHY",
    help="Live only: start without the paper journal's readiness (journaled, and said in the banner "
    "and in status).",
)
@db_option
@env_file_option
def run(
    stream: IO[str] | None, names: tuple[str, ...], skip: str | None, db: Path | None, env_file: Path | None
) -> None:
    """Run the bot: alerts in, decisions and orders out, everything journaled.

    Without --input it listens to the Discord channels in DISCORD_CHANNEL_IDS (needs DISCORD_TOKEN
    and DISCORD_AUTHOR_IDS). Orders go to the paper simulator (at IB's prices with QUOTE_SOURCE=ib,
    nothing sent to the account), or to IB with BROKER=ib.
    `autoscalper kill` / `resume` from another terminal, or !kill / !resume from an id in
    DISCORD_CONTROL_USER_IDS, reach the running bot within a second. One bot per journal: a second
    one refuses to start (exit 2); a journal deleted or replaced under the bot stops it (exit 1).
    """
    from ..sources import KINDS
    from .common import EXIT_BAD_SETTING

    settings = load_or_exit(env_file, profiles=True)
    names = names or (("console",) if stream is not None else ("discord",))
    kinds = []
    for name in dict.fromkeys(names):
        kind = KINDS.get(name)
        if kind is None or kind.build is None:
            runnable = ", ".join(k.name for k in KINDS.values() if k.build is not None)
            raise click.BadParameter(
                f"{name!r} is not a source `run` can start ({runnable})", param_hint="--source"
            )
        kinds.append(kind)
    if ("console" in names) != (stream is not None):
        raise click.UsageError("--input FILE (or -) goes with the console source, and it needs one")
    for kind in kinds:  # every setting a source needs, before a journal or broker is opened
        try:
            kind.check(settings)
        except _settings_error() as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_SETTING)
    if not settings.PAPER_MODE and skip is None:
        _require_readiness(settings)
    orchestrator = _open_bot(settings, db)
    if not settings.PAPER_MODE and skip is not None:
        orchestrator.readiness_skipped = skip.strip() or "no reason given"
        orchestrator.journal.record_notice(
            READINESS_SKIPPED, orchestrator.clock(), orchestrator.readiness_skipped
        )

    def sources() -> list[AlertSource]:
        from ..sources.base import SourceContext

        context = SourceContext(orchestrator, settings, _say, _echo, stream)
        return [kind.build(context) for kind in kinds if kind.build is not None]

    _serve(orchestrator, sources, connecting="Discord" if "discord" in names else None)


def _require_readiness(settings: Settings) -> None:
    """A live start needs the paper journal's checklist to hold (``autoscalper readiness``)."""
    from ..journal import JournalError
    from ..views.readiness import check_journal, ready
    from .common import EXIT_BAD_SETTING

    path = settings.READINESS_JOURNAL
    try:
        checks = check_journal(path, settings)
    except JournalError as exc:
        refuse(f"live start refused: no paper journal to check ({exc}); practise on paper first")
    if ready(checks):
        return
    click.echo(
        f"error: live start refused: the paper journal {path} is not ready (autoscalper readiness):", err=True
    )
    for check in checks:
        if check.ok is False:
            click.echo(f"  {check.line()}", err=True)
    click.echo(
        "  (or start with --skip-readiness WHY: journaled, and said in every banner and in status)", err=True
    )
    sys.exit(EXIT_BAD_SETTING)


def _settings_error() -> type[Exception]:
    from ..settings import SettingsError

    return SettingsError


def _serve(
    orchestrator: Orchestrator, sources: Callable[[], list[AlertSource]], connecting: str | None
) -> None:
    """Start the bot, then run its sources in the one loop (``sources.base.listen``) until they end,
    Ctrl-C or SIGTERM. A source that cannot start is one line and exit 2; a broken journal or broker
    one line and exit 1."""
    from ..sources import listen
    from ..sources.base import SourceStartError
    from .common import EXIT_BAD_SETTING

    async def go() -> None:
        _stop_on_sigterm()
        if orchestrator.market is not None:
            orchestrator.market.listeners.append(_say)
        try:
            _echo_control(await orchestrator.start())
            _say(_banner(orchestrator, connecting=connecting))  # Discord says "running" once READY
            orchestrator.announcements.append(_say)  # each new trading day's "alive" line
            await listen(orchestrator, sources(), _say)
        finally:
            await orchestrator.shutdown()  # the broker, a checkpoint, the journal

    try:
        asyncio.run(go())
    except SourceStartError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_SETTING)
    except _expected() as exc:
        fail(str(exc))
    except (KeyboardInterrupt, asyncio.CancelledError):
        click.echo("stopped.", err=True)
    finally:
        orchestrator.close()


def _open_bot(settings: Settings, db: Path | None) -> Orchestrator:
    """The journal and broker of a ``run``; a failure is one line and exit 1."""
    from ..app import Orchestrator
    from ..sources import allowlists

    try:
        return Orchestrator.open(settings, command="run", journal_path=db, allow=allowlists(settings))
    except _in_use() as exc:
        refuse(str(exc))
    except _expected() as exc:
        fail(str(exc))


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop) ends the run like Ctrl-C: the journal and broker close cleanly."""
    import signal

    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _banner(orchestrator: Orchestrator, *, connecting: str | None = None) -> str:
    state = orchestrator.executor.status
    doing = f"connecting to {connecting}" if connecting else "running"
    quotes = ", quotes from IB" if orchestrator.market is not None else ""
    skipped = orchestrator.readiness_skipped
    warning = f" [LIVE WITHOUT READINESS: {skipped}]" if skipped else ""
    settings = orchestrator.settings
    return (
        f"autoscalper {doing} ({settings.mode}, {settings.BROKER}{quotes}){warning}; "
        f"trading {state.state}; journal {orchestrator.journal.path}"
    )


def _echo(line: str) -> None:
    click.echo(line)
    sys.stdout.flush()


def _echo_control(results: Sequence[ControlResult]) -> None:
    for result in results:
        for line in result.lines:
            click.echo(line)
    sys.stdout.flush()
