"""A confirm profile: an entry waits for the trader, is sent when approved in time, expires
otherwise, and a late approval never places it. Through a replayed session and through the console
(`autoscalper approve` against a running bot)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.audit import rows
from tests.builders import expiry_ahead
from tests.cli import cli, console_bot

CONFIRM = '[desk]\nsource = "session"\nchannels = ["c1"]\nmode = "confirm"\nconfirm_seconds = 60\n'


def line(at: str, **fields: object) -> str:
    return json.dumps({"at": f"2026-03-02T{at}Z", **fields})


def alert(at: str, mid: str, text: str) -> str:
    return line(at, type="message", id=mid, channel="c1", author="a1", text=text)


def approve(at: str, mid: str) -> str:
    return line(at, type="command", command="approve", reason=mid)


def test_approved_in_time_is_sent_late_is_never_sent(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(CONFIRM, encoding="utf-8")
    session = tmp_path / "day.jsonl"
    session.write_text(
        "\n".join(
            [
                alert("14:40:00", "k1", "BTO SPY 3/20 580C @ 1.25 SL .90"),
                approve("14:40:30", "k1"),  # within 60 s
                alert("14:50:00", "k2", "BTO QQQ 3/20 500P @ 2.00 SL 1.50"),
                approve("14:51:30", "k2"),  # 90 s later: stale
                alert("15:00:00", "k3", "STC SPY 580C @ 1.40"),  # an exit never waits
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "day.db"
    done = cli("replay", str(session), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from orchestrator.journal import Journal

    journal = Journal(db)
    steps = rows(journal, "SELECT message_id, outcome FROM executions ORDER BY id")
    assert [(s["message_id"], s["outcome"]) for s in steps] == [
        ("k1", "awaiting_confirmation"),
        ("k1", "sent"),
        ("k2", "awaiting_confirmation"),
        ("k2", "expired"),
        ("k3", "sent"),
    ]
    assert {r["position"] for r in rows(journal, "SELECT DISTINCT position FROM orders")} == {"k1"}
    answers = rows(journal, "SELECT outcome, detail FROM control_results ORDER BY request_id")
    assert [a["outcome"] for a in answers] == ["done", "refused"]
    assert "expired" in answers[1]["detail"]


def test_the_console_approves_what_the_running_bot_holds(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[typed]\nsource = "console"\nmode = "confirm"\n', encoding="utf-8")
    db = tmp_path / "j.db"
    bot = console_bot(db, env={"PROFILES_FILE": str(profiles), "TRADING_HOURS": "any"})
    try:
        assert bot.stdin is not None and bot.stdout is not None
        bot.stdin.write(f"BTO SPY {expiry_ahead()} 580C @ 1.25 SL .90\n")
        bot.stdin.flush()
        held = bot.stdout.readline()
        assert "awaiting confirmation" in held and "autoscalper approve" in held
        signal_id = held.split("autoscalper approve ")[1].split()[0].rstrip(")")
        answer = cli("approve", signal_id, "--db", str(db))
        assert answer.returncode == 0, answer.stdout + answer.stderr
        assert "The running bot: done." in answer.stdout
        again = cli("approve", signal_id, "--db", str(db))
        assert again.returncode == 1 and "Nothing awaits confirmation" in again.stdout
    finally:
        bot.stdin.close()  # type: ignore[union-attr]
        bot.wait(timeout=30)


def test_a_held_entry_counts_against_the_limits_and_an_exit_withdraws_it(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(CONFIRM, encoding="utf-8")
    session = tmp_path / "day.jsonl"
    session.write_text(
        "\n".join(
            [
                alert("14:40:00", "h1", "BTO SPY 3/20 580C @ 1.25 SL .90"),
                alert("14:40:10", "h2", "BTO SPY 3/20 580C @ 1.20 SL .85"),  # the same contract
                alert("14:40:20", "h3", "out of SPY 580C, changed my mind"),  # before anyone approved
                approve("14:40:30", "h1"),  # too late: withdrawn
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "day.db"
    done = cli(
        "replay", str(session), "--db", str(db), "--env-file", str(tmp_path / "none.env"), cwd=tmp_path
    )
    assert done.returncode in (0, 2)
    done = cli("replay", str(session), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from orchestrator.journal import Journal

    journal = Journal(db)
    verdicts = {
        r["message_id"]: (r["verdict"], r["reasons"]) for r in rows(journal, "SELECT * FROM decisions")
    }
    assert verdicts["h2"][0] == "denied" and "already_open" in verdicts["h2"][1]
    assert verdicts["h3"][0] == "approved"
    steps = rows(journal, "SELECT message_id, outcome FROM executions ORDER BY id")
    assert [(s["message_id"], s["outcome"]) for s in steps] == [
        ("h1", "awaiting_confirmation"),
        ("h1", "withdrawn"),
    ]
    assert rows(journal, "SELECT * FROM orders") == []  # nothing ever reached the simulator
