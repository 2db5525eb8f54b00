"""Entries: sizing, the bracket's prices, and the gates an open or an add must pass."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.builders import MONDAY, approved, decide, denied, open_option, option, position

from parser import Instrument, Open, Side
from risk import AccountSnapshot, BracketPlan, EntryRecord, Position, Quote, Realized, ShortPolicy

SPY = "SPY 3/20 580C"


def bracket(
    text: str, account: AccountSnapshot | None = None, target: Position | None = None, **limits: object
) -> BracketPlan:
    plan = approved(decide(text, account, target=target, **limits)).plan
    assert isinstance(plan, BracketPlan)
    return plan


@pytest.mark.parametrize(
    ("text", "limits", "quantity"),
    [
        (f"BTO {SPY} @ 1.25 SL 0.90", {}, 1),  # DEFAULT_CONTRACTS
        (f"BTO {SPY} @ 1.25 SL 0.90", {"default_contracts": 2}, 2),
        (f"BTO 5 {SPY} @ 1.25 SL 0.90", {}, 2),  # MAX_CONTRACTS
        (f"BTO 5 {SPY} @ 1.25 SL 0.90", {"max_contracts": 5, "max_total_contracts": 9}, 4),  # 150 // 35
        (f"BTO 2 {SPY} @ 2.50 SL 1.75", {"max_risk_per_trade": Decimal("150")}, 2),  # exactly 150
        (f"BTO 2 {SPY} @ 2.50 SL 1.74", {"max_risk_per_trade": Decimal("150")}, 1),  # 152 > 150
        (f"BTO 2 {SPY} @ 2.50 SL 1.00", {}, 1),  # one contract risks exactly 150
    ],
)
def test_size_is_smallest_of_alert_max_contracts_and_risk(
    text: str, limits: dict[str, object], quantity: int
) -> None:
    assert bracket(text, **limits).quantity == quantity


def test_size_zero_when_one_contract_risks_more_than_max_risk_is_denied_not_rounded_up() -> None:
    decision = denied(decide(f"BTO {SPY} @ 2.51 SL 1.00"))
    assert decision.codes == ("size_zero",)
    assert "$151.00" in decision.sentence and "MAX_RISK_PER_TRADE" in decision.sentence


def test_size_reduced_note_names_the_binding_limit() -> None:
    decision = approved(decide(f"BTO 5 {SPY} @ 1.25 SL 0.90"))
    note = next(n for n in decision.notes if n.code == "size_reduced")
    assert note.detail == "2 of 5 contracts, limited by MAX_CONTRACTS"


@pytest.mark.parametrize(("held", "expected"), [(4, 2), (5, 1)])
def test_total_contracts_cap_shrinks_the_entry(held: int, expected: int) -> None:
    account = AccountSnapshot(positions=(position(option("QQQ"), quantity=held, stop="1.20"),))
    assert bracket(f"BTO 2 {SPY} @ 1.25 SL 1.20", account).quantity == expected


def test_total_contracts_cap_used_up_is_a_denial() -> None:
    account = AccountSnapshot(positions=(position(option("QQQ"), quantity=6, stop="1.20"),))
    decision = denied(decide(f"BTO {SPY} @ 1.25 SL 1.20", account, daily_loss_limit=Decimal(1000)))
    assert decision.codes == ("size_zero",)
    assert "MAX_TOTAL_CONTRACTS" in decision.sentence


@pytest.mark.parametrize(
    ("text", "stop", "targets"),
    [
        (f"BTO {SPY} @ 1.25 SL 0.90 PT 1.80", "0.90", [("1.80", 1)]),
        (f"BTO {SPY} @ 1.25 SL 20%", "1.00", [("1.87", 1)]),  # 1.25 * 1.5 = 1.875, down to the tick
        (f"BTO {SPY} @ 1.25", "0.88", [("1.87", 1)]),  # DEFAULT_STOP_PCT 30: 0.875 up to the tick
        (f"BTO 2 {SPY} @ 1.25 SL 0.90 PT 2 PT 1.5", "0.90", [("1.50", 1), ("2.00", 1)]),
        (f"BTO 2 {SPY} @ 1.25 SL 0.90 PT 1.5 PT 1.8 PT 2.2", "0.90", [("1.50", 1), ("1.80", 1)]),
        ("BTO 2 TSLA 3/20 250C @ 3.12 SL 2.51 PT 4.01", "2.51", [("4.00", 2)]),  # 0.05 ladder above 3
        ("BTO MES @ 5000.1 SL 4990.1 PT 5020.1", "4990.25", [("5020.00", 1)]),  # 0.25 ticks
    ],
)
def test_bracket_prices_are_on_tick_and_cautious(
    text: str, stop: str, targets: list[tuple[str, int]]
) -> None:
    plan = bracket(text, max_contracts=3)
    assert plan.stop_price == Decimal(stop)
    assert [(str(leg.price), leg.quantity) for leg in plan.targets] == targets


def test_entry_limit_rounds_toward_never_paying_more_than_the_alert() -> None:
    assert bracket("BTO TSLA 3/20 250C @ 3.12 SL 2.5").entry_price == Decimal("3.10")
    assert bracket("STO TSLA 3/20 250P @ 3.12 SL 3.9", allow_short=ShortPolicy.ALL).entry_price == Decimal(
        "3.15"
    )


def test_three_contracts_two_targets_split_nearest_first() -> None:
    plan = bracket(f"BTO 3 {SPY} @ 1.00 SL 0.90 PT 1.5 PT 2", max_contracts=3)
    assert [leg.quantity for leg in plan.targets] == [2, 1]


def test_dropped_targets_are_noted() -> None:
    decision = approved(decide(f"BTO {SPY} @ 1.25 SL 0.90 PT 1.5 PT 2"))
    assert "targets_dropped" in decision.codes


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        (open_option("1.25", "1.30"), "stop_wrong_side"),
        (open_option("1.25", "1.25"), "stop_wrong_side"),
        (open_option("2", "1.5", side=Side.SHORT), "stop_wrong_side"),
        (open_option("1.25", "0.90", target="1.10"), "target_wrong_side"),
        (open_option("1.25", "0.90", side=Side.SHORT), "stop_wrong_side"),
    ],
)
def test_levels_on_the_wrong_side_are_denied_never_flipped(intent: Open, code: str) -> None:
    assert code in denied(decide(intent)).codes


def test_breakeven_stop_on_an_open_is_no_protection() -> None:
    assert "stop_wrong_side" in denied(decide(f"BTO {SPY} @ 1.25 SL BE")).codes


def test_short_entry_has_stop_above_and_target_below() -> None:
    plan = bracket("STO SPY 3/20 580P @ 2 SL 3", allow_short=ShortPolicy.ALL)
    assert plan.stop_price == Decimal("3.00") and plan.targets[0].price == Decimal("1.00")


def test_option_without_expiry_is_denied() -> None:
    assert denied(decide("BTO SPY 580C @ 1.25 SL 0.9")).codes == ("missing_expiry",)


def test_expired_option_is_denied() -> None:
    expired = open_option("1.25", "0.90").model_copy(update={"instrument": option(expiry=date(2026, 2, 27))})
    assert "expired_contract" in denied(decide(expired)).codes


def test_market_entry_is_off_by_default() -> None:
    assert denied(decide(f"BTO {SPY}")).codes == ("market_entry_disabled",)


def test_market_entry_when_allowed_is_sized_at_the_fresh_ask() -> None:
    quote = Quote(bid=Decimal("1.28"), ask=Decimal("1.30"), at=MONDAY - timedelta(seconds=2))
    account = AccountSnapshot(quotes={"SPY 2026-03-20 580C": quote})
    plan = bracket(f"BTO {SPY}", account, allow_market_entry=True)
    assert plan.is_market and plan.reference_price == Decimal("1.30") and plan.stop_price == Decimal("0.91")


def test_market_entry_without_a_quote_is_denied() -> None:
    assert denied(decide(f"BTO {SPY}", allow_market_entry=True)).codes == ("no_reference_price",)


@pytest.mark.parametrize(
    ("ask", "quote_age", "outcome"),
    [
        ("1.25", 1, "approved"),
        ("1.1364", 1, "approved"),
        ("1.40", 1, "price_drift"),
        ("1.40", 31, "unchecked"),
    ],
)
def test_price_drift_against_a_fresh_quote(ask: str, quote_age: int, outcome: str) -> None:
    # 1.25 vs 1.1364 is 9.99%; vs 1.40 it is 10.7%; a quote older than MAX_SIGNAL_AGE_SECONDS is no quote.
    quote = Quote(
        bid=Decimal(ask) - Decimal("0.02"), ask=Decimal(ask), at=MONDAY - timedelta(seconds=quote_age)
    )
    decision = decide(f"BTO {SPY} @ 1.25 SL 0.90", AccountSnapshot(quotes={"SPY 2026-03-20 580C": quote}))
    if outcome == "price_drift":
        assert denied(decision).codes == ("price_drift",)
    else:
        assert ("drift_unchecked" in approved(decision).codes) is (outcome == "unchecked")


def test_drift_exactly_at_the_limit_passes() -> None:
    quote = Quote(ask=Decimal("1.00"), at=MONDAY)
    account = AccountSnapshot(quotes={"SPY 2026-03-20 580C": quote})
    approved(decide(f"BTO {SPY} @ 1.10 SL 0.90", account))


@pytest.mark.parametrize(("age", "verdict"), [(30, "approved"), (30.5, "denied"), (300, "denied")])
def test_stale_entry_boundary(age: float, verdict: str) -> None:
    decision = decide(f"BTO {SPY} @ 1.25 SL 0.90", age=age)
    assert decision.verdict == verdict
    if verdict == "denied":
        assert denied(decision).codes == ("stale_alert",)


def test_a_message_that_already_produced_a_plan_never_produces_another() -> None:
    account = AccountSnapshot(planned_message_ids=frozenset({"m1"}))
    assert denied(decide(f"BTO {SPY} @ 1.25 SL 0.90", account)).codes == ("duplicate_message",)


@pytest.mark.parametrize(
    ("seconds_ago", "side", "duplicate"), [(299, "long", True), (300, "long", False), (10, "short", False)]
)
def test_same_contract_and_side_within_the_window_is_a_duplicate(
    seconds_ago: int, side: str, duplicate: bool
) -> None:
    earlier = EntryRecord(
        message_id="m0", instrument=option(), side=side, at=MONDAY - timedelta(seconds=seconds_ago)
    )
    decision = decide(f"BTO {SPY} @ 1.25 SL 0.90", AccountSnapshot(entries=(earlier,)))
    assert ("duplicate_alert" in getattr(decision, "codes", ())) is duplicate


def test_second_open_of_a_held_contract_is_denied() -> None:
    account = AccountSnapshot(positions=(position(),))
    assert "already_open" in denied(decide(f"BTO {SPY} @ 1.25 SL 0.90", account)).codes


@pytest.mark.parametrize(("held", "verdict"), [(2, "approved"), (3, "denied")])
def test_max_open_positions_boundary(held: int, verdict: str) -> None:
    positions = tuple(
        position(option(s), quantity=1, stop="1.2", opened_by=s) for s in ["QQQ", "IWM", "AAPL"][:held]
    )
    assert decide(f"BTO {SPY} @ 1.25 SL 0.90", AccountSnapshot(positions=positions)).verdict == verdict


@pytest.mark.parametrize(
    ("allowed", "verdict"),
    [(frozenset(), "approved"), (frozenset({"SPY"}), "approved"), (frozenset({"QQQ"}), "denied")],
)
def test_allowed_symbols(allowed: frozenset[str], verdict: str) -> None:
    assert decide(f"BTO {SPY} @ 1.25 SL 0.90", allowed_symbols=allowed).verdict == verdict


def _opens(count: int, hours_ago: float) -> AccountSnapshot:
    at = MONDAY - timedelta(hours=hours_ago)
    return AccountSnapshot(
        entries=tuple(
            EntryRecord(message_id=f"o{i}", instrument=option("QQQ"), side="long", at=at)
            for i in range(count)
        )
    )


@pytest.mark.parametrize(
    ("count", "hours_ago", "verdict"), [(9, 1, "approved"), (10, 1, "denied"), (10, 17, "approved")]
)
def test_max_trades_per_day_counts_only_today(count: int, hours_ago: float, verdict: str) -> None:
    # 17 h before Monday 10:30 ET is Sunday 17:30 ET: the previous trading day.
    assert decide(f"BTO {SPY} @ 1.25 SL 0.90", _opens(count, hours_ago)).verdict == verdict


@pytest.mark.parametrize(
    ("minutes_ago", "pnl", "verdict"), [(9, "-10", "denied"), (10, "-10", "approved"), (1, "25", "approved")]
)
def test_cooldown_after_a_losing_trade(minutes_ago: int, pnl: str, verdict: str) -> None:
    loss = Realized(at=MONDAY - timedelta(minutes=minutes_ago), pnl=Decimal(pnl))
    decision = decide(f"BTO {SPY} @ 1.25 SL 0.90", AccountSnapshot(realized=(loss,)))
    assert decision.verdict == verdict


def test_add_needs_a_position_and_adds_enabled() -> None:
    assert denied(decide(f"adding {SPY} @ 1.00 SL 0.80")).codes == ("no_position",)
    held = position(quantity=1)
    assert denied(decide(f"adding {SPY} @ 1.00 SL 0.80", target=held)).codes == ("adds_disabled",)


def test_add_is_capped_by_what_the_position_has_room_for() -> None:
    held = position(quantity=1, avg="1.25", stop="1.00")
    account = AccountSnapshot(positions=(held,))
    plan = bracket(f"adding 3 {SPY} @ 1.00 SL 0.80", account, target=held, allow_adds=True)
    assert plan.quantity == 1 and plan.add_to == "m0"


def test_add_shares_the_risk_budget_with_its_position() -> None:
    held = position(quantity=1, avg="2.25", stop="1.00")  # 125 at risk already
    decision = denied(
        decide(
            f"adding {SPY} @ 1.00 SL 0.70",
            AccountSnapshot(positions=(held,)),
            target=held,
            allow_adds=True,
            max_contracts=3,
        )
    )
    assert decision.codes == ("size_zero",)


def test_denial_lists_every_broken_rule_in_one_sentence() -> None:
    decision = denied(decide(f"BTO {SPY} @ 1.25 SL 0.90", age=90, allowed_symbols=frozenset({"QQQ"})))
    assert set(decision.codes) == {"stale_alert", "symbol_not_allowed"}
    assert decision.sentence.endswith(".") and decision.sentence.count(";") == 1


def test_futures_and_stock_entries_need_the_alerts_stop() -> None:
    # 30 % of a futures price is not a stop a trader would accept: the default applies to option premiums.
    assert denied(decide("long MES @ 5000")).codes == ("missing_stop",)
    assert denied(decide("BTO AAPL @ 190")).codes == ("missing_stop",)


def test_futures_default_target_keeps_the_option_defaults_reward_to_risk() -> None:
    plan = bracket("long MES @ 5000 sl 4990")
    assert plan.targets[0].price == Decimal("5016.50")  # 10 points x 50/30, down to the tick
    assert bracket("short MES @ 5000 sl 5010").targets[0].price == Decimal("4983.50")


def test_an_open_that_does_not_say_what_it_trades_is_denied() -> None:
    bare = open_option("1.25", "0.90").model_copy(update={"instrument": Instrument(asset=None, symbol="SPY")})
    assert denied(decide(bare)).codes == ("missing_contract",)


@pytest.mark.parametrize(
    "text",
    [
        "Long ETH 3400 SL 3300",  # crypto
        "US30 long 39000 sl 38900",  # index CFD
    ],
)
def test_signals_for_assets_no_broker_path_trades_are_denied_by_name(text: str) -> None:
    decision = denied(decide(text))
    assert decision.codes[-1] == "unsupported_asset"
    assert "crypto, CFDs and index levels are not traded" in decision.sentence


@pytest.mark.parametrize(
    "text",
    [
        "GBP/JPY SELL 191.20 SL 191.60 TP 190.50",  # forex
        "XAUUSD buy now @ 2650 sl 2640 tp 2670",  # gold spot
    ],
)
def test_forex_and_gold_are_refused_until_allowed_assets_names_forex(text: str) -> None:
    decision = denied(decide(text))
    assert decision.codes[-1] == "asset_not_allowed"
    assert "ALLOWED_ASSETS is option,future,stock" in decision.sentence
