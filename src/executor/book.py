"""The position book: the bot's orders and positions, built only from broker events.

A position is keyed by the message that opened it (an add's fills land on the position it adds to),
so two alerts on the same contract stay two positions. Entries average in; every reducing fill
realizes ``(price - average) x quantity x multiplier`` (mirrored for shorts). Fills are idempotent on
``fill_id``: a broker that re-sends executions after a reconnect cannot double a position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from parser import Instrument, Side
from risk import Position, Quote, Realized, instrument_key, multiplier, trading_day
from risk.fx import CENT, dollar_rate, is_spot

from .events import (
    BrokerEvent,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderSubmitted,
)
from .orders import FLATTEN, Action, Order, OrderStatus, Role, client_id


@dataclass
class OrderState:
    order: Order
    status: OrderStatus = OrderStatus.PENDING
    filled: int = 0
    rejection: str = ""

    @property
    def remaining(self) -> int:
        return 0 if self.status.done else self.order.quantity - self.filled

    @property
    def working(self) -> bool:
        return not self.status.done


@dataclass(frozen=True)
class Fill:
    """One execution, tied to its order, the message that caused it, and the position it moved."""

    fill_id: str
    client_id: str
    message_id: str
    position: str
    instrument: str
    action: Action
    quantity: int
    price: Decimal
    commission: Decimal
    at: datetime
    opens: bool
    realized: Decimal = Decimal(0)
    price_basis: str | None = None  # made up by the simulator (no quote): at_alert_price | no_quote
    quote: Quote | None = None  # the market the simulator filled it on


@dataclass
class Holding:
    """One position: contracts held now, their average price, and what closing fills realized."""

    position: str
    instrument: Instrument
    side: Side
    quantity: int = 0
    avg_price: Decimal = Decimal(0)
    realized: Decimal = Decimal(0)
    commissions: Decimal = Decimal(0)
    fills: list[Fill] = field(default_factory=list)
    rate: Decimal | None = None  # a forex cross's dollars per quote-currency unit, at its last fill

    @property
    def key(self) -> str:
        return instrument_key(self.instrument)

    @property
    def entry_fee(self) -> Decimal:
        """Entry commission per contract bought (or sold short) so far."""
        entries = [f for f in self.fills if f.opens]
        bought = sum(f.quantity for f in entries)
        return sum((f.commission for f in entries), Decimal(0)) / bought if bought else Decimal(0)

    def add(self, quantity: int, price: Decimal) -> None:
        total = self.quantity + quantity
        self.avg_price = (self.avg_price * self.quantity + price * quantity) / total
        self.quantity = total

    def reduce(self, quantity: int, price: Decimal, dollars: Decimal = Decimal(1)) -> Decimal:
        """Close ``quantity`` at ``price``; return the gross P&L it realizes, in dollars: a forex
        pair's is in its quote currency, converted at ``dollars`` per unit and kept to the cent."""
        closed = min(quantity, self.quantity)
        per_unit = price - self.avg_price if self.side is Side.LONG else self.avg_price - price
        pnl = per_unit * closed * multiplier(self.instrument)
        if is_spot(self.instrument):
            pnl = (pnl * dollars).quantize(CENT)
        self.quantity -= closed
        self.realized += pnl
        return pnl


class PositionBook:
    def __init__(self) -> None:
        self.orders: dict[str, OrderState] = {}
        self.holdings: dict[str, Holding] = {}
        self.fills: list[Fill] = []
        self.anomalies: list[str] = []
        self._fill_ids: set[str] = set()
        # Indexes kept in step with every event, so a long day costs no more per message than a short one.
        self._live: dict[str, dict[str, OrderState]] = {}  # position -> its orders not done
        self._open: dict[str, Holding] = {}
        self._closing: dict[date, list[Realized]] = {}  # trading day -> its closing fills
        self._realized = Decimal(0)
        self._commissions = Decimal(0)

    def apply(self, event: BrokerEvent) -> None:
        """Fold one broker event into the book; events for unknown orders are ignored."""
        if isinstance(event, OrderSubmitted):
            self._submitted(event.order)
            return
        state = self.orders.get(getattr(event, "client_id", None) or "")
        if state is None:
            return
        self._update(state, event)
        position = state.order.position
        if state.status.done and position in self._live:
            self._live[position].pop(state.order.client_id, None)
            if not self._live[position]:
                del self._live[position]
        self._reopen(position)

    def _update(self, state: OrderState, event: BrokerEvent) -> None:
        if isinstance(event, OrderAccepted) and state.status in (OrderStatus.PENDING, OrderStatus.HELD):
            state.status = OrderStatus.HELD if event.held else OrderStatus.WORKING
        elif isinstance(event, OrderModified):
            state.order = state.order.model_copy(update={"quantity": event.quantity, "price": event.price})
        elif isinstance(event, OrderFilled):
            self._filled(state, event)
        elif isinstance(event, OrderCancelled) and not state.status.done:
            state.status = OrderStatus.CANCELLED
        elif isinstance(event, OrderRejected):
            state.status, state.rejection = OrderStatus.REJECTED, f"{event.code} {event.text}"

    def working(self, position: str | None = None, roles: Iterable[Role] = tuple(Role)) -> list[OrderState]:
        wanted = frozenset(roles)
        groups = self._live.values() if position is None else [self._live.get(position, {})]
        return [s for group in groups for s in group.values() if s.working and s.order.role in wanted]

    def open_holdings(self) -> list[Holding]:
        """Positions with contracts held or an entry still working."""
        return list(self._open.values())

    def forget_closed(self, keep: Iterable[str] = ()) -> int:
        """Drop the positions that are over (nothing held, no order working): their orders, fills and
        holding. The journal has them; keeping them would make a long run's memory grow with its
        history. Running totals and the closing fills risk reads stay. Returns how many went."""
        busy = set(keep) | set(self._open) | set(self._live)
        gone = {p for p in self.holdings if p not in busy}
        gone |= {s.order.position for s in self.orders.values() if s.order.position not in busy}
        if not gone:
            return 0
        for position in gone:
            holding = self.holdings.pop(position, None)
            if holding is not None:
                self._fill_ids.difference_update(f.fill_id for f in holding.fills)
        self.orders = {cid: s for cid, s in self.orders.items() if s.order.position not in gone}
        self.fills = [f for f in self.fills if f.position not in gone]
        return len(gone)

    def live_positions(self) -> list[str]:
        """Positions holding contracts or with any order still working: all a restart needs to know
        of the past beyond the recent days' fills (a journal checkpoint lists them)."""
        return sorted(set(self._open) | set(self._live))

    def next_client_id(self, position: str, kind: str) -> str:
        """``asc:<position>:<kind>:<n>``, numbered after the position's earlier orders of that kind
        (the kill switch's flattenings, the stops that re-protect a position)."""
        prefix = client_id(position, kind)
        return client_id(position, kind, sum(1 for cid in self.orders if cid.startswith(prefix)) + 1)

    def realized_pnl(self) -> Decimal:
        """Gross realized P&L over every position (commissions apart)."""
        return self._realized

    def commissions(self) -> Decimal:
        return self._commissions

    def risk_positions(self) -> tuple[Position, ...]:
        """The open positions as risk sees them: filled plus working entry, and the widest stop."""
        return tuple(self._risk_position(h) for h in self.open_holdings())

    def realized_events(self, since: date | None = None) -> tuple[Realized, ...]:
        """Each closing fill's P&L for risk, net of its commission and of its contracts' share of the
        entry commissions (an entry alone is not a trade: it must never look like a losing one).
        ``since``: only the fills of that trading day and later, so a decision late in a long session
        reads today's fills, not the whole history."""
        return tuple(
            r for day, fills in self._closing.items() if since is None or day >= since for r in fills
        )

    def net_positions(self) -> dict[str, int]:
        """Net contracts per instrument key (negative = short), to compare with the broker's."""
        net: dict[str, int] = {}
        for h in self.holdings.values():
            signed = h.quantity if h.side is Side.LONG else -h.quantity
            net[h.key] = net.get(h.key, 0) + signed
        return net

    def _submitted(self, order: Order) -> None:
        if order.client_id in self.orders:
            return
        self.orders[order.client_id] = self._live.setdefault(order.position, {})[order.client_id] = (
            OrderState(order)
        )
        if order.opens and order.position not in self.holdings:
            side = Side.LONG if order.action is Action.BUY else Side.SHORT
            self.holdings[order.position] = Holding(order.position, order.instrument, side)
        self._reopen(order.position)

    def _reopen(self, position: str) -> None:
        """Keep ``position`` in the open index while it holds contracts or has an entry working."""
        holding = self.holdings.get(position)
        entry_working = any(s.order.opens for s in self._live.get(position, {}).values())
        if holding is not None and (holding.quantity > 0 or entry_working):
            self._open[position] = holding
        else:
            self._open.pop(position, None)

    def _filled(self, state: OrderState, event: OrderFilled) -> None:
        if event.fill_id in self._fill_ids:
            return
        self._fill_ids.add(event.fill_id)
        state.filled = event.filled
        state.status = OrderStatus.WORKING if event.remaining else OrderStatus.FILLED
        order, holding = state.order, self.holdings.get(state.order.position)
        if holding is None:
            return
        realized = Decimal(0)
        holding.rate = event.rate or holding.rate
        if order.opens:
            holding.add(event.quantity, event.price)
        else:
            if event.quantity > holding.quantity:
                held = f"{holding.quantity} held in {holding.position}"
                self.anomalies.append(f"{order.client_id} closed {event.quantity} of {held}")
            realized = holding.reduce(event.quantity, event.price, self._dollar_rate(holding, event))
        holding.commissions += event.commission
        self._realized += realized
        self._commissions += event.commission
        fill = Fill(
            fill_id=event.fill_id,
            client_id=order.client_id,
            message_id=order.message_id,
            position=order.position,
            instrument=holding.key,
            action=order.action,
            quantity=event.quantity,
            price=event.price,
            commission=event.commission,
            at=event.at,
            opens=order.opens,
            realized=realized,
            price_basis=event.price_basis,
            quote=event.quote,
        )
        if not order.opens:  # for risk: net of this fill's commission and its share of the entry's
            net = realized - event.commission - holding.entry_fee * event.quantity
            forced = order.client_id.startswith(client_id(order.position, FLATTEN))  # the kill switch's
            # A made-up price (no quote: the entry or the exit at the alert's price) is a scratch,
            # not the market's verdict: it never starts the loss cooldown.
            made_up = event.price_basis is not None or any(f.price_basis for f in holding.fills if f.opens)
            market_loss = realized < 0 and not forced and not made_up
            closing = Realized(at=event.at, pnl=net, position=order.position, market_loss=market_loss)
            self._closing.setdefault(trading_day(event.at), []).append(closing)
        holding.fills.append(fill)
        self.fills.append(fill)

    def _dollar_rate(self, holding: Holding, event: OrderFilled) -> Decimal:
        """Dollars per unit of the position's price currency at this fill (risk/fx.py). A cross
        with no rate at all (risk never opens one) is converted at 1 and reported as an anomaly."""
        rate = dollar_rate(holding.instrument, event.price, holding.rate)
        if rate is None:
            self.anomalies.append(f"{event.client_id}: no dollar rate for {holding.key}; P&L counted at 1")
            return Decimal(1)
        return rate

    def _risk_position(self, holding: Holding) -> Position:
        entries = self.working(holding.position, (Role.ENTRY,))
        pending = sum(s.remaining for s in entries)
        avg = holding.avg_price if holding.quantity else _pending_price(entries)
        stops = self.working(holding.position, (Role.STOP,))
        return Position(
            opened_by=holding.position,
            instrument=holding.instrument,
            side=holding.side,
            quantity=holding.quantity,
            pending=pending,
            avg_price=avg,
            stop=_widest_stop(holding, stops, pending),
            trailing=any(s.order.trail is not None for s in stops),
            rate=holding.rate,
        )


def _widest_stop(holding: Holding, stops: list[OrderState], pending: int) -> Decimal | None:
    """The stop that loses most, or None when some held or pending contract has no stop."""
    covered = sum(s.order.quantity for s in stops)
    prices = [s.order.price for s in stops if s.order.price is not None]
    if not prices or covered < holding.quantity + pending:
        return None
    return min(prices) if holding.side is Side.LONG else max(prices)


def _pending_price(entries: list[OrderState]) -> Decimal:
    price = entries[0].order.price or entries[0].order.alert_price
    assert price is not None, "an entry order always carries its limit or the alert's price"
    return price
