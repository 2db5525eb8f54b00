"""``autoscalper replay`` and ``autoscalper run``: the commands that trade (on paper, here)."""

from __future__ import annotations

import asyncio
import codecs
import json
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from .common import db_option, env_file_option, fail, load_or_exit, progress_bar, refuse, replay_db_option

if TYPE_CHECKING:
    from ..app import ControlResult, Orchestrator
    from ..settings import Settings


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
    settings = load_or_exit(env_file)
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
    for path in files:
        _replay_one(path, db, as_json, settings, broker)


def _replay_one(path: Path, db: Path | None, as_json: bool, settings: Settings, broker: str) -> None:
    from rich.console import Console

    from ..sources.session.replay import replay as run_replay
    from ..views.tables import print_pnl, print_session

    console = Console(markup=False, highlight=False)
    with tempfile.TemporaryDirectory() as scratch:
        journal_path = db or Path(scratch) / "replay.db"
        source = str(path.resolve())
        lines = path.open(encoding="utf-8", errors="replace")
        with lines, progress_bar(f"replaying {path.name}") as progress:
            total = sum(1 for _ in lines) if progress else None  # read as replayed: a count first
            lines.seek(0)
            work = run_replay(
                lines, settings, journal_path, source=source, progress=progress, broker=broker, total=total
            )
            try:
                result = asyncio.run(work)
            except _in_use() as exc:
                refuse(str(exc))
            except _expected() as exc:
                fail(str(exc))
        for bad in result.bad_lines:
            click.echo(f"{path}: skipped {bad}", err=True)
        from ..journal import Journal

        journal = Journal(journal_path, durable=False)
        ids = [d["message_id"] for d in result.summary["decisions"]]
        print_session(console, journal, f"{path.name}", ids)
        journal.close()
        print_pnl(console, result.summary)
        where = str(db) if db else "temporary (pass --db PATH to keep it)"
        console.print(f"journal: {where}", style="dim")
    if as_json:
        click.echo(json.dumps(result.summary))


@click.command()
@click.option(
    "--input",
    "source",
    type=click.File("r", encoding="utf-8", errors="replace"),  # a stray byte is a character, not a crash
    default=None,
    help="Read alerts from FILE, or - for the terminal (type an alert, see the decision), "
    "instead of listening to Discord.",
)
@db_option
@env_file_option
def run(source: IO[str] | None, db: Path | None, env_file: Path | None) -> None:
    """Run the bot: alerts in, decisions and orders out, everything journaled.

    Without --input it listens to the Discord channels in DISCORD_CHANNEL_IDS (needs DISCORD_TOKEN
    and DISCORD_AUTHOR_IDS). Orders go to the paper simulator, or to IB with BROKER=ib.
    `autoscalper kill` / `resume` from another terminal, or !kill / !resume from an id in
    DISCORD_CONTROL_USER_IDS, reach the running bot within a second. One bot per journal: a second
    one refuses to start (exit 2); a journal deleted or replaced under the bot stops it (exit 1).
    """
    settings = load_or_exit(env_file)
    if source is None:
        _listen(settings, db)
        return
    orchestrator = _open_bot(settings, db)
    # Message ids: a file's lines by its full path (run it again and nothing is acted on twice);
    # typed lines by run, since the same line number means a different message each time.
    prefix = f"file:{Path(source.name).resolve()}"
    if source.name == "<stdin>":
        prefix = f"stdin:{orchestrator.journal.run_id}"
    try:
        asyncio.run(_run(orchestrator, source, prefix))
    except _expected() as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        click.echo("stopped.")
    finally:
        orchestrator.close()


def _listen(settings: Settings, db: Path | None) -> None:
    """``run`` on Discord: settings first (exit 2), then journal and broker (exit 1), then Discord."""
    import logging

    from ..settings import SettingsError
    from ..sources.discord import DiscordStartError, check_settings, serve
    from .common import EXIT_BAD_SETTING

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        token = check_settings(settings)
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_SETTING)
    orchestrator = _open_bot(settings, db)

    async def listen() -> None:
        try:
            _echo_control(await orchestrator.start())
            _say(_banner(orchestrator, connecting=True))  # "running" once the gateway is READY
            await serve(orchestrator, token, _say)
        finally:
            await orchestrator.executor.broker.shutdown()

    try:
        asyncio.run(listen())
    except DiscordStartError as exc:
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

    try:
        return Orchestrator.open(settings, command="run", journal_path=db)
    except _in_use() as exc:
        refuse(str(exc))
    except _expected() as exc:
        fail(str(exc))


def _say(line: str) -> None:
    click.echo(line, err=True)


def _banner(orchestrator: Orchestrator, *, connecting: bool = False) -> str:
    state = orchestrator.executor.status
    doing = "connecting to Discord" if connecting else "running"
    return (
        f"autoscalper {doing} ({orchestrator.settings.mode}, {orchestrator.settings.BROKER}); "
        f"trading {state.state}; journal {orchestrator.journal.path}"
    )


async def _run(orchestrator: Orchestrator, source: IO[str], prefix: str) -> None:
    from ..app import CONTROL_POLL_SECONDS
    from ..messages import Message
    from ..views.tables import decision_line

    _echo_control(await orchestrator.start())
    _say(_banner(orchestrator))
    orchestrator.executor.subscribe(_say_protection)

    async def poll() -> None:
        while True:
            await asyncio.sleep(CONTROL_POLL_SECONDS)
            _echo_control(await orchestrator.poll_control())

    poller = asyncio.create_task(poll())
    lines = _read_in_background(source)
    number = 0
    try:
        while True:
            reading = asyncio.ensure_future(lines.get())
            await asyncio.wait({reading, poller}, return_when=asyncio.FIRST_COMPLETED)
            if poller.done():  # the journal failed between messages (deleted, replaced): stop here
                reading.cancel()
                poller.result()
            line = reading.result()
            if line is None:
                break
            number += 1
            if not line.strip():
                continue
            now = datetime.now(UTC)
            message = Message(
                id=f"{prefix}:{number}",
                channel_id="console",
                author_id="console",
                text=line.strip(),
                sent_at=now,
                received_at=now,
                source="console",
            )
            click.echo(decision_line(await orchestrator.on_message(message)), nl=True)
            sys.stdout.flush()
    finally:
        poller.cancel()
        await orchestrator.executor.broker.shutdown()


def _read_in_background(source: IO[str]) -> asyncio.Queue[str | None]:
    """The source's lines on a daemon thread (None at the end): a bot that must stop while the
    terminal waits for input stops at once, instead of waiting for a line that may never come."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(line: str | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, line)

    def read() -> None:
        # Raw reads, decoded here: a daemon thread blocked inside a buffered reader would abort the
        # interpreter at exit (it holds the reader's lock).
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        partial: list[str] = []
        while chunk := os.read(source.fileno(), 1 << 16):
            *complete, rest = decoder.decode(chunk).split("\n")
            for piece in complete:
                put("".join(partial) + piece + "\n")
                partial.clear()
            partial.append(rest)
        last = "".join(partial) + decoder.decode(b"", final=True)
        if last:
            put(last)
        put(None)

    threading.Thread(target=read, name="autoscalper-input", daemon=True).start()
    return queue


def _say_protection(notice: object) -> None:
    """A position that lost its stop and what protects it now: the console must see it at once."""
    from executor import ProtectionNotice

    if isinstance(notice, ProtectionNotice):
        _say(notice.line())


def _echo_control(results: Sequence[ControlResult]) -> None:
    for result in results:
        for line in result.lines:
            click.echo(line)
    sys.stdout.flush()
