"""`autoscalper readiness` on a paper journal built by replaying bundled sessions: a generated
five-day channel, then a day with a target hit and a kill-switch drill (tests/fixtures/readiness).
It passes; a copy where the kill was never exercised, or where an entry filled before its stop
existed, fails on exactly that line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from tests.cli import cli
from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session

DRILL = Path(__file__).resolve().parents[1] / "fixtures" / "readiness" / "target_and_kill.jsonl"


def build(folder: Path, *, drill: Path = DRILL) -> Path:
    week = folder / "week.jsonl"
    week.write_text("\n".join(channel_session(1200, days=5)) + "\n", encoding="utf-8")
    db = folder / "paper.db"
    for session in (week, drill):
        done = cli("replay", str(session), "--db", str(db), env=CHANNEL_SESSION_SETTINGS)
        assert done.returncode == 0, done.stderr
    return db


def readiness(db: Path) -> tuple[int, dict[str, bool | None]]:
    done = cli("readiness", "--db", str(db), "--json", env=CHANNEL_SESSION_SETTINGS)
    report = json.loads(done.stdout)
    return done.returncode, {check["name"]: check["ok"] for check in report["checks"]}


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("ready"))


def test_a_week_of_practice_with_a_drill_is_ready(passing: Path) -> None:
    code, checks = readiness(passing)
    assert code == 0 and all(ok is not False for ok in checks.values()), checks
    printed = cli("readiness", "--db", str(passing), env=CHANNEL_SESSION_SETTINGS).stdout
    assert printed.splitlines()[-1] == "ready: live may start at one contract"
    assert "✓ kill switch tested: engaged 1 times, resumed 1 times" in printed


def test_a_kill_never_exercised_fails_on_that_line_only(tmp_path: Path) -> None:
    no_drill = tmp_path / "no_drill.jsonl"
    no_drill.write_text(
        "\n".join(line for line in DRILL.read_text().splitlines() if '"command"' not in line) + "\n"
    )
    code, checks = readiness(build(tmp_path, drill=no_drill))
    assert code == 1
    assert [name for name, ok in checks.items() if ok is False] == ["kill switch tested"]


def test_an_entry_filled_before_its_stop_fails_on_that_line_only(passing: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(passing, copy)
    with sqlite3.connect(copy) as db:  # as if the stop had reached the broker only after the fill
        db.execute(
            "UPDATE orders SET submitted_at = '2099-01-01T00:00:00+00:00'"
            " WHERE role = 'stop' AND position = 'g1'"
        )
    code, checks = readiness(copy)
    assert code == 1
    assert [name for name, ok in checks.items() if ok is False] == ["a stop at the broker from every fill"]
