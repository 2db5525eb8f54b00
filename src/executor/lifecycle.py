"""The bracket lifecycle: how each approved plan becomes broker requests, in a safe order.

- A bracket is placed whole (every leg's entry, target and stop), once: its client ids decide.
- A full exit cancels the position's working entry and children first, and only once the broker has
  confirmed those cancels sends the closing market order. A child that cannot be confirmed
  cancelled stops the exit (its stop still protects the position) and the failure is reported.
- A trim, or a partial exit, first shrinks the children so they never cover more than what will be
  left, nearest target first (a leg shrunk to nothing is cancelled), then closes the part at market;
  a stop change rides along for the rest.
- A stop move modifies every working stop of the position; new targets are given to the legs nearest
  first (the last new target goes to any further leg).
- A cancel cancels the position's working entries; the broker cancels their children with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from parser import Side
from risk import BracketPlan, CancelPlan, ExitPlan, StopPlan, TrimPlan

from .book import Holding, OrderState, PositionBook
from .broker import Ack, Broker
from .orders import Frozen, OrderStatus, Role, bracket_from_plan, client_id, market_close

ExecutionOutcome = Literal["sent", "duplicate", "refused", "failed"]


class Execution(Frozen):
    """What the executor did with one plan: the orders it placed, modified and cancelled."""

    message_id: str
    kind: str
    outcome: ExecutionOutcome
    detail: str = ""
    placed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()


class _Work:
    """Requests made for one plan, and the first failure."""

    def __init__(self, message_id: str, kind: str) -> None:
        self.message_id, self.kind = message_id, kind
        self.placed: list[str] = []
        self.modified: list[str] = []
        self.cancelled: list[str] = []
        self.failure = ""

    def record(self, ack: Ack, into: list[str]) -> bool:
        if ack.accepted:
            into.append(ack.client_id)
        elif not self.failure:
            self.failure = f"{ack.client_id}: {ack.code} {ack.text}".strip()
        return ack.accepted

    def result(self, detail: str = "") -> Execution:
        outcome: ExecutionOutcome = "failed" if self.failure else "sent"
        return Execution(
            message_id=self.message_id,
            kind=self.kind,
            outcome=outcome,
            detail=self.failure or detail,
            placed=tuple(self.placed),
            modified=tuple(self.modified),
            cancelled=tuple(self.cancelled),
        )


class Lifecycle:
    def __init__(self, broker: Broker, book: PositionBook) -> None:
        self.broker, self.book = broker, book

    async def open(self, plan: BracketPlan) -> Execution:
        bracket = bracket_from_plan(plan)
        work = _Work(plan.message_id, plan.kind)
        ack = await self.broker.place_bracket(bracket)
        if ack.duplicate:
            return _duplicate(plan.message_id, plan.kind)
        if work.record(ack, work.placed):
            work.placed[:] = [order.client_id for order in bracket.orders]
        return work.result()

    async def exit(self, plan: ExitPlan, holding: Holding) -> Execution:
        work = _Work(plan.message_id, plan.kind)
        if plan.cancel_entry:
            await self._cancel(work, self._entries(holding.position))
        quantity = holding.quantity if plan.cancel_entry and plan.quantity == 0 else plan.quantity
        quantity = min(quantity, holding.quantity)
        if work.failure or quantity == 0:
            return work.result("nothing filled: the entry was cancelled")
        if quantity < holding.quantity:
            await self._reduce(work, holding, quantity, plan.alert_price)
            return work.result()
        await self._cancel(work, self.book.working(holding.position, (Role.TARGET, Role.STOP)))
        if not work.failure and holding.quantity:
            await self._close(work, holding, holding.quantity, plan.alert_price)
        return work.result()

    async def trim(self, plan: TrimPlan, holding: Holding) -> Execution:
        work = _Work(plan.message_id, plan.kind)
        await self._reduce(work, holding, min(plan.quantity, holding.quantity), plan.alert_price)
        if plan.new_stop is not None and not work.failure:
            await self._move_stops(work, holding.position, plan.new_stop)
        return work.result()

    async def move_stop(self, plan: StopPlan, holding: Holding) -> Execution:
        work = _Work(plan.message_id, plan.kind)
        if plan.new_stop is not None:
            await self._move_stops(work, holding.position, plan.new_stop)
        if plan.new_targets:
            await self._move_targets(work, holding, plan.new_targets)
        return work.result()

    async def cancel(self, plan: CancelPlan, holding: Holding) -> Execution:
        work = _Work(plan.message_id, plan.kind)
        await self._cancel(work, self._entries(holding.position))
        return work.result()

    def _entries(self, position: str) -> list[OrderState]:
        return self.book.working(position, (Role.ENTRY,))

    async def _cancel(self, work: _Work, orders: Iterable[OrderState]) -> None:
        for state in list(orders):
            if state.working:
                ack = await self.broker.cancel(state.order.client_id)
                filled_meanwhile = not ack.accepted and state.status is OrderStatus.FILLED
                if not filled_meanwhile:
                    work.record(ack, work.cancelled)

    async def _reduce(
        self, work: _Work, holding: Holding, quantity: int, alert_price: Decimal | None
    ) -> None:
        left = quantity
        for children in self._legs(holding, active_only=True):
            if left == 0 or work.failure:
                break
            size = children[0].order.quantity
            take = min(size, left)
            left -= take
            if take == size:
                await self._cancel(work, children)
            else:
                for child in children:
                    work.record(
                        await self.broker.modify(child.order.client_id, quantity=size - take), work.modified
                    )
        if not work.failure:
            await self._close(work, holding, quantity, alert_price)

    async def _close(self, work: _Work, holding: Holding, quantity: int, alert_price: Decimal | None) -> None:
        order = market_close(
            client_order_id=client_id(work.message_id, "close"),
            message_id=work.message_id,
            position=holding.position,
            instrument=holding.instrument,
            side=holding.side,
            quantity=quantity,
            alert_price=alert_price,
        )
        work.record(await self.broker.place_close(order), work.placed)

    async def _move_stops(self, work: _Work, position: str, price: Decimal) -> None:
        for stop in self.book.working(position, (Role.STOP,)):
            if stop.order.price != price:
                work.record(await self.broker.modify(stop.order.client_id, price=price), work.modified)

    async def _move_targets(self, work: _Work, holding: Holding, targets: tuple[Decimal, ...]) -> None:
        legs = [c for c in self._legs(holding, active_only=False) if c[0].order.role is Role.TARGET]
        for number, children in enumerate(legs):
            price = targets[min(number, len(targets) - 1)]
            target = children[0]
            if target.order.price != price:
                work.record(await self.broker.modify(target.order.client_id, price=price), work.modified)

    def _legs(self, holding: Holding, *, active_only: bool) -> list[list[OrderState]]:
        """The position's working children grouped by leg (target first), nearest target first."""
        legs: dict[str, list[OrderState]] = {}
        for child in self.book.working(holding.position, (Role.TARGET, Role.STOP)):
            parent = self.book.orders.get(child.order.parent or "")
            waiting = parent is None or parent.status is not OrderStatus.FILLED
            if active_only and child.order.parent is not None and waiting:
                continue  # a lone stop (one that re-protected a position) is always active
            legs.setdefault(child.order.parent or child.order.client_id, []).append(child)
        grouped = [sorted(children, key=lambda s: s.order.role is Role.STOP) for children in legs.values()]
        return sorted(grouped, key=lambda children: _distance(children, holding))


def _distance(children: list[OrderState], holding: Holding) -> Decimal:
    target = children[0].order
    if target.role is not Role.TARGET or target.price is None:
        return Decimal("Infinity")
    return target.price if holding.side is Side.LONG else -target.price


def _duplicate(message_id: str, kind: str) -> Execution:
    return Execution(
        message_id=message_id, kind=kind, outcome="duplicate", detail="already placed: nothing sent twice"
    )
