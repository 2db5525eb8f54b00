"""Notifications to the trader's channel: decisions, fills, the kill switch, lost connections.

Trading never waits for them. ``Notifier.push`` only appends a line to a bounded backlog; one task
sends the backlog, coalescing what piled up into as few messages as fit (Discord's 2,000-character
limit), at most ``per_window`` messages in any ``window`` seconds (a sliding window: a leaky bucket
lets nearly twice that through one window). If the channel cannot
keep up, the oldest lines go first and a count of what was dropped is sent; a failed send is journaled
and the task goes on. Every message starts with the mode, so a live notice never reads like a paper one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

from executor import (
    ConnectionLost,
    ConnectionRestored,
    ErrorReported,
    KillSwitchEngaged,
    KillSwitchFinished,
    Notice,
    OrderFilled,
    OrderRejected,
    PositionBook,
    ProtectionNotice,
    TradingResumed,
)
from risk import instrument_key

from ..pipeline import MISSED, Handled
from .tables import decision_line, price_label

MESSAGE_LIMIT = 1900  # Discord's 2,000 characters, less room for the banner
NOTIFIED_VERDICTS = frozenset({"approved", "denied", "reported", "amended"})


class SlidingWindow:
    """At most ``limit`` entries in any ``window`` seconds: ``async with`` waits for the oldest of the
    last ``limit`` to leave the window."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.sent: deque[float] = deque(maxlen=limit)

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        if len(self.sent) == self.limit:
            await asyncio.sleep(max(0.0, self.sent[0] + self.window - loop.time()))
        self.sent.append(loop.time())

    async def __aexit__(self, *exc: object) -> None:
        return None


class Notifier:
    def __init__(
        self,
        send: Callable[[str], Awaitable[object]],
        *,
        banner: str,
        on_failure: Callable[[str], None],
        per_window: int = 5,
        window: float = 5.0,
        backlog: int = 500,
    ) -> None:
        self._send, self._banner, self._on_failure = send, banner, on_failure
        self._lines: deque[str] = deque(maxlen=backlog)
        self._limiter = SlidingWindow(per_window, window)
        self._pending = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.dropped = 0
        self.sent = 0

    def push(self, line: str) -> None:
        """Queue ``line``; never waits, never raises."""
        if len(self._lines) == self._lines.maxlen:
            self.dropped += 1
        self._lines.append(line)
        self._idle.clear()
        self._pending.set()

    async def run(self) -> None:
        """Send what is queued, for as long as the bot runs."""
        while True:
            await self._pending.wait()
            self._pending.clear()
            while self._lines or self.dropped:
                async with self._limiter:
                    await self._send_one(self._take())
            self._idle.set()

    async def flush(self, wait: float = 5.0) -> None:
        """Give queued lines up to ``wait`` seconds to go out (at shutdown)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), wait)

    def _take(self) -> str:
        parts: list[str] = [self._banner]
        if self.dropped:
            parts.append(f"({self.dropped} earlier notices were dropped: the channel could not keep up)")
            self.dropped = 0
        size = sum(len(p) + 1 for p in parts)
        while self._lines and size + len(self._lines[0]) + 1 <= MESSAGE_LIMIT:
            line = self._lines.popleft()
            parts.append(line)
            size += len(line) + 1
        if len(parts) == 1 and self._lines:  # one line longer than a message: cut it
            parts.append(self._lines.popleft()[: MESSAGE_LIMIT - size - 1] + "…")
        return "\n".join(parts)

    async def _send_one(self, text: str) -> None:
        try:
            await self._send(text)
            self.sent += 1
        except Exception as exc:
            self._on_failure(f"{type(exc).__name__}: {exc}")


Where = Callable[[str], str]  # a message id -> what to add to its line (instrument, a link to it)


def _nowhere(message_id: str) -> str:
    return ""


def outcome_line(outcome: Handled, where: Where = _nowhere) -> str | None:
    """A decision worth telling the trader (approved, denied, an edit reported, a missed alert), or
    None for chatter; a line per such instruction when the message has several, each followed by
    ``where(its id)``."""
    lines = [
        line + where(part.message_id)
        for part in outcome.parts
        if (line := _one_outcome_line(part)) is not None
    ]
    return "\n".join(lines) if lines else None


def _one_outcome_line(outcome: Handled) -> str | None:
    if outcome.verdict in NOTIFIED_VERDICTS:
        return decision_line(outcome)
    if MISSED in outcome.reasons:
        return (
            f"MISSED {outcome.kind} alert {outcome.message_id}, posted while the bot was away: "
            f"{outcome.detail}. Act by hand if it matters."
        )
    return None


def notice_line(notice: Notice, book: PositionBook, where: Where = _nowhere) -> str | None:
    """A broker or kill-switch event worth telling the trader, or None; a fill and a protection
    notice are followed by ``where`` the message that caused them."""
    if isinstance(notice, OrderFilled):
        state = book.orders.get(notice.client_id)
        what = (
            f"{state.order.action.value} {notice.quantity} {instrument_key(state.order.instrument)}"
            if state
            else ""
        )
        link = where(state.order.message_id) if state else ""
        basis = price_label(notice.price_basis, delayed=notice.quote is not None and notice.quote.delayed)
        return f"FILLED {what} @ {notice.price}{basis} ({notice.client_id}, {notice.remaining} left){link}"
    if isinstance(notice, OrderRejected):
        return f"REJECTED {notice.client_id}: {notice.code} {notice.text}"
    if isinstance(notice, ErrorReported) and not notice.warning:
        return f"broker error {notice.code}: {notice.text}"
    if isinstance(notice, ConnectionLost) and notice.expected:
        return (
            f"broker offline for IB's nightly maintenance (expected): {notice.detail}; reconnecting after it"
        )
    if isinstance(notice, ConnectionLost):
        return f"BROKER DISCONNECTED: {notice.detail or 'connection lost'}; nothing is sent until it is back"
    if isinstance(notice, ConnectionRestored):
        return f"broker connection restored{f': {notice.detail}' if notice.detail else ''}"
    if isinstance(notice, KillSwitchEngaged):
        return f"KILL SWITCH engaged ({notice.cause}): {notice.reason}"
    if isinstance(notice, KillSwitchFinished):
        return "\n".join(notice.report.lines())
    if isinstance(notice, TradingResumed):
        return f"trading resumed by {notice.by}"
    if isinstance(notice, ProtectionNotice):
        return notice.line() + where(notice.position)
    return None
