"""``PaperBroker``: the built-in simulator, the default broker. Its own class: no paper branches elsewhere.

It keeps working orders and net positions, fills them with the fill model in ``fill_model`` as quotes
arrive (``on_quote``), links bracket children one-cancels-other, charges IBKR's retail commissions,
and validates orders as a broker would (tick size, known contract, not expired), so paper refuses
what live would refuse. Everything is deterministic: fill ids count up, times come from the clock
it is given (the replay's simulated clock) or from the quote that caused the fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from parser import Asset, Instrument
from risk import Quote, instrument_key
from risk.fx import cross_rate
from risk.hours import new_york_day
from risk.specs import Toward, UnknownContract, round_price

from ..book import PositionBook
from ..broker import Ack, BrokerSnapshot, BrokerUnavailable, EventFeed, EventHandler, WorkingOrder
from ..events import (
    ConnectionLost,
    ConnectionRestored,
    ErrorReported,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderSubmitted,
)
from ..orders import Action, Bracket, Order, OrderStatus
from .commissions import commission
from .fill_model import fill_price, price_basis, trailed

SIMULATOR_ACCOUNT = "SIMULATOR"
NO_SECURITY = 200
REJECTED = 201
NOT_MODIFIABLE = 104
OFF_TICK = 110
NOT_CANCELLABLE = 10148
NOT_FOUND = 10147


@dataclass
class _Ticket:
    order: Order
    status: OrderStatus
    filled: int = 0


class PaperBroker:
    """Implements ``Broker``. ``on_quote`` feeds it the market. Tests bring the failures a real broker
    has (a rejection, a dropped connection) through a subclass of their own (``_refusal``, ``_link``)."""

    in_process = True

    def __init__(
        self,
        clock: Callable[[], datetime],
        account: str = SIMULATOR_ACCOUNT,
        *,
        quotes_only: bool = False,
        account_size: Decimal | None = None,
    ) -> None:
        self._clock = clock
        self.account = account
        # With a market data feed (QUOTE_SOURCE=ib) nothing is made up: an order waits for a quote.
        self.quotes_only = quotes_only
        self.account_size = account_size  # PAPER_ACCOUNT_SIZE: a fixed size, P&L not added
        self._feed = EventFeed()
        self._tickets: dict[str, _Ticket] = {}
        self._live: dict[str, dict[str, _Ticket]] = {}  # instrument key -> orders not done, by client id
        self._kids: dict[str, list[_Ticket]] = {}  # entry client id -> its bracket children
        # An order whose bracket is over keeps only its final status: what a late cancel or modify
        # is answered from, and what makes a resent order a duplicate. Memory stays flat.
        self._done: dict[str, OrderStatus] = {}
        self._quotes: dict[str, Quote] = {}
        self._last: dict[str, Decimal] = {}
        self._positions: dict[str, int] = {}
        self._connected = True

    async def connect(self) -> str:
        self._link(True, "reconnected")
        return self.account

    def subscribe(self, handler: EventHandler) -> None:
        self._feed.subscribe(handler)

    async def place_bracket(self, bracket: Bracket) -> Ack:
        self._require_connection()
        first = bracket.orders[0].client_id
        if any(self._known(order.client_id) for order in bracket.orders):
            return Ack(client_id=first, accepted=True, duplicate=True)
        problem = next(filter(None, map(self._refusal, bracket.orders)), None)
        if problem is not None:
            for order in bracket.orders:
                self._refuse(order, problem)
            return Ack(client_id=first, accepted=False, code=problem[0], text=problem[1])
        for order in bracket.orders:
            self._accept(order, held=order.parent is not None)
        self._match(instrument_key(bracket.legs[0].entry.instrument), self._clock())
        return Ack(client_id=first, accepted=True)

    async def place_close(self, order: Order) -> Ack:
        self._require_connection()
        if self._known(order.client_id):
            return Ack(client_id=order.client_id, accepted=True, duplicate=True)
        problem = self._refusal(order)
        if problem is not None:
            self._refuse(order, problem)
            return Ack(client_id=order.client_id, accepted=False, code=problem[0], text=problem[1])
        self._accept(order, held=False)
        self._match(instrument_key(order.instrument), self._clock())
        return Ack(client_id=order.client_id, accepted=True)

    async def modify(
        self, client_id: str, *, quantity: int | None = None, price: Decimal | None = None
    ) -> Ack:
        self._require_connection()
        ticket = self._tickets.get(client_id)
        if ticket is None and client_id in self._done:
            return self._unable(client_id, NOT_MODIFIABLE, f"order is {self._done[client_id]}")
        if ticket is None:
            return self._unable(client_id, NOT_FOUND, "order not found")
        if ticket.status.done:
            return self._unable(client_id, NOT_MODIFIABLE, f"order is {ticket.status}")
        changed = ticket.order.model_copy(
            update={"quantity": quantity or ticket.order.quantity, "price": price or ticket.order.price}
        )
        problem = self._problem(changed) or _below_filled(changed, ticket.filled)
        if problem is not None:
            return self._unable(client_id, *problem, warning=False)
        ticket.order = changed
        now = self._clock()
        self._feed.emit(
            OrderModified(at=now, client_id=client_id, quantity=changed.quantity, price=changed.price)
        )
        self._match(instrument_key(changed.instrument), now)
        return Ack(client_id=client_id, accepted=True)

    async def cancel(self, client_id: str) -> Ack:
        self._require_connection()
        ticket = self._tickets.get(client_id)
        final = ticket.status if ticket is not None else self._done.get(client_id)
        if final is None:
            return self._unable(client_id, NOT_FOUND, "order not found")
        if final is OrderStatus.FILLED:
            return self._unable(client_id, NOT_CANCELLABLE, "order already filled")
        if ticket is None:  # cancelled or rejected already: nothing to do, as for a done ticket
            return Ack(client_id=client_id, accepted=True)
        if ticket.status is OrderStatus.FILLED:
            return self._unable(client_id, NOT_CANCELLABLE, "order already filled")
        self._cancel(ticket, "cancelled", self._clock())
        return Ack(client_id=client_id, accepted=True)

    async def cancel_all(self) -> None:
        self._require_connection()
        now = self._clock()
        for ticket in [t for live in self._live.values() for t in live.values()]:
            self._cancel(ticket, "global cancel", now)

    def net_liquidation(self) -> Decimal | None:
        return self.account_size

    def snapshot(self) -> BrokerSnapshot:
        working = tuple(
            WorkingOrder(order=t.order, status=t.status, filled=t.filled)
            for live in self._live.values()
            for t in live.values()
        )
        positions = {key: qty for key, qty in self._positions.items() if qty}
        return BrokerSnapshot(
            account=self.account, connected=self._connected, positions=positions, working=working
        )

    async def recover(self, book: PositionBook) -> None:
        """Rebuild the simulated exchange from the journal's book: it died with the last process."""
        for state in book.orders.values():
            ticket = _Ticket(state.order, state.status, state.filled)
            self._tickets[state.order.client_id] = ticket
            if state.order.parent is not None:
                self._kids.setdefault(state.order.parent, []).append(ticket)
            if not state.status.done:
                self._live.setdefault(instrument_key(state.order.instrument), {})[state.order.client_id] = (
                    ticket
                )
        for fill in book.fills:
            self._last[fill.instrument] = fill.price
        self._positions = book.net_positions()
        for root in [cid for cid, t in self._tickets.items() if t.order.parent is None]:
            self._retire(root)

    async def shutdown(self) -> None:
        """Nothing to close: the simulator lives in this process."""

    def on_quote(self, key: str, quote: Quote) -> None:
        """The market moved for instrument ``key``: fill whatever the new quote reaches."""
        self._quotes[key] = quote
        self._match(key, quote.at)

    def _link(self, up: bool, detail: str) -> None:
        """The connection goes up or down; a change is reported as a broker reports it."""
        if up == self._connected:
            return
        self._connected = up
        event = ConnectionRestored if up else ConnectionLost
        self._feed.emit(event(at=self._clock(), detail=detail))

    def _require_connection(self) -> None:
        if not self._connected:
            raise BrokerUnavailable("the paper broker is disconnected")

    def _refusal(self, order: Order) -> tuple[int, str] | None:
        """Why a new order is refused on arrival, or None."""
        return self._problem(order)

    def _problem(self, order: Order) -> tuple[int, str] | None:
        """What a broker would refuse about ``order``, as (code, text)."""
        price = order.price
        try:
            on_tick = price is None or round_price(order.instrument, price, Toward.UP) == price
        except UnknownContract as exc:
            return NO_SECURITY, f"No security definition has been found for the request ({exc})"
        if not on_tick:
            return OFF_TICK, f"The price {price} does not conform to the minimum price variation"
        if _expired(order.instrument, self._clock()):
            return REJECTED, "Order rejected - reason: the contract has expired"
        return None

    def _unable(self, client_id: str, code: int, text: str, *, warning: bool = True) -> Ack:
        """Refuse a modify or cancel as IB does: an error message, a warning when the order is just gone."""
        error = ErrorReported(at=self._clock(), code=code, text=text, client_id=client_id, warning=warning)
        self._feed.emit(error)
        return Ack(client_id=client_id, accepted=False, code=code, text=text)

    def _accept(self, order: Order, *, held: bool) -> None:
        now = self._clock()
        ticket = _Ticket(order, OrderStatus.HELD if held else OrderStatus.WORKING)
        self._tickets[order.client_id] = ticket
        self._live.setdefault(instrument_key(order.instrument), {})[order.client_id] = ticket
        if order.parent is not None:
            self._kids.setdefault(order.parent, []).append(ticket)
        self._feed.emit(OrderSubmitted(at=now, client_id=order.client_id, order=order))
        self._feed.emit(OrderAccepted(at=now, client_id=order.client_id, held=held))

    def _refuse(self, order: Order, problem: tuple[int, str]) -> None:
        now = self._clock()
        self._done[order.client_id] = OrderStatus.REJECTED
        self._feed.emit(OrderSubmitted(at=now, client_id=order.client_id, order=order))
        self._feed.emit(OrderRejected(at=now, client_id=order.client_id, code=problem[0], text=problem[1]))

    def _cancel(self, ticket: _Ticket, reason: str, at: datetime) -> None:
        if ticket.status.done:
            return
        self._finish(ticket, OrderStatus.CANCELLED)
        self._feed.emit(OrderCancelled(at=at, client_id=ticket.order.client_id, reason=reason))
        for child in self._children(ticket.order.client_id):
            self._cancel(child, f"parent {reason}", at)

    def _children(self, parent: str) -> list[_Ticket]:
        return self._kids.get(parent, [])

    def _finish(self, ticket: _Ticket, status: OrderStatus) -> None:
        ticket.status = status
        self._live.get(instrument_key(ticket.order.instrument), {}).pop(ticket.order.client_id, None)
        self._retire(ticket.order.parent or ticket.order.client_id)

    def _known(self, client_id: str) -> bool:
        return client_id in self._tickets or client_id in self._done

    def _retire(self, root_id: str) -> None:
        """A bracket (or lone order) whose every order is done keeps only each one's final status."""
        root = self._tickets.get(root_id)
        family = [root, *self._kids.get(root_id, [])] if root is not None else []
        if not family or any(not t.status.done for t in family):
            return
        for ticket in family:
            self._done[ticket.order.client_id] = ticket.status
            self._tickets.pop(ticket.order.client_id, None)
        self._kids.pop(root_id, None)

    def _match(self, key: str, at: datetime) -> None:
        """Fill every working order on ``key`` the market reaches; a filled entry wakes its children."""
        progress = True
        while progress:
            progress = False
            quote = self._quotes.get(key)
            if quote is None and self.quotes_only:
                return
            for ticket in list(self._live.get(key, {}).values()):
                if ticket.status is OrderStatus.WORKING:
                    if ticket.order.trail is not None and quote is not None:
                        self._trail(ticket, quote, at)
                    price = fill_price(ticket.order, quote, self._last.get(key))
                    if price is not None:
                        self._execute(ticket, price, key, at)
                        progress = True

    def _trail(self, ticket: _Ticket, quote: Quote, at: datetime) -> None:
        """A trailing stop follows the market: each step is a modification, as a broker reports it."""
        stop = trailed(ticket.order, quote)
        if stop is None:
            return
        ticket.order = ticket.order.model_copy(update={"price": stop})
        modified = OrderModified(
            at=at, client_id=ticket.order.client_id, quantity=ticket.order.quantity, price=stop
        )
        self._feed.emit(modified)

    def _execute(self, ticket: _Ticket, price: Decimal, key: str, at: datetime) -> None:
        order = ticket.order
        quantity = order.quantity - ticket.filled
        ticket.filled = order.quantity
        self._finish(ticket, OrderStatus.FILLED)
        signed = quantity if order.action is Action.BUY else -quantity
        self._positions[key] = self._positions.get(key, 0) + signed
        self._last[key] = price
        cross = cross_rate(order.instrument, self._quotes)
        self._feed.emit(
            OrderFilled(
                at=at,
                client_id=order.client_id,
                fill_id=f"paper:{order.client_id}:{order.quantity}",  # unique per order, so restart-safe
                quantity=quantity,
                price=price,
                commission=commission(order.instrument, quantity, price, cross),
                filled=order.quantity,
                remaining=0,
                price_basis=price_basis(order, self._quotes.get(key)),
                quote=self._quotes.get(key),
                rate=cross,
            )
        )
        self._after_fill(order, at)

    def _after_fill(self, order: Order, at: datetime) -> None:
        if order.parent is None:
            for child in self._children(order.client_id):
                if child.status is OrderStatus.HELD:  # the entry filled: its children go live
                    child.status = OrderStatus.WORKING
                    self._feed.emit(OrderAccepted(at=at, client_id=child.order.client_id, held=False))
            return
        for sibling in self._children(order.parent):  # one-cancels-other within the leg
            if sibling.order.client_id != order.client_id:
                self._cancel(sibling, "one-cancels-other", at)


def _below_filled(order: Order, filled: int) -> tuple[int, str] | None:
    if order.quantity <= filled:
        return NOT_MODIFIABLE, f"quantity {order.quantity} is not above the {filled} already filled"
    return None


def _expired(instrument: Instrument, now: datetime) -> bool:
    return (
        instrument.asset is Asset.OPTION
        and instrument.expiry is not None
        and instrument.expiry < new_york_day(now)
    )
