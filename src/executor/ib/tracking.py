"""What TWS says about our orders, as the domain's broker events, each said once.

The tracker reads TWS's own messages (order status, executions, commission reports, errors), never
the library's local guesses: ib_async marks an order Cancelled on any error that carries its id,
even a refused modification of an order that is still live. Each order is known by its client id
(IB's ``orderRef``) and, once placed, by IB's order id. A request (place, modify, cancel) waits on
a future that the matching answer resolves, so ``Broker`` calls return IB's answer, not a guess.

Fills are idempotent on ``execId`` (IB re-sends executions on every connect) and are emitted when
their commission report arrives, or after ``COMMISSION_WAIT`` with the published schedule if it
never does: a fill is never held back for want of its commission.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from ..broker import Ack, BrokerUnavailable, EventFeed
from ..events import (
    ErrorReported,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderSubmitted,
)
from ..orders import Order, OrderStatus, Role
from ..paper.commissions import commission as schedule_commission
from .compat import Fill, IBOrder, Trade
from .contracts import Listed
from .translate import CANCELLED_STATES, FILLED, INACTIVE, WORKING_STATES, decimal

COMMISSION_WAIT = 2.0
UNSET = 1e300  # IB's "no value" double is 1.79e308
Request = Literal["place", "modify", "cancel"]


@dataclass
class Tracked:
    order: Order  # as sent: prices on the contract's ladder
    status: OrderStatus = OrderStatus.PENDING
    filled: int = 0
    placed: IBOrder | None = None
    listed: Listed | None = None

    @property
    def ib_id(self) -> int:
        return self.placed.orderId if self.placed is not None else 0


@dataclass
class _Waiter:
    request: Request
    future: asyncio.Future[Ack]
    expect: Callable[[IBOrder], bool] | None = None


@dataclass
class OrderTracker:
    feed: EventFeed
    clock: Callable[[], datetime]
    orders: dict[str, Tracked] = field(default_factory=dict)
    by_ib_id: dict[int, str] = field(default_factory=dict)
    seen_fills: set[str] = field(default_factory=set)
    children: dict[str, list[Tracked]] = field(default_factory=dict)  # entry client id -> its children
    send_cancel: Callable[[int], None] = lambda ib_id: None  # a cancel request to TWS, by IB order id
    _waiters: dict[str, _Waiter] = field(default_factory=dict)
    _unpriced: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    _reasons: dict[str, str] = field(default_factory=dict)

    # -- what we send ------------------------------------------------------------------------------

    def track(self, tracked: Tracked) -> Tracked:
        self.orders[tracked.order.client_id] = tracked
        if tracked.order.parent is not None:
            self.children.setdefault(tracked.order.parent, []).append(tracked)
        return tracked

    def submitted(self, order: Order, listed: Listed | None) -> Tracked:
        tracked = self.track(Tracked(order, listed=listed))
        self.feed.emit(OrderSubmitted(at=self.clock(), client_id=order.client_id, order=order))
        return tracked

    def bind(self, tracked: Tracked, placed: IBOrder) -> None:
        tracked.placed = placed
        self.by_ib_id[placed.orderId] = tracked.order.client_id

    def refuse(self, order: Order, code: int, text: str) -> Ack:
        """Refused before it reached IB (a contract IB does not know): journaled as a rejection."""
        tracked = self.submitted(order, None)
        self._reject(tracked, code, text)
        return Ack(client_id=order.client_id, accepted=False, code=code, text=text)

    def unable(self, client_id: str, code: int, text: str, *, warning: bool = True) -> Ack:
        self.feed.emit(
            ErrorReported(at=self.clock(), code=code, text=text, client_id=client_id, warning=warning)
        )
        return Ack(client_id=client_id, accepted=False, code=code, text=text)

    def expect(
        self, client_id: str, request: Request, match: Callable[[IBOrder], bool] | None = None
    ) -> asyncio.Future[Ack]:
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._waiters[client_id] = _Waiter(request, future, match)
        return future

    def answer(self, client_id: str, ack: Ack, *, request: Request | None = None) -> None:
        waiter = self._waiters.get(client_id)
        if waiter is None or (request is not None and waiter.request != request):
            return
        del self._waiters[client_id]
        if not waiter.future.done():
            waiter.future.set_result(ack)

    def abandon(self, reason: str) -> None:
        """The connection is gone: every request still waiting fails instead of hanging."""
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters.values():
            if not waiter.future.done():
                waiter.future.set_exception(BrokerUnavailable(reason))

    def modified(self, tracked: Tracked, quantity: int, price: Decimal | None) -> None:
        tracked.order = tracked.order.model_copy(update={"quantity": quantity, "price": price})
        event = OrderModified(
            at=self.clock(), client_id=tracked.order.client_id, quantity=quantity, price=price
        )
        self.feed.emit(event)

    # -- what TWS says -----------------------------------------------------------------------------

    def find(self, order_id: int, order_ref: str = "") -> Tracked | None:
        client_id = self.by_ib_id.get(order_id) or order_ref
        return self.orders.get(client_id)

    def on_open_order(self, placed: IBOrder) -> None:
        tracked = self.find(placed.orderId, placed.orderRef)
        if tracked is None:
            return
        waiter = self._waiters.get(tracked.order.client_id)
        if waiter is not None and waiter.request == "modify" and waiter.expect and waiter.expect(placed):
            self.answer(tracked.order.client_id, Ack(client_id=tracked.order.client_id, accepted=True))

    def on_status(self, tracked: Tracked, status: str) -> None:
        cid = tracked.order.client_id
        if status in WORKING_STATES or status == FILLED:
            self.accepted(tracked)
            self.answer(cid, Ack(client_id=cid, accepted=True), request="place")
        elif status in CANCELLED_STATES or status == INACTIVE:
            self.cancelled(tracked, self._reasons.pop(cid, f"IB reports the order {status}"))

    def accepted(self, tracked: Tracked) -> None:
        if tracked.status is not OrderStatus.PENDING:
            return
        held = self._parent_unfilled(tracked)
        tracked.status = OrderStatus.HELD if held else OrderStatus.WORKING
        self.feed.emit(OrderAccepted(at=self.clock(), client_id=tracked.order.client_id, held=held))

    def cancelled(self, tracked: Tracked, reason: str) -> None:
        cid = tracked.order.client_id
        if not tracked.status.done:
            tracked.status = OrderStatus.CANCELLED
            self.feed.emit(OrderCancelled(at=self.clock(), client_id=cid, reason=reason))
        self.answer(cid, Ack(client_id=cid, accepted=True), request="cancel")
        self.answer(cid, Ack(client_id=cid, accepted=False, code=202, text=f"cancelled at IB: {reason}"))

    def on_error(self, tracked: Tracked, code: int, text: str, *, warning: bool) -> None:
        cid = tracked.order.client_id
        if code == 202:
            self.cancelled(tracked, text)
            return
        if tracked.status is OrderStatus.PENDING and not warning:
            self._reject(tracked, code, text)
            return
        self.feed.emit(ErrorReported(at=self.clock(), code=code, text=text, client_id=cid, warning=warning))
        waiter = self._waiters.get(cid)
        if waiter is not None and (not warning or waiter.request == "modify"):
            self.answer(cid, Ack(client_id=cid, accepted=False, code=code, text=text))

    def _reject(self, tracked: Tracked, code: int, text: str) -> None:
        cid = tracked.order.client_id
        if not tracked.status.done:
            tracked.status = OrderStatus.REJECTED
            self.feed.emit(OrderRejected(at=self.clock(), client_id=cid, code=code, text=text))
        self.answer(cid, Ack(client_id=cid, accepted=False, code=code, text=text))
        self._drop_orphans(tracked, f"its entry was rejected ({code})")

    def _drop_orphans(self, parent: Tracked, reason: str) -> None:
        """A rejected entry's children are cancelled at IB now and leave the book: TWS may keep them."""
        for child in self.children.get(parent.order.client_id, []):
            if child.status.done:
                continue
            if child.placed is not None:
                self.send_cancel(child.ib_id)
            self.cancelled(child, reason)

    def look_up(self, tracked: Tracked, open_trades: list[Trade], fills: list[Fill]) -> bool:
        """After an unanswered request: is the order working or filled at IB (by ``orderRef``)?"""
        cid = tracked.order.client_id
        mine = [f for f in fills if f.execution.orderRef == cid]
        for fill in mine:
            self.record_fill(fill)
        # The library lists its own PendingSubmit guess among open trades: only TWS's states count.
        working = any(t.order.orderRef == cid and t.orderStatus.status in WORKING_STATES for t in open_trades)
        if working:
            self.accepted(tracked)
        return working or bool(mine)

    def give_up(self, tracked: Tracked, text: str) -> None:
        """A placement IB neither answered nor knows: refused, with the reason journaled."""
        if tracked.status is OrderStatus.PENDING:
            self._reject(tracked, 0, text)

    # -- fills -------------------------------------------------------------------------------------

    def on_execution(self, fill: Fill) -> None:
        """A live execution: wait briefly for its commission report."""
        exec_id = fill.execution.execId
        if exec_id in self.seen_fills or exec_id in self._unpriced:
            return
        loop = asyncio.get_running_loop()
        self._unpriced[exec_id] = loop.call_later(COMMISSION_WAIT, self.record_fill, fill)

    def record_fill(self, fill: Fill) -> None:
        """Emit one execution (live, or found on reconnect) as an ``OrderFilled``, once."""
        execution = fill.execution
        timer = self._unpriced.pop(execution.execId, None)
        if timer is not None:
            timer.cancel()
        tracked = self.find(execution.orderId, execution.orderRef)
        if tracked is None or execution.execId in self.seen_fills:
            return
        self.seen_fills.add(execution.execId)
        quantity = int(execution.shares)
        price = decimal(execution.price)
        tracked.filled = max(int(execution.cumQty), tracked.filled + quantity)
        remaining = max(tracked.order.quantity - tracked.filled, 0)
        if remaining == 0:
            tracked.status = OrderStatus.FILLED
        self.feed.emit(
            OrderFilled(
                at=self.clock(),
                client_id=tracked.order.client_id,
                fill_id=execution.execId,
                quantity=quantity,
                price=price,
                commission=self._commission(fill, tracked.order, quantity, price),
                filled=tracked.filled,
                remaining=remaining,
            )
        )
        self.answer(
            tracked.order.client_id, Ack(client_id=tracked.order.client_id, accepted=True), request="place"
        )
        if tracked.order.role is Role.ENTRY:
            self._wake_children(tracked.order.client_id)

    def has_unpriced(self, exec_id: str) -> bool:
        return exec_id in self._unpriced

    def _commission(self, fill: Fill, order: Order, quantity: int, price: Decimal) -> Decimal:
        report = fill.commissionReport
        if report.execId == fill.execution.execId and 0 <= report.commission < UNSET:
            return decimal(report.commission)
        return schedule_commission(order.instrument, quantity, price)

    def _wake_children(self, parent: str) -> None:
        """The entry filled (even in part): IB makes its children live, and so does the book."""
        for child in self.children.get(parent, []):
            if child.status is OrderStatus.HELD:
                child.status = OrderStatus.WORKING
                self.feed.emit(OrderAccepted(at=self.clock(), client_id=child.order.client_id, held=False))

    def _parent_unfilled(self, tracked: Tracked) -> bool:
        parent = self.orders.get(tracked.order.parent or "")
        return parent is not None and parent.filled == 0
