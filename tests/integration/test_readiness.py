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


LIVE = {"PAPER_MODE": "false", "BROKER": "ib", "LIVE_CONFIRM": "U7654321", "IBKR_PORT": "7496"}


def test_a_live_start_without_readiness_is_refused_with_the_failing_lines(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.txt"
    alerts.write_text("BTO SPY 3/20 580C @ 1.25 SL .90\n")
    db = tmp_path / "live.db"
    done = cli(
        "run",
        "--input",
        str(alerts),
        "--db",
        str(db),
        env={**LIVE, "READINESS_JOURNAL": str(tmp_path / "none.db")},
    )
    assert done.returncode == 2
    assert "live start refused: no paper journal to check" in done.stderr
    assert not db.exists()  # nothing opened, nothing connected


def test_a_live_start_on_a_journal_that_is_not_ready_names_what_fails(passing: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(passing, copy)
    with sqlite3.connect(copy) as db:
        db.execute("DELETE FROM notices WHERE kind = 'kill_switch_engaged'")
    alerts = tmp_path / "alerts.txt"
    alerts.write_text("BTO SPY 3/20 580C @ 1.25 SL .90\n")
    done = cli(
        "run",
        "--input",
        str(alerts),
        "--db",
        str(tmp_path / "live.db"),
        env={**LIVE, "READINESS_JOURNAL": str(copy)},
    )
    assert done.returncode == 2
    assert "is not ready" in done.stderr and "✗ kill switch tested: engaged 0 times" in done.stderr
    assert "✗ paper practice" not in done.stderr  # only what fails is listed


def test_skipping_readiness_is_journaled_and_said_in_status(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.txt"
    alerts.write_text("BTO SPY 3/20 580C @ 1.25 SL .90\n")
    db = tmp_path / "live.db"
    env = {
        **LIVE,
        "READINESS_JOURNAL": str(tmp_path / "none.db"),
        "IBKR_PORT": "7496",
        "IBKR_HOST": "127.0.0.9",
    }
    done = cli(
        "run", "--input", str(alerts), "--db", str(db), "--skip-readiness", "tested elsewhere", env=env
    )
    assert done.returncode == 1  # no IB here: it got past the checklist and failed to connect
    status = cli("status", "--db", str(db), env=env)
    assert "[LIVE WITHOUT READINESS: tested elsewhere" in status.stdout


async def test_the_first_live_day_is_capped_at_one_contract(tmp_path: Path) -> None:
    from tests.builders import MONDAY
    from tests.trading import SimClock

    from executor import PaperBroker
    from orchestrator.app import Orchestrator
    from orchestrator.messages import Message
    from orchestrator.settings import Settings
    from orchestrator.sources import allowlists

    clock = SimClock(MONDAY)
    settings = Settings(_env_file=None, **LIVE, MAX_CONTRACTS="3")  # type: ignore[arg-type]
    bot = Orchestrator.open(
        settings, command="run", journal_path=tmp_path / "live.db", allow=allowlists(settings), clock=clock,
        broker=PaperBroker(clock, account="U7654321"),  # a live account's answers, without a broker
    )  # fmt: skip
    await bot.start()
    try:

        def alert(number: int, day_offset: int) -> Message:
            at = clock.advance(day_offset * 86400) if day_offset else clock.now
            return Message(
                id=f"l{number}", text="BTO 3 SPY 3/20 580C @ 1.25 SL .90", sent_at=at, received_at=at
            )

        first = await bot.on_message(alert(1, 0))
        assert "buy 1 SPY" in first.detail  # the first live day: one contract, whatever MAX_CONTRACTS says
        await bot.on_message(
            Message(id="x1", text="STC SPY 580C @ 1.30", sent_at=clock.now, received_at=clock.now)
        )
        later = await bot.on_message(alert(2, 1))
        assert "buy 3 SPY" in later.detail  # the next day: the limits themselves
    finally:
        await bot.shutdown()


async def test_a_live_start_that_skips_readiness_says_so_in_its_banner(tmp_path: Path) -> None:
    import asyncio
    import os
    import sys

    from tests.fakes.tws import FakeTWS

    tws = FakeTWS(accounts=("U7654321",))  # a live account, as far as the bot can tell
    await tws.start()
    try:
        alerts = tmp_path / "alerts.txt"
        alerts.write_text("good morning\n")
        env = {
            **os.environ,
            **LIVE,
            "IBKR_PORT": str(tws.port),
            "READINESS_JOURNAL": str(tmp_path / "none.db"),
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "orchestrator", "run", "--input", str(alerts),
            "--db", str(tmp_path / "live.db"), "--skip-readiness", "drilled on another machine", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(bot.communicate(), 60)
    finally:
        await tws.stop()
    said = stderr.decode()
    assert "(live, ib) [LIVE WITHOUT READINESS: drilled on another machine]; trading active" in said, said
