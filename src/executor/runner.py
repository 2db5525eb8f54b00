"""Run the kill switch's coroutine from wherever it is called, so it can never be left un-run.

A coroutine that nobody awaits never runs: for a kill switch typed into a console that would be a
silent failure. ``KillSwitchRun`` starts the work at once, in the caller's running loop, on the bot's
loop in another thread, or on a fresh loop, and can then be awaited for the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

from .kill import KillReport

THREAD_WAIT_SECONDS = 120.0


def home_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def on_other_thread(loop: asyncio.AbstractEventLoop | None) -> bool:
    """Whether ``loop`` is running, and not in this thread."""
    return loop is not None and loop.is_running() and loop is not home_loop()


class KillSwitchRun:
    """The kill switch at work. ``await`` it (or read ``report`` once ``done``) for its report."""

    def __init__(
        self, work: Coroutine[Any, Any, KillReport], bot_loop: asyncio.AbstractEventLoop | None
    ) -> None:
        self.report: KillReport | None = None
        self._task: asyncio.Task[KillReport] | None = None
        running = home_loop()
        if running is not None:
            self._task = running.create_task(work)
            self._task.add_done_callback(self._finished)
        elif bot_loop is not None and on_other_thread(bot_loop):
            self.report = asyncio.run_coroutine_threadsafe(work, bot_loop).result(THREAD_WAIT_SECONDS)
        else:
            self.report = asyncio.run(work)

    @property
    def done(self) -> bool:
        return self.report is not None

    def __repr__(self) -> str:
        """At a Python prompt the call shows its report (it has finished there: no loop was running)."""
        if self.report is not None:
            return "\n".join(self.report.lines())
        return "<kill switch running: await it for the report>"

    def __await__(self) -> Generator[Any, None, KillReport]:
        return self._result().__await__()

    async def _result(self) -> KillReport:
        if self._task is not None:
            return await asyncio.shield(self._task)
        assert self.report is not None
        return self.report

    def _finished(self, task: asyncio.Task[KillReport]) -> None:
        if not task.cancelled() and task.exception() is None:
            self.report = task.result()
