"""The simulator's fill model, commissions and broker-side validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.builders import MONDAY, option
from tests.trading import SimClock, bracket

from executor import Action, ErrorReported, Order, OrderType, PaperBroker, Role, client_id, commission
from executor.paper.fill_model import fill_price
from parser import Asset, Instrument
from risk import Quote, instrument_key


def order(
    action: Action, kind: OrderType, price: str | None, role: Role = Role.ENTRY, alert: str = "1.25"
) -> Order:
    return Order(
        client_id="x",
        message_id="m1",
        position="m1",
        instrument=option(),
        action=action,
        order_type=kind,
        quantity=1,
        price=Decimal(price) if price else None,
        role=role,
        parent=None if role is Role.ENTRY else "p",
        alert_price=Decimal(alert),
    )


def quote(bid: str, ask: str) -> Quote:
    return Quote(bid=Decimal(bid), ask=Decimal(ask), at=MONDAY)


BUY, SELL = Action.BUY, Action.SELL
LIMIT, STOP, MARKET = OrderType.LIMIT, OrderType.STOP, OrderType.MARKET


@pytest.mark.parametrize(
    ("action", "kind", "price", "bid", "ask", "fills_at"),
    [
        (BUY, LIMIT, "1.25", "1.20", "1.25", "1.25"),  # ask at the limit
        (BUY, LIMIT, "1.25", "1.20", "1.26", None),  # a cent away
        (BUY, LIMIT, "1.25", "1.10", "1.15", "1.25"),  # through it: still the order's price
        (SELL, LIMIT, "1.80", "1.80", "1.85", "1.80"),  # target on the bid
        (SELL, LIMIT, "1.80", "1.79", "1.85", None),
        (SELL, STOP, "0.90", "0.90", "0.95", "0.90"),  # long stop: bid <= stop
        (SELL, STOP, "0.90", "0.91", "0.95", None),
        (BUY, STOP, "1.60", "1.55", "1.60", "1.60"),  # short stop: ask >= stop
        (BUY, STOP, "1.60", "1.55", "1.59", None),
        (BUY, MARKET, None, "1.20", "1.25", "1.25"),
        (SELL, MARKET, None, "1.20", "1.25", "1.20"),
    ],
)
def test_quotes_drive_fills(
    action: Action, kind: OrderType, price: str | None, bid: str, ask: str, fills_at: str | None
) -> None:
    role = Role.ENTRY if kind is not STOP else Role.STOP
    result = fill_price(order(action, kind, price, role), quote(bid, ask), None)
    assert result == (Decimal(fills_at) if fills_at else None)


def test_without_a_quote_entries_and_closes_fill_at_the_alert_price_and_children_wait() -> None:
    assert fill_price(order(BUY, LIMIT, "1.25"), None, None) == Decimal("1.25")
    assert fill_price(order(SELL, MARKET, None, Role.CLOSE, alert="1.60"), None, None) == Decimal("1.60")
    assert fill_price(order(SELL, STOP, "0.90", Role.STOP), None, Decimal("0.50")) is None


def test_a_close_with_no_alert_price_and_no_quote_takes_the_last_traded_price() -> None:
    close = order(SELL, MARKET, None, Role.CLOSE).model_copy(update={"alert_price": None})
    assert fill_price(close, None, Decimal("1.40")) == Decimal("1.40")


@pytest.mark.parametrize(
    ("instrument", "quantity", "price", "fee"),
    [
        (option(), 1, "1.25", "1.00"),  # $0.65 under the $1.00 order minimum
        (option(), 2, "1.25", "1.30"),
        (option(), 10, "0.07", "5.00"),  # $0.50 tier
        (option(), 10, "0.03", "2.50"),  # $0.25 tier
        (Instrument(asset=Asset.FUTURE, symbol="ES"), 2, "5000", "1.70"),
        (Instrument(asset=Asset.FUTURE, symbol="MES"), 3, "5000", "0.75"),
        (Instrument(asset=Asset.STOCK, symbol="AAPL"), 100, "150", "1.00"),
        (Instrument(asset=Asset.STOCK, symbol="AAPL"), 1000, "50", "5.00"),
        (Instrument(asset=Asset.STOCK, symbol="XYZ"), 10, "2.00", "0.20"),  # capped at 1 % of value
    ],
)
def test_commissions_follow_the_ibkr_fixed_schedule(
    instrument: Instrument, quantity: int, price: str, fee: str
) -> None:
    assert commission(instrument, quantity, Decimal(price)) == Decimal(fee)


@pytest.mark.parametrize(
    ("instrument", "entry", "code"),
    [
        (option("AAPL"), "3.52", 110),  # above $3 AAPL options trade in nickels
        (Instrument(asset=Asset.FUTURE, symbol="ZZ"), "10", 200),  # no contract specs
        (option(expiry=date(2026, 2, 27)), "1.25", 201),  # expired before the session
    ],
)
async def test_paper_refuses_what_a_broker_would(instrument: Instrument, entry: str, code: int) -> None:
    broker = PaperBroker(SimClock())
    events: list[object] = []
    broker.subscribe(events.append)
    ack = await broker.place_bracket(bracket(instrument=instrument, entry=entry, stop="0.50", targets=()))
    assert (ack.accepted, ack.code) == (False, code)
    assert broker.snapshot().working == () and broker.snapshot().positions == {}


async def test_a_stop_moved_off_the_tick_is_refused_and_left_where_it_was() -> None:
    broker = PaperBroker(SimClock())
    await broker.place_bracket(bracket())
    stop = client_id("m1", 1, Role.STOP)
    errors: list[object] = []
    broker.subscribe(errors.append)
    ack = await broker.modify(stop, price=Decimal("1.255"))
    assert (ack.accepted, ack.code) == (False, 110)
    assert [(e.code, e.warning) for e in errors if isinstance(e, ErrorReported)] == [(110, False)]
    [working] = [w for w in broker.snapshot().working if w.order.client_id == stop]
    assert working.order.price == Decimal("0.90")


async def test_a_finished_bracket_is_answered_as_ib_answers_after_the_simulator_let_it_go() -> None:
    """The simulator keeps only a finished order's final status (its memory stays flat over a long
    replay); a late cancel or modify, or the same order sent again, is answered as before."""
    clock = SimClock(MONDAY)
    broker = PaperBroker(clock)
    errors: list[ErrorReported] = []
    broker.subscribe(lambda event: errors.append(event) if isinstance(event, ErrorReported) else None)
    close = order(SELL, MARKET, None, role=Role.CLOSE).model_copy(update={"parent": None, "client_id": "c1"})
    broker.on_quote(instrument_key(option()), quote("1.40", "1.45"))
    assert (await broker.place_close(close)).accepted
    assert broker.snapshot().working == ()  # filled at once: nothing of it is kept but its status

    cancel, modify = await broker.cancel("c1"), await broker.modify("c1", quantity=2)
    assert (cancel.accepted, cancel.code, modify.accepted, modify.code) == (False, 10148, False, 104)
    assert (await broker.place_close(close)).duplicate
    assert (await broker.cancel("nobody")).code == 10147
