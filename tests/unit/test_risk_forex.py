"""Forex and gold entries: units, pips, the dollar value of a pair's move, its hours, its refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.builders import MONDAY, approved, decide, denied, position

from executor.paper.commissions import commission
from parser import Asset, Instrument, Side
from risk import AccountSnapshot, BracketPlan, Limits, Quote
from risk.hours import is_open, parse_hours

FOREX = frozenset({Asset.OPTION, Asset.FUTURE, Asset.STOCK, Asset.FOREX})
EURUSD = Instrument(asset=Asset.FOREX, symbol="EURUSD")
GBPJPY = Instrument(asset=Asset.FOREX, symbol="GBPJPY")
XAUUSD = Instrument(asset=Asset.FOREX, symbol="XAUUSD")


def plan(text: str, account: AccountSnapshot | None = None, **limits: object) -> BracketPlan:
    found = approved(decide(text, account, allowed_assets=FOREX, **limits)).plan
    assert isinstance(found, BracketPlan)
    return found


def quotes(**pairs: tuple[str, str]) -> AccountSnapshot:
    return AccountSnapshot(
        quotes={key: Quote(bid=Decimal(b), ask=Decimal(a), at=MONDAY) for key, (b, a) in pairs.items()}
    )


def test_a_pair_is_sized_in_forex_units_and_its_risk_in_dollars() -> None:
    found = plan("EURUSD buy 1.0850 SL 30 pips TP 60 pips")
    assert (found.quantity, found.stop_price, found.targets[0].price) == (
        20000, Decimal("1.08200"), Decimal("1.09100"),
    )  # fmt: skip
    assert found.max_loss == Decimal("60.00000")  # 20,000 x 30 pips of a dollar pair


def test_max_risk_per_trade_cuts_the_units_and_a_size_under_idealpros_minimum_is_an_odd_lot() -> None:
    decision = approved(
        decide("EURUSD buy 1.0850 SL 1.0800", allowed_assets=FOREX, max_risk_per_trade=Decimal("50"))
    )
    assert isinstance(decision.plan, BracketPlan) and decision.plan.quantity == 10000  # $50 / 0.0050
    codes = {note.code: note.detail for note in decision.notes}
    assert codes["size_reduced"] == "10000 of 20000 units, limited by MAX_RISK_PER_TRADE"
    assert "odd lot" in codes["odd_lot"]


def test_a_yen_pairs_loss_at_the_stop_is_counted_at_the_stops_own_rate() -> None:
    found = plan("USDJPY sell 150.00 SL 151.50 TP 148.00", max_risk_per_trade=Decimal("1000"))
    assert found.max_loss.quantize(Decimal("0.01")) == Decimal("198.02")  # 30,000 yen at 151.50


def test_a_cross_is_converted_at_its_dollar_pairs_quote_and_refused_without_one() -> None:
    refused = denied(decide("GBPJPY sell 191.20 SL 191.80 TP 190.40", allowed_assets=FOREX))
    assert refused.codes == ("no_conversion_rate",)
    assert "needs a quote for USDJPY" in refused.sentence
    found = plan("GBPJPY sell 191.20 SL 191.80 TP 190.40", quotes(USDJPY=("149.99", "150.01")))
    assert found.max_loss.quantize(Decimal("0.01")) == Decimal("80.00")  # 12,000 yen at 150.00


def test_gold_is_sized_in_ounces_and_its_pip_is_ten_cents() -> None:
    found = plan("GOLD buy 2640 SL 30 pips TP 60 pips")
    assert found.instrument.symbol == "XAUUSD"
    assert (found.quantity, found.stop_price, found.targets[0].price) == (
        10, Decimal("2637.00"), Decimal("2646.00"),
    )  # fmt: skip


def test_a_market_entry_in_pips_counts_from_the_side_it_would_pay() -> None:
    account = quotes(EURUSD=("1.08480", "1.08490"))
    found = plan("EURUSD buy now SL 20 pips TP 40 pips", account, allow_market_entry=True)
    assert (found.entry_price, found.reference_price) == (None, Decimal("1.08490"))
    assert (found.stop_price, found.targets[0].price) == (Decimal("1.08290"), Decimal("1.08890"))


@pytest.mark.parametrize(
    ("bid", "ask", "code"),
    [
        ("1.08600", "1.08610", "price_drift"),  # 11 pips past a buy limit of 1.0850
        ("1.08300", "1.08450", "wide_spread"),  # 15 pips between bid and ask
    ],
)
def test_drift_and_spread_are_judged_in_pips_against_what_the_entry_would_pay(
    bid: str, ask: str, code: str
) -> None:
    decision = denied(decide("EURUSD buy 1.0850 SL 1.0820", quotes(EURUSD=(bid, ask)), allowed_assets=FOREX))
    assert code in decision.codes


def test_a_market_that_came_toward_a_buy_is_not_drift() -> None:
    plan("EURUSD buy 1.0850 SL 1.0820", quotes(EURUSD=("1.08000", "1.08010")))


def test_pips_on_an_option_position_are_refused_not_guessed() -> None:
    held = position(Instrument(asset=Asset.OPTION, symbol="SPY"), stop="0.90")
    from parser import MoveStop, PipStop

    move = MoveStop(stop=PipStop(pips=Decimal(20)))
    assert denied(decide(move, AccountSnapshot(positions=(held,)), target=held)).codes == ("invalid_price",)


def test_crypto_cfds_and_index_levels_cannot_be_allowed() -> None:
    with pytest.raises(ValueError, match="crypto cannot be traded yet"):
        Limits(allowed_assets=frozenset({Asset.CRYPTO}))


@pytest.mark.parametrize(
    ("at", "forex", "gold"),
    [
        ("2026-03-06T21:59:00", True, True),  # Friday 16:59 New York
        ("2026-03-06T22:00:00", False, False),  # Friday 17:00: the week is over
        ("2026-03-08T21:30:00", True, False),  # Sunday 17:30 (the first day of summer time)
        ("2026-03-08T22:00:00", True, True),  # Sunday 18:00: gold reopens
        ("2026-03-04T22:30:00", True, False),  # Wednesday 17:30: forex's new day, gold's daily break
        ("2026-12-25T15:00:00", False, False),  # Christmas Day
    ],
)
def test_forex_trades_sunday_five_to_friday_five_and_gold_keeps_cme_hours(
    at: str, forex: bool, gold: bool
) -> None:
    moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
    rule = parse_hours("regular")
    assert (is_open(EURUSD, moment, rule), is_open(XAUUSD, moment, rule)) == (forex, gold)


@pytest.mark.parametrize(
    ("instrument", "units", "price", "fee"),
    [
        (EURUSD, 20000, "1.0850", "2.00"),  # 0.20 bp of $21,700 is $0.43: the $2.00 minimum
        (EURUSD, 2_000_000, "1.0850", "43.40"),
        (XAUUSD, 1000, "2640", "39.60"),  # 0.15 bp of $2,640,000
    ],
)
def test_the_simulator_charges_ibs_forex_and_metal_rates_with_the_minimum(
    instrument: Instrument, units: int, price: str, fee: str
) -> None:
    assert commission(instrument, units, Decimal(price)) == Decimal(fee)


def test_a_short_on_a_pair_is_allowed_under_the_default_short_policy() -> None:
    found = plan("GBPUSD sell 1.2700 SL 1.2730 TP 1.2640")
    assert found.side is Side.SHORT and found.quantity == 20000
