"""A profile's sizing rules, premium range and followed kinds, as risk applies them: the number of
contracts a trader gets for an alert, and the reason when it gets none."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from tests.builders import MONDAY, alert, intent, ny

from risk import AccountSnapshot, Approved, Denied, Limits, MissingExpiry, Sizing, SizingRule, evaluate

ROOMY = {"max_contracts": 10, "max_total_contracts": 10, "max_risk_per_trade": Decimal(1000)}


def decide(text: str, account: AccountSnapshot | None = None, **limits: object) -> Approved | Denied:
    return evaluate(
        intent(text), account or AccountSnapshot(), Limits(**{**ROOMY, **limits}), MONDAY, alert=alert()
    )


def size(text: str, sizing: Sizing, account: AccountSnapshot | None = None) -> int:
    decision = decide(text, account, sizing=sizing)
    assert isinstance(decision, Approved), decision
    return decision.plan.quantity  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "sizing", "expected"),
    [
        ("BTO 3 SPY 3/20 580C @ 1.25 SL .90", Sizing(), 3),  # the alert's own quantity
        ("BTO 3 SPY 3/20 580C @ 1.25 SL .90", Sizing(rule=SizingRule.FIXED, value=Decimal(1)), 1),
        ("BTO 3 SPY 3/20 580C @ 1.25 SL .90", Sizing(rule=SizingRule.MULTIPLIER, value=Decimal("1.5")), 4),
        ("BTO SPY 3/20 580C @ 1.25 SL .90", Sizing(rule=SizingRule.PREMIUM_BUDGET, value=Decimal(500)), 4),
        ("BTO SPY 3/20 580C @ 2.60 SL 2.00", Sizing(rule=SizingRule.PREMIUM_BUDGET, value=Decimal(500)), 1),
    ],
)
def test_each_rule_asks_for_its_own_size(text: str, sizing: Sizing, expected: int) -> None:
    assert size(text, sizing) == expected


def test_account_percent_takes_a_share_of_net_liquidation() -> None:
    two_percent = Sizing(rule=SizingRule.ACCOUNT_PERCENT, value=Decimal(2))
    account = AccountSnapshot(net_liquidation=Decimal(25_000))  # $500: four at 1.25
    assert size("BTO SPY 3/20 580C @ 1.25 SL .90", two_percent, account) == 4
    unknown = decide("BTO SPY 3/20 580C @ 1.25 SL .90", sizing=two_percent)
    assert isinstance(unknown, Denied) and [r.code for r in unknown.reasons] == ["account_size_unknown"]


def test_a_budget_that_buys_nothing_is_denied_with_the_arithmetic() -> None:
    decision = decide(
        "BTO SPY 3/20 580C @ 6.00 SL 4.00", sizing=Sizing(rule=SizingRule.PREMIUM_BUDGET, value=Decimal(500))
    )
    assert isinstance(decision, Denied)
    [reason] = decision.reasons
    assert reason.code == "size_zero" and "buys 0 at 6.00 ($600.00 each)" in reason.detail


def test_the_caps_still_cut_what_a_rule_asks_for() -> None:
    budget = Sizing(rule=SizingRule.PREMIUM_BUDGET, value=Decimal(5000))
    decision = decide("BTO SPY 3/20 580C @ 1.25 SL .90", sizing=budget, max_contracts=3)
    assert isinstance(decision, Approved) and decision.plan.quantity == 3  # type: ignore[union-attr]
    assert {"sized_by_rule", "size_reduced"} <= {note.code for note in decision.notes}


def test_a_premium_outside_the_profiles_range_is_not_taken() -> None:
    cheap = decide("BTO SPY 3/20 580C @ .20 SL .10", min_premium=Decimal("0.50"))
    dear = decide("BTO SPY 3/20 580C @ 9.00 SL 7.00", max_premium=Decimal(8))
    fine = decide("BTO SPY 3/20 580C @ 1.25 SL .90", min_premium=Decimal("0.50"), max_premium=Decimal(8))
    assert [r.code for r in cheap.reasons] == ["premium_out_of_range"]  # type: ignore[union-attr]
    assert [r.code for r in dear.reasons] == ["premium_out_of_range"]  # type: ignore[union-attr]
    assert isinstance(fine, Approved)


def test_a_kind_the_profile_does_not_follow_is_denied_by_name() -> None:
    decision = decide("BTO SPY 3/20 580C @ 1.25 SL .90", allowed_kinds=frozenset({"exit", "trim"}))
    assert isinstance(decision, Denied) and decision.reasons[-1].code == "kind_not_allowed"


@pytest.mark.parametrize(
    ("policy", "text", "at", "expiry"),
    [
        ("0dte", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 3, 2, 10, 30), date(2026, 3, 2)),
        ("next_expiry", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 3, 2, 10, 30), date(2026, 3, 2)),
        ("next_expiry", "BTO SPX 5800C @ 5.00 SL 3.50", ny(2026, 3, 2, 16, 30), date(2026, 3, 3)),
        ("next_expiry", "BTO QQQ 500P @ 2.00 SL 1.50", ny(2026, 3, 6, 17, 0), date(2026, 3, 9)),  # Friday
        ("next_expiry", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 4, 2, 17, 0), date(2026, 4, 6)),  # Good Friday
    ],
)
def test_an_alert_without_expiry_gets_the_one_the_profile_says(
    policy: str, text: str, at: datetime, expiry: date
) -> None:
    limits = Limits(**ROOMY, missing_expiry=MissingExpiry(policy), trading_hours="any")
    decision = evaluate(intent(text, at), AccountSnapshot(), limits, at, alert=alert(at))
    assert isinstance(decision, Approved), decision
    assert decision.plan.instrument.expiry == expiry  # type: ignore[union-attr]
    [note] = [n for n in decision.notes if n.code == "expiry_inferred"]
    assert note.detail.startswith(f"no expiry in the alert: {expiry} ({policy}")


@pytest.mark.parametrize(
    ("policy", "text", "at"),
    [
        ("refuse", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 3, 2, 10, 30)),
        ("0dte", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 3, 2, 16, 30)),  # today's expiry has closed
        ("0dte", "BTO SPY 580C @ 1.25 SL .90", ny(2026, 3, 7, 11, 0)),  # a Saturday
        ("next_expiry", "BTO AAPL 230C @ 1.25 SL .90", ny(2026, 3, 2, 10, 30)),  # no daily expiries
    ],
)
def test_otherwise_a_missing_expiry_is_still_denied(policy: str, text: str, at: datetime) -> None:
    limits = Limits(**ROOMY, missing_expiry=MissingExpiry(policy), trading_hours="any")
    decision = evaluate(intent(text, at), AccountSnapshot(), limits, at, alert=alert(at))
    assert isinstance(decision, Denied) and "missing_expiry" in [r.code for r in decision.reasons]
