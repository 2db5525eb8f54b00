"""The position book: averages, realized P&L with every multiplier, partial and repeated fills."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders import MONDAY, option
from tests.trading import bracket, money

from executor import (
    Action,
    Order,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderSubmitted,
    OrderType,
    PositionBook,
    Role,
    market_close,
)
from parser import Asset, Instrument, Side


def entry(
    instrument: Instrument, quantity: int, price: str, *, side: Side = Side.LONG, cid: str = "e1"
) -> Order:
    return Order(
        client_id=cid,
        message_id="m1",
        position="m1",
        instrument=instrument,
        action=Action.BUY if side is Side.LONG else Action.SELL,
        order_type=OrderType.LIMIT,
        quantity=quantity,
        price=Decimal(price),
        role=Role.ENTRY,
    )


def submit(book: PositionBook, order: Order) -> None:
    book.apply(OrderSubmitted(at=MONDAY, client_id=order.client_id, order=order))
    book.apply(OrderAccepted(at=MONDAY, client_id=order.client_id))


def fill(
    book: PositionBook, cid: str, quantity: int, price: str, *, fill_id: str, filled: int, remaining: int = 0
) -> None:
    book.apply(
        OrderFilled(
            at=MONDAY,
            client_id=cid,
            fill_id=fill_id,
            quantity=quantity,
            price=Decimal(price),
            commission=Decimal("1.00"),
            filled=filled,
            remaining=remaining,
        )
    )


def round_trip(
    instrument: Instrument, quantity: int, buy: str, sell: str, side: Side = Side.LONG
) -> PositionBook:
    book = PositionBook()
    submit(book, entry(instrument, quantity, buy, side=side))
    fill(book, "e1", quantity, buy, fill_id="f1", filled=quantity)
    close = market_close(
        client_order_id="c1",
        message_id="m2",
        position="m1",
        instrument=instrument,
        side=side,
        quantity=quantity,
    )
    submit(book, close)
    fill(book, "c1", quantity, sell, fill_id="f2", filled=quantity)
    return book


def future(root: str) -> Instrument:
    return Instrument(asset=Asset.FUTURE, symbol=root)


@pytest.mark.parametrize(
    ("instrument", "quantity", "buy", "sell", "pnl"),
    [
        (option(), 2, "1.25", "1.80", "110.00"),
        (future("ES"), 1, "5000.00", "5004.00", "200.00"),
        (future("MES"), 1, "5000.00", "5004.00", "20.00"),
        (future("NQ"), 1, "18000.00", "18004.00", "80.00"),
        (future("MNQ"), 1, "18000.00", "18004.00", "8.00"),
        (future("RTY"), 1, "2100.0", "2104.0", "200.00"),
        (future("M2K"), 1, "2100.0", "2104.0", "20.00"),
        (future("YM"), 1, "42000", "42004", "20.00"),
        (future("CL"), 1, "70.00", "70.40", "400.00"),
        (future("GC"), 1, "2000.0", "2004.0", "400.00"),
        (Instrument(asset=Asset.STOCK, symbol="AAPL"), 100, "150.00", "151.25", "125.00"),
    ],
)
def test_realized_pnl_uses_the_contract_multiplier(
    instrument: Instrument, quantity: int, buy: str, sell: str, pnl: str
) -> None:
    book = round_trip(instrument, quantity, buy, sell)
    assert money(book.realized_pnl()) == pnl
    assert book.holdings["m1"].quantity == 0


def test_short_position_profits_when_the_price_falls() -> None:
    book = round_trip(option(), 2, "1.50", "1.20", side=Side.SHORT)
    assert money(book.realized_pnl()) == "60.00"
    assert book.net_positions() == {"SPY 2026-03-20 580C": 0}


def test_partial_fills_average_in_and_leave_the_rest_pending() -> None:
    book = PositionBook()
    submit(book, entry(option(), 3, "1.26"))
    fill(book, "e1", 1, "1.20", fill_id="f1", filled=1, remaining=2)
    [risk_view] = book.risk_positions()
    assert (risk_view.quantity, risk_view.pending) == (1, 2)
    fill(book, "e1", 2, "1.26", fill_id="f2", filled=3)
    assert book.holdings["m1"].avg_price == Decimal("1.24")
    assert book.risk_positions()[0].pending == 0


def test_a_fill_reported_twice_counts_once() -> None:
    book = PositionBook()
    submit(book, entry(option(), 2, "1.25"))
    fill(book, "e1", 2, "1.25", fill_id="f1", filled=2)
    fill(book, "e1", 2, "1.25", fill_id="f1", filled=2)  # re-sent after a reconnect
    assert book.holdings["m1"].quantity == 2 and len(book.fills) == 1


def test_every_fill_names_the_message_that_caused_it() -> None:
    book = round_trip(option(), 1, "1.25", "1.50")
    assert [(f.message_id, f.position, f.action) for f in book.fills] == [
        ("m1", "m1", Action.BUY),
        ("m2", "m1", Action.SELL),
    ]


def test_risk_sees_no_stop_once_a_stop_stops_covering_the_position() -> None:
    book = PositionBook()
    for order in bracket().orders:
        submit(book, order)
    fill(book, "asc:m1:1:entry", 2, "1.25", fill_id="f1", filled=2)
    assert book.risk_positions()[0].stop == Decimal("0.90")
    book.apply(OrderCancelled(at=MONDAY, client_id="asc:m1:1:stop"))
    assert book.risk_positions()[0].stop is None  # unbounded: risk blocks new entries


def test_risk_realized_is_net_of_the_round_trip_commissions_and_ignores_entries() -> None:
    book = round_trip(option(), 2, "1.25", "1.80")
    [closed] = book.realized_events()
    assert money(closed.pnl) == "108.00"  # 110 gross - 1.00 to close - 1.00 to open


def test_an_oversized_closing_fill_is_recorded_as_an_anomaly() -> None:
    book = round_trip(option(), 1, "1.25", "1.50")
    close = market_close(
        client_order_id="c2", message_id="m3", position="m1", instrument=option(), side=Side.LONG, quantity=1
    )
    submit(book, close)
    fill(book, "c2", 1, "1.50", fill_id="f3", filled=1)
    assert book.anomalies and "c2" in book.anomalies[0]


def _opened(book: PositionBook, position: str) -> None:
    order = entry(option(), 1, "1.00", cid=f"{position}:e").model_copy(
        update={"message_id": position, "position": position}
    )
    submit(book, order)
    fill(book, order.client_id, 1, "1.00", fill_id=f"{position}:f1", filled=1)


def _closing(position: str, role: Role = Role.CLOSE) -> Order:
    close = market_close(
        client_order_id=f"{position}:{role.value}",
        message_id=position,
        position=position,
        instrument=option(),
        side=Side.LONG,
        quantity=1,
    )
    if role is Role.CLOSE:
        return close
    return close.model_copy(update={"role": role, "order_type": OrderType.STOP, "price": Decimal("0.50")})


def test_a_position_that_is_over_is_let_go_and_its_totals_stay() -> None:
    """Between messages the book drops what is over (the journal has it), never what is open, never
    a position a plan is acting on, and the P&L risk reads does not change."""
    book = PositionBook()
    for position in ("over", "held", "busy"):
        _opened(book, position)
    for position in ("over", "busy"):
        submit(book, _closing(position))
        fill(book, f"{position}:close", 1, "1.50", fill_id=f"{position}:f2", filled=1)
    stop = _closing("held", Role.STOP)
    submit(book, stop)
    realized, fees, events = book.realized_pnl(), book.commissions(), book.realized_events()

    assert book.forget_closed(keep=["busy"]) == 1
    assert set(book.holdings) == {"held", "busy"}
    assert not any(s.order.position == "over" for s in book.orders.values())
    assert all(f.position != "over" for f in book.fills)
    assert (book.realized_pnl(), book.commissions(), book.realized_events()) == (realized, fees, events)
    assert [s.order.client_id for s in book.working()] == [stop.client_id]
    fill(book, stop.client_id, 1, "0.50", fill_id="held:f2", filled=1)  # the held one still closes
    assert book.holdings["held"].quantity == 0
    assert book.forget_closed() == 2 and book.holdings == {}


@pytest.mark.parametrize(
    ("symbol", "side", "opened", "closed", "pnl"),
    [
        ("EURUSD", Side.LONG, "1.08500", "1.09100", "120.00"),  # dollars already
        ("USDJPY", Side.SHORT, "150.100", "150.350", "-33.26"),  # 5,000 yen lost, at the closing 150.35
    ],
)
def test_a_pairs_pnl_is_converted_to_dollars_at_the_closing_fill(
    symbol: str, side: Side, opened: str, closed: str, pnl: str
) -> None:
    pair = Instrument(asset=Asset.FOREX, symbol=symbol)
    book = round_trip(pair, 20000, opened, closed, side=side)
    assert book.realized_pnl() == Decimal(pnl)
    assert book.anomalies == []


def test_a_cross_filled_without_a_dollar_rate_is_reported_not_silently_converted() -> None:
    book = round_trip(Instrument(asset=Asset.FOREX, symbol="GBPJPY"), 20000, "190.40", "191.20")
    assert book.anomalies == ["c1: no dollar rate for GBPJPY; P&L counted at 1"]
