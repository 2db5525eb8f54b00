"""Protection after a failed reduction: no held contract is ever left without a broker-side stop.

An exit cancels the position's stops before its closing order goes; a trim shrinks them first; the
kill switch cancels everything before it flattens. When the closing order is then refused, times out
unanswered, or ends only partly filled, contracts are held with less stop behind them than they need.
``Protector.protect`` finds the shortfall and places one lone stop for it, at the price the position's
stop had (the tightest when legs differed: the one that would have fired first). If that stop cannot
be placed, trading goes to ``reducing`` (``halted`` stays halted) and the notice says so: the trader
must protect it by hand. Every outcome is one ``ProtectionNotice`` for the trader and the journal.

Calls are serialized and recompute the shortfall, so the synchronous path (a refused plan), the
event path (a closing order that ends short later) and the checks after a restart or a reconnect
never place two stops for one gap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime

from parser import Side
from risk import TradingState, TradingStatus

from .book import Holding, OrderState, PositionBook
from .broker import Broker, BrokerUnavailable
from .orders import Frozen, Order, OrderStatus, OrderType, Role, closing_action
from .state import StateStore

UNPROTECTED = "unprotected_position"
PROTECT = "protect"  # the client id kind of a re-protecting stop: asc:<position>:protect:<n>


class ProtectionNotice(Frozen):
    """What failed on a position, and what protects what is still held now."""

    kind: Literal["position_protection"] = "position_protection"
    at: AwareDatetime
    position: str
    instrument: str
    held: int
    failed: str
    stop_price: Decimal | None = None
    stop_order: str | None = None
    problem: str = ""

    @property
    def protected(self) -> bool:
        return self.stop_order is not None and not self.problem

    def line(self) -> str:
        head = f"{self.instrument} ({self.position}): {self.failed}. {self.held} still held"
        if self.protected:
            where = f"{self.stop_price} ({self.stop_order})"
            return f"PROTECTED {head}, now under a new broker-side stop at {where}."
        return (
            f"UNPROTECTED {head} with no broker-side stop: {self.problem}. "
            "Trading is reducing (no new entries); protect or close it by hand."
        )


@dataclass
class Protector:
    broker: Broker
    book: PositionBook
    state: StateStore
    clock: Callable[[], datetime]
    notify: Callable[[ProtectionNotice], None]
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def protect(self, position: str, failed: str) -> ProtectionNotice | None:
        """Cover what ``position`` holds beyond its working stops; None when nothing is uncovered."""
        async with self._lock:
            holding = self.book.holdings.get(position)
            gap = self._uncovered(holding)
            if holding is None or gap <= 0:
                return None
            notice = await self._place(holding, gap, failed)
            if not notice.protected:
                self._reduce_trading(notice)
            self.notify(notice)
            return notice

    async def protect_all(self, failed: str, *, busy: Collection[str] = ()) -> list[ProtectionNotice]:
        """Every held position checked (after a restart, after a reconnect), but those in ``busy``:
        a plan is acting on them, and protects what it leaves when it ends."""
        held = [h.position for h in self.book.open_holdings() if h.quantity and h.position not in busy]
        notices = [await self.protect(position, failed) for position in held]
        return [notice for notice in notices if notice is not None]

    def _uncovered(self, holding: Holding | None) -> int:
        """Held contracts that neither a working stop nor a working closing order covers (a stop on
        top of a close that is still working could sell twice)."""
        if holding is None:
            return 0
        covering = self.book.working(holding.position, (Role.STOP, Role.CLOSE))
        return holding.quantity - sum(s.remaining for s in covering)

    async def _place(self, holding: Holding, gap: int, failed: str) -> ProtectionNotice:
        price = last_stop_price(self.book, holding)
        notice = ProtectionNotice(
            at=self.clock(), position=holding.position, instrument=holding.key, held=holding.quantity,
            failed=failed, stop_price=price,
        )  # fmt: skip
        if price is None:
            return notice.model_copy(update={"problem": "the position never had a stop price to restore"})
        order = self._stop_order(holding, gap, price)
        try:
            ack = await self.broker.place_close(order)
        except (BrokerUnavailable, ConnectionError, TimeoutError) as exc:
            return notice.model_copy(update={"problem": f"the broker is unavailable ({exc})"})
        if not ack.accepted:
            answer = f"{ack.code} {ack.text}" if ack.code is not None else ack.text
            refusal = f"the stop {order.client_id} was refused ({answer})"
            return notice.model_copy(update={"problem": refusal})
        return notice.model_copy(update={"stop_order": order.client_id})

    def _stop_order(self, holding: Holding, quantity: int, price: Decimal) -> Order:
        return Order(
            client_id=self.book.next_client_id(holding.position, PROTECT),
            message_id=holding.position,
            position=holding.position,
            instrument=holding.instrument,
            action=closing_action(holding.side),
            order_type=OrderType.STOP,
            quantity=quantity,
            price=price,
            role=Role.STOP,
        )

    def _reduce_trading(self, notice: ProtectionNotice) -> None:
        if self.state.trading_status().state is not TradingState.ACTIVE:
            return  # reducing already, or halted: never loosen the state
        detail = f"{notice.instrument} ({notice.position}) is held without a broker-side stop"
        status = TradingStatus(state=TradingState.REDUCING, cause=UNPROTECTED, detail=detail, since=notice.at)
        self.state.record_status(status)


def last_stop_price(book: PositionBook, holding: Holding) -> Decimal | None:
    """The price the position's stop had: the tightest of its stops that the broker ever accepted."""
    prices = [
        s.order.price
        for s in book.orders.values()
        if s.order.position == holding.position
        and s.order.role is Role.STOP
        and s.status is not OrderStatus.REJECTED
        and s.order.price is not None
    ]
    if not prices:
        return None
    return max(prices) if holding.side is Side.LONG else min(prices)


def ended_short(book: PositionBook, order_id: str) -> bool:
    """A closing order that is done with less filled than it asked for (refused, cancelled, expired)."""
    state = book.orders.get(order_id)
    return (
        state is not None
        and state.order.role is Role.CLOSE
        and state.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED)
        and state.filled < state.order.quantity
    )


def short_close_text(state: OrderState) -> str:
    why = state.rejection or "cancelled by the broker"
    done = f"{state.filled} of {state.order.quantity} filled"
    return f"the closing order {state.order.client_id} ended with {done} ({why})"
