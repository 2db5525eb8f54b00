"""The kill switch, in the order docs/architecture.md fixes, and the error counter that trips it.

1. Persist ``halted`` (``engage``, synchronous: it happens even if nothing after it does).
2. Cancel every working order (a global cancel, then per-order cancels for anything still working).
3. Wait for the cancels to be confirmed, up to a timeout; a timeout is reported, never ignored.
4. Close the bot's positions at market on the contracts it opened. A position whose own orders are
   not confirmed cancelled is not flattened (a live stop plus a market close could sell twice and
   leave a short); the report names it.
5. Wait for the closing fills and verify the bot is flat, against its book and the broker's positions.
6. Whatever a refused or short flattening left held gets a broker-side stop again (``protect.py``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime

from risk import TradingState, TradingStatus

from .book import Holding, PositionBook
from .broker import Broker, BrokerUnavailable
from .orders import FLATTEN, Frozen, Order, is_ours, market_close
from .protect import ProtectionNotice
from .state import StateStore

KILL_SWITCH = "kill_switch"
BROKER_ERRORS = "broker_errors"


class KillReport(Frozen):
    """What one activation did, for the journal, the console and Discord."""

    reason: str
    cause: str
    at: AwareDatetime
    flatten: bool
    already_halted: bool
    cancelled: tuple[str, ...] = ()
    cancels_confirmed: bool = True
    still_working: tuple[str, ...] = ()
    flatten_orders: tuple[str, ...] = ()
    not_flattened: tuple[str, ...] = ()
    flat: bool = True
    remaining: Mapping[str, int] = {}
    problems: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The report in plain words, one fact per line."""
        out = [f"Kill switch: trading halted ({self.reason}). `autoscalper resume` is the only way back."]
        confirmation = "all confirmed" if self.cancels_confirmed else "NOT all confirmed before the timeout"
        out.append(f"Cancelled {len(self.cancelled)} working order(s), {confirmation}.")
        out += [f"Still working: {cid}" for cid in self.still_working]
        if self.flatten:
            out.append(f"Sent {len(self.flatten_orders)} market order(s) to close the bot's positions.")
        out += [f"Not flattened: {name}" for name in self.not_flattened]
        out.append("Flat: yes." if self.flat else f"Flat: NO. Still held: {_listing(self.remaining)}.")
        out += [f"Problem: {problem}" for problem in self.problems]
        return out


class KillSwitchEngaged(Frozen):
    kind: Literal["kill_switch_engaged"] = "kill_switch_engaged"
    at: AwareDatetime
    reason: str
    cause: str


class KillSwitchFinished(Frozen):
    kind: Literal["kill_switch_finished"] = "kill_switch_finished"
    report: KillReport


class TradingResumed(Frozen):
    kind: Literal["trading_resumed"] = "trading_resumed"
    at: AwareDatetime
    by: str


@dataclass
class ErrorBudget:
    """``limit`` rejections or broker errors within ``window`` trip the kill switch."""

    limit: int = 5
    window: timedelta = timedelta(minutes=10)
    _times: deque[datetime] = field(default_factory=deque)

    def record(self, at: datetime) -> bool:
        """Count one error at ``at``; True when the budget is spent."""
        self._times.append(at)
        while self._times and self._times[0] <= at - self.window:
            self._times.popleft()
        return len(self._times) >= self.limit

    def reset(self) -> None:
        self._times.clear()


def halted(reason: str, at: datetime, cause: str = KILL_SWITCH) -> TradingStatus:
    """The latched halt, wherever it is written from: the bot's kill switch, the loss cap, or the
    console's ``autoscalper kill`` for a bot that reads it before its next decision."""
    return TradingStatus(state=TradingState.HALTED, cause=cause, detail=reason, since=at)


def resumed(by: str, at: datetime) -> TradingStatus:
    """Back to active: a person decided to trade again (the only way back)."""
    return TradingStatus(cause="resume", detail=f"resumed by {by}", since=at)


@dataclass
class KillSwitch:
    broker: Broker
    book: PositionBook
    state: StateStore
    clock: Callable[[], datetime]
    timeout: float = 10.0
    poll: float = 0.05
    protect: Callable[[str, str], Awaitable[ProtectionNotice | None]] | None = None
    running: bool = False

    def engage(self, reason: str, cause: str) -> bool:
        """Persist ``halted`` first. Returns whether trading was already halted."""
        already = self.state.trading_status().state is TradingState.HALTED
        self.state.record_status(halted(reason, self.clock(), cause))
        return already

    async def run(self, reason: str, cause: str, *, flatten: bool, already_halted: bool) -> KillReport:
        self.running = True
        try:
            return await self._run(reason, cause, flatten=flatten, already_halted=already_halted)
        finally:
            self.running = False

    async def _run(self, reason: str, cause: str, *, flatten: bool, already_halted: bool) -> KillReport:
        at = self.clock()
        cancelled: tuple[str, ...] = ()
        orders: tuple[str, ...] = ()
        skipped: tuple[str, ...] = ()
        problems: list[str] = []
        try:
            cancelled, still = await self._cancel_everything()
            if flatten:
                orders, skipped, problems = await self._flatten(still)
        except (BrokerUnavailable, ConnectionError, TimeoutError) as exc:
            # Halted is already persisted; what could not be done is reported, never dropped.
            still = self._working()
            problems.append(f"the broker failed during the kill switch: {exc}")
        remaining = await self._wait_flat() if orders else self._held()
        if flatten and remaining:
            problems += await self._protect_leftovers()
        problems += self._broker_disagrees()
        return KillReport(
            reason=reason,
            cause=cause,
            at=at,
            flatten=flatten,
            already_halted=already_halted,
            cancelled=cancelled,
            cancels_confirmed=not still,
            still_working=tuple(sorted(still)),
            flatten_orders=orders,
            not_flattened=skipped,
            flat=not remaining,
            remaining=remaining,
            problems=tuple(problems),
        )

    def _working(self) -> set[str]:
        ours = {s.order.client_id for s in self.book.working()}
        ours |= {w.order.client_id for w in self.broker.snapshot().working if is_ours(w.order.client_id)}
        return ours

    async def _cancel_everything(self) -> tuple[tuple[str, ...], set[str]]:
        before = self._working()
        await self.broker.cancel_all()
        still = await self._wait(self._working)
        for order_id in sorted(still):  # the backstop: one cancel per order the global cancel missed
            await self.broker.cancel(order_id)
        if still:
            still = await self._wait(self._working)
        return tuple(sorted(before)), still

    async def _flatten(self, still: set[str]) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
        orders: list[str] = []
        skipped: list[str] = []
        problems: list[str] = []
        unconfirmed = {self.book.orders[cid].order.position for cid in still if cid in self.book.orders}
        for holding in [h for h in self.book.open_holdings() if h.quantity > 0]:
            if holding.position in unconfirmed:
                skipped.append(f"{holding.key} ({holding.position}): its orders are not confirmed cancelled")
                continue
            order = self._closing_order(holding)
            ack = await self.broker.place_close(order)
            orders.append(order.client_id)
            if not ack.accepted:
                problems.append(f"closing {holding.key} was refused: {ack.code} {ack.text}")
        return tuple(orders), tuple(skipped), problems

    def _closing_order(self, holding: Holding) -> Order:
        return market_close(
            client_order_id=self.book.next_client_id(holding.position, FLATTEN),
            message_id=holding.position,
            position=holding.position,
            instrument=holding.instrument,
            side=holding.side,
            quantity=holding.quantity,
        )

    async def _protect_leftovers(self) -> list[str]:
        """A flattening refused or filled short: what is held gets its stop back, or is named."""
        if self.protect is None:
            return []
        problems = []
        for holding in [h for h in self.book.open_holdings() if h.quantity > 0]:
            failed = f"the kill switch could not flatten it ({holding.quantity} left after its market order)"
            notice = await self.protect(holding.position, failed)
            if notice is not None:
                problems.append(notice.line())
        return problems

    def _held(self) -> dict[str, int]:
        held: dict[str, int] = {}
        for holding in self.book.open_holdings():
            if holding.quantity:
                held[holding.key] = held.get(holding.key, 0) + holding.quantity
        return held

    async def _wait_flat(self) -> dict[str, int]:
        await self._wait(lambda: set(self._held()))
        return self._held()

    def _broker_disagrees(self) -> list[str]:
        """Instruments the bot traded where the broker's net position differs from the book's."""
        broker = self.broker.snapshot().positions
        book = self.book.net_positions()
        return [
            f"the broker holds {broker.get(key, 0)} of {key} where the bot's book has {net}"
            for key, net in sorted(book.items())
            if broker.get(key, 0) != net
        ]

    async def _wait(self, pending: Callable[[], set[str]]) -> set[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        left = pending()
        while left and loop.time() < deadline:
            await asyncio.sleep(self.poll)
            left = pending()
        return left


def _listing(remaining: Mapping[str, int]) -> str:
    return ", ".join(f"{qty} {key}" for key, qty in sorted(remaining.items()))
