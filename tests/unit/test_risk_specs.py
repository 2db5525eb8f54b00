"""Tick ladders, multipliers and the instrument key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.builders import option

from parser import Asset, Instrument
from risk import instrument_key, multiplier
from risk.specs import Toward, round_price, tick


def future(root: str) -> Instrument:
    return Instrument(asset=Asset.FUTURE, symbol=root)


@pytest.mark.parametrize(
    ("instrument", "price", "step"),
    [
        (option("TSLA"), "2.99", "0.01"),  # penny class below 3.00
        (option("TSLA"), "3.00", "0.05"),
        (option("SPY"), "12.34", "0.01"),  # SPY/QQQ/IWM: pennies throughout
        (option("QQQ"), "7.77", "0.01"),
        (option("SPX", "5800"), "2.50", "0.05"),  # index classes: 0.05 / 0.10
        (option("SPXW", "5800"), "14.20", "0.10"),
        (future("ES"), "5000", "0.25"),
        (future("MNQ"), "18000", "0.25"),
        (future("RTY"), "2100", "0.1"),
        (future("YM"), "42000", "1"),
        (future("CL"), "71.5", "0.01"),
        (future("GC"), "2400", "0.1"),
        (Instrument(asset=Asset.STOCK, symbol="AAPL"), "190", "0.01"),
    ],
)
def test_tick_ladder(instrument: Instrument, price: str, step: str) -> None:
    assert tick(instrument, Decimal(price)) == Decimal(step)


@pytest.mark.parametrize(
    ("instrument", "price", "toward", "expected"),
    [
        (option("TSLA"), "3.12", Toward.DOWN, "3.10"),
        (option("TSLA"), "3.12", Toward.UP, "3.15"),
        (option("TSLA"), "2.999", Toward.UP, "3.00"),
        (option("SPY"), "0.875", Toward.UP, "0.88"),
        (future("ES"), "5000.1", Toward.UP, "5000.25"),
        (future("ES"), "5000.1", Toward.DOWN, "5000.00"),
        (option("SPY"), "2", Toward.UP, "2.00"),
    ],
)
def test_round_price(instrument: Instrument, price: str, toward: Toward, expected: str) -> None:
    assert str(round_price(instrument, Decimal(price), toward)) == expected


@pytest.mark.parametrize(
    ("instrument", "value"),
    [
        (option(), 100),
        (future("ES"), 50),
        (future("MES"), 5),
        (future("NQ"), 20),
        (future("MNQ"), 2),
        (future("RTY"), 50),
        (future("M2K"), 5),
        (future("YM"), 5),
        (future("CL"), 1000),
        (future("GC"), 100),
        (Instrument(asset=Asset.STOCK, symbol="AAPL"), 1),
    ],
)
def test_multipliers(instrument: Instrument, value: int) -> None:
    assert multiplier(instrument) == value


def test_instrument_keys_match_the_session_fixture_format() -> None:
    assert instrument_key(option("SPY", "580", "C", date(2026, 3, 2))) == "SPY 2026-03-02 580C"
    assert instrument_key(option("SPY", "580.5", "P", date(2026, 3, 2))) == "SPY 2026-03-02 580.5P"
    assert instrument_key(future("ES")) == "ES"
    assert (
        instrument_key(Instrument(asset=Asset.FUTURE, symbol="ES", expiry=date(2026, 12, 1))) == "ES 2026-12"
    )
    assert instrument_key(Instrument(asset=Asset.STOCK, symbol="AAPL")) == "AAPL"
