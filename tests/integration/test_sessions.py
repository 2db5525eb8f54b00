"""The bundled sessions, replayed through parser, risk, executor, paper simulator and journal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from tests.sessions import (
    decisions_per_message,
    fills,
    journal_rows,
    replay_session,
    submissions_per_order,
    verdicts,
)

from orchestrator.journal import Journal


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "journal.db"


def test_winning_day_takes_both_trades_and_books_the_profit(db: Path) -> None:
    result = replay_session("winning_day", db)
    assert fills(result) == [
        ("w1", "buy", 2, "1.25"),
        ("w1", "sell", 2, "1.80"),  # the take-profit, at its price
        ("w4", "buy", 1, "5001.25"),
        ("w5", "sell", 1, "5012.00"),  # "closing MES here" at the bid
    ]
    assert result.summary["realized_pnl"] == "163.75"  # 2 x 0.55 x 100 + 10.75 x 5 (MES)
    assert result.summary["commissions"] == "3.10"
    assert result.summary["open_positions"] == []
    assert verdicts(result)["w3"] == ("ignored", ["informational"])
    [day] = journal_rows(db, "SELECT * FROM daily_pnl")
    assert (day["trading_day"], day["realized_gross"], day["realized_net"]) == (
        "2026-03-02",
        "163.75",
        "160.65",
    )


def test_losing_day_latches_the_loss_cap_and_denies_the_next_entry(db: Path) -> None:
    result = replay_session("losing_day_cap", db)
    assert result.summary["realized_pnl"] == "-360.00"
    assert result.summary["trading_state"] == "reducing"
    assert verdicts(result)["l5"] == ("denied", ["trading_reducing", "daily_loss_limit"])
    [latch] = journal_rows(db, "SELECT * FROM trading_states WHERE state = 'reducing'")
    assert latch["cause"] == "daily_loss_limit" and "$300.00" in latch["detail"]


def test_a_loss_cap_set_to_halt_trips_the_kill_switch(db: Path) -> None:
    result = replay_session("losing_day_cap", db, LOSS_LIMIT_ACTION="halted")
    assert result.summary["trading_state"] == "halted"
    assert verdicts(result)["l5"][1][0] == "trading_halted"
    kinds = [r["kind"] for r in journal_rows(db, "SELECT kind FROM notices ORDER BY id")]
    assert "kill_switch_engaged" in kinds and "kill_switch_finished" in kinds


def test_trim_then_breakeven_stop_keeps_the_trim_profit(db: Path) -> None:
    result = replay_session("trims_breakeven", db)
    assert fills(result) == [("t1", "buy", 2, "2.10"), ("t2", "sell", 1, "2.50"), ("t1", "sell", 1, "2.10")]
    assert result.summary["realized_pnl"] == "40.00"
    # the analyst's "stopped at BE" comes after the stop already closed the runner
    assert verdicts(result)["t3"] == ("denied", ["no_position"])


def test_stale_duplicate_and_redelivered_messages_never_trade_twice(db: Path) -> None:
    result = replay_session("stale_duplicate", db)
    seen = verdicts(result)
    assert seen["s1"] == ("denied", ["stale_alert"])
    assert seen["s3"] == ("denied", ["already_open", "duplicate_alert"])
    assert seen["s5"] == ("ignored", ["conditional"])
    assert [d["reasons"] for d in result.summary["decisions"] if d["message_id"] == "s2"] == [
        [],
        ["duplicate_delivery"],
    ]
    assert decisions_per_message(db)["s2"] == 1
    assert all(n == 1 for n in submissions_per_order(db).values())
    assert [f[0] for f in fills(result)] == ["s2", "s4"]


def test_an_edit_of_an_unfilled_entry_is_reported_not_executed(db: Path) -> None:
    result = replay_session("edits_deletes", db)
    others = {
        (o["message_id"], o["kind"]): (o["verdict"], o["reasons"])
        for o in result.summary["edits_and_commands"]
    }
    assert others[("e1", "edit")] == ("reported", ["edit_changes_unfilled_entry"])
    assert others[("e2", "edit")] == ("ignored", ["edit_same_intent"])
    assert others[("e3", "delete")] == ("reported", ["deleted_position_held"])  # filled on receipt
    assert others[("e3", "edit")] == ("reported", ["edit_changed"])
    assert ("e1", "buy", 1, "0.90") in fills(result)  # the original order, at the original price
    edits = journal_rows(db, "SELECT message_id, comparison, detail FROM message_edits ORDER BY id")
    assert [e["comparison"] for e in edits] == [
        "edit_changes_unfilled_entry",
        "edit_same_intent",
        "edit_changed",
    ]
    assert "price: 0.9 -> 0.95" in edits[0]["detail"]
    assert journal_rows(db, "SELECT message_id FROM message_deletes") == [{"message_id": "e3"}]


def test_amend_on_edit_cancels_the_unfilled_entry_and_places_the_edited_one(db: Path) -> None:
    result = replay_session("edits_deletes", db, AMEND_ON_EDIT=True)
    buys = [f for f in fills(result) if f[1] == "buy"]
    assert ("e1~edit1", "buy", 1, "0.95") in buys
    assert not any(f[0] == "e1" for f in buys)
    amended = [o for o in result.summary["edits_and_commands"] if o["verdict"] == "amended"]
    assert [o["message_id"] for o in amended] == ["e1"]
    cancelled = journal_rows(
        db, "SELECT client_id FROM order_events WHERE kind = 'cancelled' AND client_id LIKE 'asc:e1:%'"
    )
    assert {r["client_id"] for r in cancelled} >= {"asc:e1:1:entry"}


def test_a_kill_mid_session_flattens_and_only_resume_trades_again(db: Path) -> None:
    result = replay_session("kill_mid_session", db)
    seen = verdicts(result)
    assert seen["k3"][0] == "denied" and "trading_halted" in seen["k3"][1]
    assert seen["k4"] == ("approved", [])
    assert ("k1", "sell", 2, "1.40") in fills(result)  # flattened at the bid
    states = [(r["state"], r["cause"]) for r in journal_rows(db, "SELECT * FROM trading_states ORDER BY id")]
    assert states[:2] == [("halted", "kill_switch"), ("active", "resume")]
    working_after_kill = journal_rows(db, "SELECT * FROM working_orders WHERE position IN ('k1', 'k2')")
    assert working_after_kill == []


def test_reply_referenced_exits_close_the_replied_position(db: Path) -> None:
    result = replay_session("reply_exits", db)
    assert fills(result)[2:] == [("r3", "sell", 1, "1.90"), ("r4", "sell", 1, "1.60")]
    closed = journal_rows(db, "SELECT position, message_id FROM fills WHERE opens = 0 ORDER BY at")
    assert [(r["message_id"], r["position"]) for r in closed] == [("r3", "r2"), ("r4", "r1")]
    assert verdicts(result)["r5"] == ("denied", ["reference_not_open"])
    assert result.summary["realized_pnl"] == "75.00"


def test_an_ambiguous_exit_does_nothing_until_the_contract_is_named(db: Path) -> None:
    result = replay_session("ambiguous_exit", db)
    seen = verdicts(result)
    assert seen["x3"] == ("denied", ["ambiguous_reference"])
    assert not journal_rows(db, "SELECT * FROM orders WHERE message_id = 'x3'")
    closes = journal_rows(db, "SELECT message_id, position FROM fills WHERE opens = 0 ORDER BY at")
    assert [(r["message_id"], r["position"]) for r in closes] == [("x4", "x1"), ("x5", "x2")]
    [sentence] = journal_rows(db, "SELECT sentence FROM decisions WHERE message_id = 'x3'")
    assert "x1" in sentence["sentence"] and "x2" in sentence["sentence"]


def test_each_instruction_of_a_message_is_decided_and_journaled_on_its_own(db: Path) -> None:
    result = replay_session("several_instructions", db)
    decided = [(d["message_id"], d["kind"], d["verdict"], d["reasons"]) for d in result.summary["decisions"]]
    assert decided[2:4] == [("n3", "trim", "approved", []), ("n3#2", "move_stop", "approved", [])]
    assert decided[4] == ("n3", "none", "ignored", ["duplicate_delivery"])  # neither part runs twice
    assert decided[5] == ("n4", "open", "denied", ["asset_not_allowed"])  # forex: not in ALLOWED_ASSETS
    assert decided[6:] == [("n5", "exit", "approved", []), ("n5#2", "exit", "denied", ["no_position"])]
    assert fills(result) == [
        ("n1", "buy", 2, "1.25"),
        ("n2", "buy", 2, "2.10"),
        ("n3", "sell", 1, "1.50"),  # "trim SPY here" at the bid
        ("n2", "sell", 2, "2.10"),  # "stop to BE on QQQ": the stop moved to the entry, then hit
        ("n5", "sell", 1, "1.60"),  # "out of SPY and QQQ": QQQ was already stopped
    ]
    intents = journal_rows(db, "SELECT message_id, kind, instrument FROM intents WHERE message_id LIKE 'n3%'")
    assert [(r["message_id"], r["kind"], r["instrument"]) for r in intents] == [
        ("n3", "trim", "SPY"),
        ("n3#2", "move_stop", "QQQ"),
    ]


def test_a_message_redelivered_after_a_crash_between_its_instructions_decides_only_the_rest(
    db: Path,
) -> None:
    replay_session("several_instructions", db)
    # What a crash after "n3" was decided and before "n3#2" leaves behind (the IB path commits each
    # decision before its plan is sent):
    journal = Journal(db, durable=False)
    with journal.transaction():
        journal.conn.execute("DELETE FROM decisions WHERE message_id = 'n3#2'")
    journal.close()
    orders = journal_rows(db, "SELECT client_id FROM orders")
    replay_session("several_instructions", db, source="redelivered")  # every message delivered again
    assert all(n == 1 for n in decisions_per_message(db).values())
    [late] = journal_rows(db, "SELECT kind, verdict, reasons FROM decisions WHERE message_id = 'n3#2'")
    assert (late["kind"], late["verdict"]) == ("move_stop", "denied")  # QQQ was closed by then
    assert journal_rows(db, "SELECT client_id FROM orders") == orders


def test_every_session_decides_each_message_once_and_submits_each_order_once(tmp_path: Path) -> None:
    from tests.sessions import SESSIONS

    for path in sorted(SESSIONS.glob("*.jsonl")):
        db = tmp_path / f"{path.stem}.db"
        result = replay_session(path.stem, db)
        assert all(n == 1 for n in decisions_per_message(db).values()), path.stem
        assert all(n == 1 for n in submissions_per_order(db).values()), path.stem
        assert Decimal(result.summary["commissions"]) >= 0
