"""Orders a careful trader would not place: each denial at its boundary, one table per rule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.builders import MONDAY, approved, decide, denied, ny, option, position

from parser import Asset, Exit, Instrument, Open, PriceStop, PriceTarget, Side
from risk import AccountSnapshot, BracketPlan, Decision, Quote, Realized, ShortPolicy


def codes(decision: Decision) -> tuple[str, ...]:
    return getattr(decision, "codes", ())


# -- ALLOW_SHORT -------------------------------------------------------------------------------------

STO_CALL = "STO SPY 3/20 590C @ 1.25 SL 1.60"
SHORT_STOCK = "short AAPL @ 230 SL 232"
SHORT_FUTURE = "SELL MES @ 5000 SL 5010"
LONG_CALL = "BTO SPY 3/20 580C @ 1.25 SL 0.90"


@pytest.mark.parametrize(
    ("policy", "text", "refused"),
    [
        (ShortPolicy.FUTURES, STO_CALL, True),  # the default: a naked short call is never placed
        (ShortPolicy.FUTURES, SHORT_STOCK, True),
        (ShortPolicy.FUTURES, SHORT_FUTURE, False),
        (ShortPolicy.NONE, SHORT_FUTURE, True),
        (ShortPolicy.NONE, LONG_CALL, False),
        (ShortPolicy.ALL, STO_CALL, False),
        (ShortPolicy.ALL, SHORT_STOCK, False),
    ],
)
def test_shorts_follow_allow_short(policy: ShortPolicy, text: str, refused: bool) -> None:
    decision = decide(text, allow_short=policy, trading_hours="00:00-23:59")
    assert ("short_not_allowed" in codes(decision)) is refused
    if not refused:
        approved(decision)


def test_the_default_refuses_a_short_call_and_names_the_setting() -> None:
    decision = denied(decide(STO_CALL))
    assert decision.codes == ("short_not_allowed",) and "ALLOW_SHORT=futures" in decision.sentence


# -- the option must exist -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "code"),
    [
        ("3/2", None),  # today: 0DTE is a real contract
        ("2/27", "expiry_too_far"),  # the Friday before, without a year: read as next year's
        ("3/7", "no_such_expiry"),  # a Saturday
        ("4/3", "no_such_expiry"),  # Good Friday 2026: the exchanges are closed
        ("4/2", None),  # the Thursday before it
        ("6/30", None),  # 120 days away: MAX_EXPIRY_DAYS is inclusive
        ("7/1", "expiry_too_far"),  # 121 days
    ],
)
def test_an_option_expiry_must_be_a_trading_day_within_max_expiry_days(expiry: str, code: str | None) -> None:
    decision = decide(f"BTO SPY {expiry} 580C @ 1.25 SL 0.90")
    if code is None:
        approved(decision)
    else:
        assert code in denied(decision).codes


def test_an_expiry_already_past_is_denied() -> None:
    friday = Open(
        side=Side.LONG, instrument=option(expiry=date(2026, 2, 27)), price=Decimal("1.25"),
        stop=PriceStop(price=Decimal("0.90")),
    )  # fmt: skip
    assert denied(decide(friday)).codes == ("expired_contract",)


def test_a_date_without_a_year_that_rolled_into_next_year_is_too_far() -> None:
    now = ny(2026, 11, 30)  # "11/27" three days late
    decision = denied(decide("BTO SPY 11/27 600C @ 1.25 SL 0.90", now=now))
    assert "expiry_too_far" in decision.codes


def test_max_expiry_days_is_the_traders_setting() -> None:
    assert "expiry_too_far" in denied(decide("BTO SPY 3/20 580C @ 1.25 SL 0.90", max_expiry_days=10)).codes
    approved(decide("BTO SPY 3/20 580C @ 1.25 SL 0.90", max_expiry_days=18))


def spy_at(price: str) -> AccountSnapshot:
    spy = Quote(last=Decimal(price), at=MONDAY)
    return AccountSnapshot(quotes={"SPY": spy})


@pytest.mark.parametrize(
    ("strike", "refused"),
    [("870", False), ("871", True), ("290", False), ("289", True)],  # 50 % of 580 either way
)
def test_a_strike_far_from_the_underlying_is_a_misread(strike: str, refused: bool) -> None:
    decision = decide(f"BTO SPY 3/20 {strike}C @ 1.25 SL 0.90", spy_at("580"))
    assert ("strike_implausible" in codes(decision)) is refused


def test_without_the_underlying_price_the_strike_is_not_judged() -> None:
    approved(decide("BTO SPY 3/20 1200C @ 1.25 SL 0.90"))


# -- stocks are sized in shares ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limits", "shares"),
    [
        ("BUY 150 AAPL @ 230 SL 229", {}, 100),  # MAX_SHARES, not MAX_CONTRACTS (2)
        ("BUY 150 AAPL @ 230 SL 229", {"max_shares": 150}, 150),  # risk 150 at $1: exactly the cap
        ("BUY 150 AAPL @ 230 SL 228", {"max_shares": 150}, 75),  # MAX_RISK_PER_TRADE still applies
        ("BUY AAPL @ 230 SL 229", {}, 1),  # no size: DEFAULT_CONTRACTS shares
    ],
)
def test_stocks_are_sized_in_shares(text: str, limits: dict[str, object], shares: int) -> None:
    plan = approved(decide(text, trading_hours="00:00-23:59", **limits)).plan
    assert isinstance(plan, BracketPlan) and plan.quantity == shares


def test_shares_held_do_not_use_up_the_contract_cap() -> None:
    aapl = Instrument(asset=Asset.STOCK, symbol="AAPL")
    held = position(aapl, quantity=100, avg="230", stop="229", opened_by="m0")
    plan = approved(decide("BTO 2 SPY 3/20 580C @ 1.25 SL 1.00", AccountSnapshot(positions=(held,)))).plan
    assert isinstance(plan, BracketPlan) and plan.quantity == 2


# -- a stop move needs a filled entry ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "pending", "code"),
    [(0, 2, "entry_not_filled"), (1, 1, None), (2, 0, None)],
)
def test_a_stop_move_waits_for_the_entry_to_fill(held: int, pending: int, code: str | None) -> None:
    target = position(quantity=held, pending=pending, stop="0.90")
    account = AccountSnapshot(positions=(target,))
    decision = decide("stop to BE", account, target=target)
    if code is None:
        approved(decision)
    else:
        assert denied(decision).codes == (code,)


# -- the loss cooldown -------------------------------------------------------------------------------


def closed(ago: float, pnl: str, gross: str | None, *, forced: bool = False) -> AccountSnapshot:
    """A closing fill ``ago`` seconds before MONDAY: ``pnl`` net, ``gross`` the price P&L alone."""
    at = MONDAY - timedelta(seconds=ago)
    market_loss = None if gross is None else Decimal(gross) < 0 and not forced
    return AccountSnapshot(realized=(Realized(at=at, pnl=Decimal(pnl), market_loss=market_loss),))


@pytest.mark.parametrize(
    ("account", "cooling"),
    [
        (closed(60, "-72.60", "-70.00"), True),  # a real loss
        (closed(60, "-2.60", "0.00"), False),  # a scratch that lost only its commissions
        (closed(60, "-72.60", "-70.00", forced=True), False),  # the kill switch's own flattening
        (closed(600, "-72.60", "-70.00"), False),  # exactly LOSS_COOLDOWN_MINUTES later
        (closed(599, "-72.60", "-70.00"), True),
    ],
)
def test_the_loss_cooldown_starts_after_a_real_loss_only(account: AccountSnapshot, cooling: bool) -> None:
    assert ("loss_cooldown" in codes(decide(LONG_CALL, account))) is cooling


def test_the_cooldown_never_says_zero_minutes_left() -> None:
    decision = denied(decide(LONG_CALL, closed(580, "-72.60", "-70.00")))  # 20 s left
    assert "for 1 more min" in decision.sentence


# -- numbers are checked again ------------------------------------------------------------------------


def raw_open(**fields: object) -> Open:
    """An open as a source other than the parser could hand it over: no validation on the way."""
    values: dict[str, object] = {
        "side": Side.LONG, "instrument": option(), "price": Decimal("1.25"),
        "stop": PriceStop(price=Decimal("0.90")), "targets": (), "quantity": None,
    }  # fmt: skip
    return Open.model_construct(**{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"quantity": 0}, "invalid_quantity"),
        ({"quantity": -3}, "invalid_quantity"),
        ({"quantity": 5001}, "quantity_implausible"),
        ({"price": Decimal(0)}, "invalid_price"),
        ({"price": Decimal("-1.25")}, "invalid_price"),
        ({"price": Decimal("NaN")}, "invalid_price"),
        ({"price": Decimal("2000000")}, "price_implausible"),
        ({"stop": PriceStop(price=Decimal("-0.5"))}, "invalid_price"),
        ({"targets": (PriceTarget(price=Decimal(0)),)}, "invalid_price"),
        ({"instrument": option(strike="5", right="P"), "price": Decimal("5.00")}, "price_implausible"),
    ],
)
def test_absurd_numbers_are_denied_never_defaulted(fields: dict[str, object], code: str) -> None:
    assert code in denied(decide(raw_open(**fields))).codes


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": 5000},
        {"quantity": 1},
        {"instrument": option(strike="5", right="P"), "price": Decimal("4.95")},
    ],
)
def test_numbers_just_inside_the_bounds_pass_that_check(fields: dict[str, object]) -> None:
    decision = decide(
        raw_open(**fields), max_contracts=5000, max_total_contracts=5000, max_risk_per_trade=10**9
    )
    assert not {"invalid_quantity", "quantity_implausible", "invalid_price", "price_implausible"} & set(
        codes(decision)
    )


def test_an_exit_at_a_negative_price_is_denied() -> None:
    target = position()
    exit_ = Exit.model_construct(
        side=None, instrument=None, price=Decimal(-1), stop=None, targets=(), quantity=None
    )
    assert "invalid_price" in denied(decide(exit_, AccountSnapshot(positions=(target,)), target=target)).codes


# -- levels on the wrong side, for every asset ---------------------------------------------------------

ASSETS = {
    "option": option(),
    "future": Instrument(asset=Asset.FUTURE, symbol="MES"),
    "stock": Instrument(asset=Asset.STOCK, symbol="AAPL"),
}
LEVELS = {"option": ("1.25", "0.25"), "future": ("5000", "10"), "stock": ("230", "2")}  # entry, a step


@pytest.mark.parametrize("asset", sorted(ASSETS))
@pytest.mark.parametrize("side", [Side.LONG, Side.SHORT])
@pytest.mark.parametrize(("wrong", "code"), [("stop", "stop_wrong_side"), ("target", "target_wrong_side")])
def test_a_level_on_the_wrong_side_is_denied_never_flipped(
    asset: str, side: Side, wrong: str, code: str
) -> None:
    entry, step = (Decimal(v) for v in LEVELS[asset])
    toward_profit = step if side is Side.LONG else -step
    stop, target = entry - toward_profit, entry + toward_profit
    if wrong == "stop":
        stop = entry + toward_profit
    else:
        target = entry - toward_profit
    intent = Open(
        side=side, instrument=ASSETS[asset], price=entry, stop=PriceStop(price=stop),
        targets=(PriceTarget(price=target),),
    )  # fmt: skip
    decision = denied(decide(intent, allow_short=ShortPolicy.ALL, trading_hours="00:00-23:59"))
    assert code in decision.codes
