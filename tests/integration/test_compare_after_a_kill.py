"""``replay --compare`` re-runs a journal's recorded inputs; a kill typed at the console is not one of
them. The decisions it changed are left out of the comparison (and said so), not reported as a
regression; a difference the inputs themselves explain still is."""

from __future__ import annotations

from pathlib import Path

from tests.cli import cli
from tests.sessions import SESSIONS

from orchestrator.control import latch
from orchestrator.journal import Journal


def test_a_console_kill_between_two_sessions_is_not_a_difference(tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    assert cli("replay", str(SESSIONS / "futures_open.jsonl"), "--db", str(db)).returncode == 0
    journal = Journal(db, create=False)
    latch(journal, "kill", reason="stepping away")  # typed at the console, carried out at the next start
    journal.close()
    halted = cli("replay", str(SESSIONS / "winning_day.jsonl"), "--db", str(db))
    assert halted.returncode == 0 and "trading halted" in halted.stdout

    compared = cli("replay", "--journal", str(db), "--compare")
    assert compared.returncode == 0, compared.stdout
    assert "no decision differs" in compared.stdout
    assert "decisions not compared: made after a kill or resume from outside" in compared.stdout


def test_a_difference_the_inputs_explain_is_still_reported(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    assert cli("replay", str(SESSIONS / "winning_day.jsonl"), "--db", str(db)).returncode == 0
    stricter = cli(
        "replay", "--journal", str(db), "--compare", env={"MAX_CONTRACTS": "1", "DEFAULT_CONTRACTS": "1"}
    )
    assert stricter.returncode == 1 and "decided differently" in stricter.stdout
