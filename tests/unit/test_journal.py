"""The journal file itself: private, WAL, versioned, append-only views, the latched state, no secrets."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from tests import audit

from orchestrator.journal import Journal, JournalError
from orchestrator.journal.schema import MIGRATIONS
from orchestrator.journal.version import SCHEMA
from orchestrator.settings import Settings
from risk import TradingState, TradingStatus


def test_a_new_journal_is_private_in_wal_mode_and_migrated(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "sub" / "j.db")
    assert stat.S_IMODE((tmp_path / "sub" / "j.db").stat().st_mode) == 0o600
    assert audit.value(journal, "PRAGMA journal_mode") == "wal"
    assert tuple(m.name for m in MIGRATIONS.applied(journal.db)) == SCHEMA  # version.py lists them all
    views = set(journal.db.view_names())
    assert {"open_positions", "working_orders", "daily_pnl", "trading_state"} <= views
    journal.close()
    assert [m.name for m in MIGRATIONS.pending(Journal(tmp_path / "sub" / "j.db").db)] == []


def test_the_latched_state_survives_reopening_and_repeats_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    journal = Journal(path)
    assert journal.trading_status().state is TradingState.ACTIVE
    halt = TradingStatus(state=TradingState.HALTED, cause="kill_switch", detail="x", since=datetime.now(UTC))
    journal.record_status(halt)
    journal.record_status(halt.model_copy(update={"since": datetime.now(UTC)}))
    journal.close()
    again = Journal(path)
    assert again.trading_status().state is TradingState.HALTED
    assert audit.value(again, "SELECT COUNT(*) FROM trading_states") == 1


def test_secrets_never_reach_the_journal_file(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    settings = Settings(_env_file=None, DISCORD_TOKEN=SecretStr("tok-abc-123-secret"))  # type: ignore[call-arg]
    journal = Journal(path)
    journal.start_run("run", version="0", mode="paper", broker="paper", settings=settings.redacted())
    journal.close()
    assert b"tok-abc-123-secret" not in path.read_bytes()
    assert b"**********" in path.read_bytes()


def test_an_unwritable_journal_is_one_clear_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(JournalError, match="journal"):
        Journal(blocked / "j.db")


async def test_an_alert_commit_is_synced_and_chatter_rides_on_the_next_one(tmp_path: Path) -> None:
    """With a durable journal (``run``), a message with no signal commits without an fsync of its
    own; an alert's commit, before its order leaves, is a synced one (SQLite's synchronous=FULL)."""
    from tests.builders import MONDAY
    from tests.trading import SimClock, paper_bot

    from orchestrator.messages import Message

    clock = SimClock(MONDAY)
    bot = paper_bot(tmp_path / "j.db", clock)
    statements: list[str] = []

    async def said(number: int, text: str) -> list[str]:
        statements.clear()
        await bot.on_message(Message(id=f"m{number}", text=text, sent_at=clock(), received_at=clock()))
        return list(statements)

    try:
        await bot.start()
        bot.journal.conn.set_trace_callback(statements.append)
        chatter = await said(1, "good morning all")
        alert = await said(2, "BTO SPY 3/20 580C @ 1.25 SL .90")
    finally:
        bot.journal.conn.set_trace_callback(None)
        await bot.shutdown()
    relaxed, commit = chatter.index("PRAGMA synchronous=NORMAL"), chatter.index("COMMIT")
    assert chatter.count("COMMIT") == 1 and relaxed < commit and chatter[-1] == "PRAGMA synchronous=FULL"
    assert alert.count("COMMIT") == 1 and "PRAGMA synchronous=NORMAL" not in alert
