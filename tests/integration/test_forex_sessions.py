"""The forex and gold sessions in ``tests/fixtures/forex``, replayed with the settings file beside them
(forex allowed): P&L to the cent in dollars, pips read as levels, the forex week's hours, and what is
refused when a trader would not want the trade."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from tests.sessions import fills, journal_rows, verdicts

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import ReplayResult, replay

FOREX = Path(__file__).resolve().parents[1] / "fixtures" / "forex"


def replay_forex(name: str, db: Path, **overrides: str) -> ReplayResult:
    lines = (FOREX / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    settings = Settings(_env_file=FOREX / "forex.env", **overrides)  # type: ignore[call-arg]
    return asyncio.run(replay(lines, settings, db, source=name))


def test_a_forex_day_books_each_pairs_pnl_in_dollars_at_its_fill(tmp_path: Path) -> None:
    result = replay_forex("forex_day", tmp_path / "j.db")
    assert fills(result) == [
        ("fx1", "buy", 20000, "1.08500"),  # SL 30 pips / TP 60 pips from the 1.0850 entry
        ("fx1", "sell", 20000, "1.09100"),  # +120.00: 20,000 x 0.0060 dollars
        ("fx2", "sell", 20000, "150.100"),  # at market: the bid; "SL 25p" is 25 pips, not a put
        ("fx2", "buy", 20000, "150.350"),  # -5,000 yen at 150.35 yen a dollar: -33.26
        ("fx3", "sell", 20000, "191.200"),
        ("fx3", "buy", 20000, "190.400"),  # +16,000 yen at USDJPY's 150.01 mid: +106.66
    ]
    assert result.summary["realized_pnl"] == "193.40"
    assert result.summary["commissions"] == "12.00"  # IB's $2.00 minimum on each of six orders
    rows = journal_rows(tmp_path / "j.db", "SELECT message_id, realized FROM fills WHERE opens = 0")
    assert {r["message_id"]: Decimal(r["realized"]) for r in rows} == {
        "fx1": Decimal("120.00"), "fx2": Decimal("-33.26"), "fx3": Decimal("106.66"),
    }  # fmt: skip


def test_a_forex_day_refuses_what_cannot_be_priced_or_paid_for(tmp_path: Path) -> None:
    found = verdicts(replay_forex("forex_day", tmp_path / "j.db"))
    assert found["fx4"] == ("denied", ["no_conversion_rate"])  # AUDNZD: no NZDUSD quote to convert at
    assert found["fx5"] == ("denied", ["wide_spread"])  # 25 pips between bid and ask
    assert found["fx6"] == ("denied", ["price_drift"])  # the market is 21 pips past the entry


def test_gold_trades_in_ounces_and_a_management_message_naming_gold_closes_xauusd(tmp_path: Path) -> None:
    result = replay_forex("gold_day", tmp_path / "j.db")
    assert fills(result) == [
        ("g1", "buy", 5, "2640.00"),
        ("g1", "buy", 5, "2640.00"),  # GOLD_UNITS 10, split between the two targets
        ("g1", "sell", 5, "2650.00"),  # TP1: +50.00
        ("g2", "sell", 5, "2654.80"),  # "close gold here": +74.00
        ("g3", "sell", 10, "2656.00"),  # SL 50 pips on gold: $5.00 above
        ("g3", "buy", 10, "2661.00"),  # -50.00
    ]
    assert result.summary["realized_pnl"] == "74.00"
    assert result.summary["open_positions"] == []


def test_the_forex_week_ends_friday_at_five_and_gold_reopens_at_six_on_sunday(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    found = verdicts(replay_forex("weekend_hours", db))
    assert found["w1"][0] == "approved"  # Friday 16:30 New York
    assert found["w2"] == ("denied", ["outside_trading_hours"])  # Friday 17:30
    assert found["w3"] == ("denied", ["outside_trading_hours"])  # Saturday
    assert found["w4"][0] == "approved"  # Sunday 17:40: forex is open
    assert found["w5"] == ("denied", ["outside_trading_hours"])  # Sunday 17:45: gold opens at 18:00
    [friday] = journal_rows(db, "SELECT sentence FROM decisions WHERE message_id = 'w2'")
    assert "the forex market trades Sunday 17:00 to Friday 17:00 New York time" in friday["sentence"]


def test_without_forex_in_allowed_assets_every_pair_and_gold_is_refused_by_name(tmp_path: Path) -> None:
    result = replay_forex("gold_day", tmp_path / "j.db", ALLOWED_ASSETS="option,future,stock")
    assert verdicts(result)["g1"] == ("denied", ["asset_not_allowed"])
    assert result.summary["fills"] == []


@pytest.mark.parametrize("units", ["5000", "19999"])
def test_fewer_units_than_idealpros_minimum_are_an_odd_lot_and_say_so(tmp_path: Path, units: str) -> None:
    db = tmp_path / "j.db"
    replay_forex("forex_day", db, FOREX_UNITS=units)
    [row] = journal_rows(db, "SELECT notes FROM decisions WHERE message_id = 'fx1'")
    assert "odd_lot" in row["notes"]
