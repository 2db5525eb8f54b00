"""The console source: alerts typed at the terminal (``run --input -``) or read from a file
(``run --input FILE``), one per line, each decided at once and its decision printed.

Message ids: a file's lines by its full path (run it again and nothing is acted on twice); typed
lines by run, since the same line number means a different message each time. Lines are read on a
daemon thread, so a bot that must stop while the terminal waits for input stops at once.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from executor import Notice, ProtectionNotice

from ..app import Orchestrator
from ..messages import CONSOLE, Message
from ..pipeline import Allowlist
from ..settings import Settings
from ..views.tables import decision_line
from .base import Say, SourceContext, SourceKind, SourceStartError


def allowlist(settings: Settings) -> Allowlist:
    """Anyone: the person typing into ``autoscalper run`` is the trader."""
    return Allowlist()


def build(context: SourceContext) -> ConsoleSource:
    """Alerts from ``run --input FILE`` (or ``-``, the terminal)."""
    stream = context.stream
    if stream is None:
        raise SourceStartError("the console source reads `run --input FILE` (or - for the terminal)")
    prefix = f"file:{Path(stream.name).resolve()}"
    if stream.name == "<stdin>":
        prefix = f"stdin:{context.orchestrator.journal.run_id}"
    return ConsoleSource(context.orchestrator, stream, prefix, context.say, context.echo)


class ConsoleSource:
    name = "console"

    def __init__(
        self, orchestrator: Orchestrator, stream: IO[str], prefix: str, say: Say, echo: Callable[[str], None]
    ) -> None:
        self.orchestrator, self.stream, self.prefix, self.say, self.echo = (
            orchestrator,
            stream,
            prefix,
            say,
            echo,
        )
        self._lines: asyncio.Queue[str | None] | None = None

    async def start(self) -> None:
        self._lines = _read_in_background(self.stream)

    async def deliver(self) -> None:
        assert self._lines is not None, "start() first"
        number = 0
        while (line := await self._lines.get()) is not None:
            number += 1
            if not line.strip():
                continue
            now = datetime.now(UTC)
            message = Message(
                id=f"{self.prefix}:{number}",
                channel_id=CONSOLE,
                author_id=CONSOLE,
                text=line.strip(),
                sent_at=now,
                received_at=now,
                source=CONSOLE,
            )
            self.echo(decision_line(await self.orchestrator.on_message(message)))

    def notice(self, notice: Notice) -> None:
        """A position that lost its stop and what protects it now: the console must see it at once."""
        if isinstance(notice, ProtectionNotice):
            self.say(notice.line())

    async def stop(self, because: BaseException | None = None) -> None:
        """Nothing to disconnect: the reading thread is a daemon and ends with the process."""


def _read_in_background(source: IO[str]) -> asyncio.Queue[str | None]:
    """The source's lines on a daemon thread (None at the end)."""
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


KIND = SourceKind(name="console", message_sources=(CONSOLE,), allowlist=allowlist, build=build)
