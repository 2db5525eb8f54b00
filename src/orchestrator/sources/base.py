"""What a message source is, and the one loop every source runs in.

A source (Discord, the console, a session file; a webhook or Telegram later) turns what arrives into
``Message``/``Edit``/``Delete`` and hands them to the bot (``Orchestrator.on_message`` ...), in the
order they came. It gets the executor's notices (a fill, a kill, a position that lost its stop) to
show its people. ``listen`` starts each source, runs them beside the control poller (console
``kill``/``resume`` within a second), and stops everything when the first of them ends: an input
that ran out, a fatal error, a journal that can no longer be written.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Protocol

from executor import Notice

from ..app import CONTROL_POLL_SECONDS, Orchestrator
from ..journal import JournalError
from ..pipeline import Allowlist
from ..settings import Settings

Say = Callable[[str], None]


class SourceStartError(Exception):
    """A source cannot start (a rejected token, an unreachable service); ``str()`` is the one line
    for the user, and the command exits 2."""


class AlertSource(Protocol):
    name: str

    async def start(self) -> None:
        """Connect; return once messages can be delivered (raise to refuse the start)."""

    async def deliver(self) -> None:
        """Hand messages to the bot until the input ends (return) or fails (raise)."""

    def notice(self, notice: Notice) -> None:
        """An executor notice, for the people watching this source."""

    async def stop(self, because: BaseException | None = None) -> None:
        """Stop delivering and disconnect; ``because`` is the error that stops the bot, if any."""


@dataclass(frozen=True)
class SourceContext:
    """What building a source may use: the opened bot, its settings, where to say things (the
    terminal's stderr), where to print decisions (stdout), and ``run --input``'s stream."""

    orchestrator: Orchestrator
    settings: Settings
    say: Say
    echo: Say
    stream: IO[str] | None = None


def _always(settings: Settings) -> None:
    return None


@dataclass(frozen=True)
class SourceKind:
    """A registered source. ``message_sources`` are the ``Message.source`` values it produces, each
    checked against ``allowlist(settings)``. ``run --source NAME`` calls ``check`` before anything
    opens (a ``SettingsError`` is exit 2), then ``build``; a source ``run`` cannot start (a session
    file is replayed) has no ``build``."""

    name: str
    message_sources: tuple[str, ...]
    allowlist: Callable[[Settings], Allowlist]
    check: Callable[[Settings], None] = _always
    build: Callable[[SourceContext], AlertSource] | None = None


async def listen(orchestrator: Orchestrator, sources: Sequence[AlertSource], say: Say) -> None:
    """Run a started ``orchestrator`` with ``sources`` until the first of them ends."""
    for source in sources:
        orchestrator.executor.subscribe(source.notice)
    started: list[AlertSource] = []
    failure: BaseException | None = None
    try:
        for source in sources:
            await source.start()
            started.append(source)
        tasks = {asyncio.create_task(s.deliver(), name=f"source {s.name}") for s in started}
        tasks.add(asyncio.create_task(_poll_control(orchestrator, say), name="control poller"))
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        failure = next((t.exception() for t in done if t.exception() is not None), None)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        for source in reversed(started):
            with contextlib.suppress(Exception):
                await source.stop(failure if isinstance(failure, JournalError) else None)
    if failure is not None:
        raise failure


async def _poll_control(orchestrator: Orchestrator, say: Say) -> None:
    """``autoscalper kill`` / ``resume`` from another terminal. A journal that fails here (deleted
    or replaced while no message came) ends the loop like any source's failure."""
    while True:
        await asyncio.sleep(CONTROL_POLL_SECONDS)
        for result in await orchestrator.poll():
            for line in result.lines:
                say(line)
