"""Forex and gold through ib_async and a real socket, against the fake gateway's IDEALPRO and
commodity listings: the contract IB is sent, the units, the price ladder, the time in force, and the
P&L the bot books when the gateway fills the legs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from tests.fakes.tws import FakeTWS
from tests.ibkit import desk_on, round_trip
from tests.trading import Desk

from executor import Role, client_id
from parser import Asset
from risk import Limits

D = Decimal
FOREX = Limits(allowed_assets=frozenset({Asset.OPTION, Asset.FUTURE, Asset.STOCK, Asset.FOREX}))


@pytest.fixture
async def desk(tws: FakeTWS) -> AsyncIterator[Desk]:
    async with desk_on(tws, limits=FOREX) as desk:
        yield desk


def placed(tws: FakeTWS) -> list[list[str]]:
    return [r.fields for r in tws.messages(3)]


async def test_a_forex_bracket_is_a_cash_contract_on_idealpro_in_units_on_half_pips(
    desk: Desk, tws: FakeTWS
) -> None:
    assert (await desk.alert("EURUSD buy 1.08503 SL 30 pips TP 60 pips", "fx1")).outcome == "sent"
    entry, target, stop = placed(tws)
    # placeOrder's contract fields: conId, symbol, secType, expiry, strike, right, multiplier,
    # exchange, primaryExchange, currency, localSymbol, tradingClass
    assert (entry[3], entry[4], entry[9], entry[11]) == ("EUR", "CASH", "IDEALPRO", "USD")
    assert [f[17] for f in (entry, target, stop)] == ["20000", "20000", "20000"]  # FOREX_UNITS
    # 1.08503 bought down to the half-pip ladder; the stop 30 pips under the alert's price and the
    # target 60 over it, each moved onto the ladder toward the entry (never more risk)
    assert (entry[19], target[19], stop[20]) == ("1.085", "1.091", "1.08205")
    assert [f[21] for f in (entry, target, stop)] == ["DAY", "GTC", "GTC"]  # the stop outlives 17:00
    pair = int(entry[2])
    assert tws.listings.contracts[pair].local_symbol == "EUR.USD"

    tws.quote(pair, D("1.08490"), D("1.08500"))
    await round_trip(desk.broker)
    tws.quote(pair, D("1.09100"), D("1.09110"))
    await round_trip(desk.broker)
    assert desk.book.orders[client_id("fx1", 1, Role.TARGET)].filled == 20000
    assert desk.book.realized_pnl() == D("120.00")  # 20,000 x 60 pips, in dollars
    assert desk.book.commissions() == D("4.00")  # IB's $2.00 minimum, entry and exit


async def test_a_yen_pair_short_books_its_loss_in_dollars_at_the_stop_fill(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert("USDJPY sell 150.10 SL 25 pips TP 50 pips", "fx2")
    entry, _, stop = placed(tws)
    assert (entry[3], entry[4], entry[11], stop[20]) == ("USD", "CASH", "JPY", "150.35")
    pair = int(entry[2])
    tws.quote(pair, D("150.100"), D("150.110"))
    await round_trip(desk.broker)
    tws.quote(pair, D("150.350"), D("150.360"))  # the short's stop triggers on the ask
    await round_trip(desk.broker)
    # 20,000 x 0.25 yen = 5,000 yen, at 150.35 yen to the dollar
    assert desk.book.realized_pnl() == D("-33.26")


async def test_gold_is_ibs_xauusd_commodity_in_ounces(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert("GOLD buy now @ 2640.004 SL 2630 TP 2655", "g1")
    entry, target, stop = placed(tws)
    assert (entry[3], entry[4], entry[9], entry[11]) == ("XAUUSD", "CMDTY", "SMART", "USD")
    assert [f[17] for f in (entry, target, stop)] == ["10", "10", "10"]  # GOLD_UNITS
    assert (entry[19], target[19], stop[20]) == ("2640.0", "2655.0", "2630.0")  # 2640.004 down to the cent
    metal = int(entry[2])
    tws.quote(metal, D("2639.80"), D("2640.00"))
    await round_trip(desk.broker)
    tws.quote(metal, D("2629.90"), D("2630.10"))
    await round_trip(desk.broker)
    assert desk.book.realized_pnl() == D("-100.00")
