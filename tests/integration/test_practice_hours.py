"""Practice outside the market's hours, on paper: ``TRADING_HOURS=any`` decides a Saturday's alerts,
and every decision made that way says so in the journal, the replay table and the console line."""

from __future__ import annotations

from pathlib import Path

from tests.cli import cli
from tests.sessions import journal_rows

SATURDAY = [
    '{"type":"message","at":"2026-03-07T16:00:00Z","id":"s1","channel":"c1","author":"a1",'
    '"text":"BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"}',
    '{"type":"message","at":"2026-03-07T16:05:00Z","id":"s2","channel":"c1","author":"a1","text":"out"}',
]


def test_a_saturday_replay_trades_as_practice_only_with_any_hours(tmp_path: Path) -> None:
    session = tmp_path / "saturday.jsonl"
    session.write_text("\n".join(SATURDAY) + "\n", encoding="utf-8")
    closed = cli("replay", str(session), "--db", str(tmp_path / "closed.db"))
    assert closed.returncode == 0, closed.stderr
    [denied] = journal_rows(
        tmp_path / "closed.db", "SELECT verdict, reasons FROM decisions WHERE message_id = 's1'"
    )
    assert denied == {"verdict": "denied", "reasons": '["outside_trading_hours"]'}

    db = tmp_path / "practice.db"
    practice = cli("replay", str(session), "--db", str(db), env={"TRADING_HOURS": "any"})
    assert practice.returncode == 0, practice.stderr
    assert "[practice:" in practice.stdout  # in the table's detail column (wrapped to the terminal)
    [entry] = journal_rows(db, "SELECT verdict, notes, sentence FROM decisions WHERE message_id = 's1'")
    assert entry["verdict"] == "approved" and "practice_hours" in entry["notes"]
    assert entry["sentence"].endswith("[practice: the market is closed]")
    [exit_] = journal_rows(db, "SELECT verdict FROM decisions WHERE message_id = 's2'")
    assert exit_["verdict"] == "approved"  # the practice position closes as a real one would


def test_live_mode_refuses_any_hours(tmp_path: Path) -> None:
    live = {"PAPER_MODE": "false", "BROKER": "ib", "LIVE_CONFIRM": "U1234567", "TRADING_HOURS": "any"}
    done = cli("run", "--input", "-", "--db", str(tmp_path / "j.db"), env=live, stdin="")
    assert done.returncode == 2 and done.stderr.startswith("error: setting TRADING_HOURS: any is for paper")
