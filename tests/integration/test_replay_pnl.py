"""The replay's P&L as a trader reads it: one line per trading day and a total, each day's own figure
when several sessions are replayed into one ``--db``, fills labelled by what they were, and the
total of several sessions at the end."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli import cli
from tests.sessions import CHANNEL_SESSION_SETTINGS, SESSIONS, channel_session

DAY_LINE = re.compile(r"^Day P&L (\d{4}-\d\d-\d\d): (.*)$", re.M)


def _split_by_day(tmp_path: Path) -> tuple[Path, Path, Path]:
    lines = channel_session(400, days=2)
    days = sorted({json.loads(line)["at"][:10] for line in lines})
    both = tmp_path / "both.jsonl"
    both.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = []
    for day in days:
        path = tmp_path / f"{day}.jsonl"
        path.write_text(
            "\n".join(x for x in lines if json.loads(x)["at"][:10] == day) + "\n", encoding="utf-8"
        )
        files.append(path)
    return both, files[0], files[1]


def test_a_two_day_session_prints_each_day_and_the_total(tmp_path: Path) -> None:
    both, _, _ = _split_by_day(tmp_path)
    out = cli("replay", str(both), env=CHANNEL_SESSION_SETTINGS)
    assert out.returncode == 0, out.stderr
    days = DAY_LINE.findall(out.stdout)
    assert len(days) == 2 and days[0][0] < days[1][0]
    assert "Total over 2 trading days: realized" in out.stdout


def test_each_session_into_one_db_shows_its_own_day(tmp_path: Path) -> None:
    both, first, second = _split_by_day(tmp_path)
    per_day = dict(DAY_LINE.findall(cli("replay", str(both), env=CHANNEL_SESSION_SETTINGS).stdout))
    db = tmp_path / "kept.db"
    assert cli("replay", str(first), "--db", str(db), env=CHANNEL_SESSION_SETTINGS).returncode == 0
    later = cli("replay", str(second), "--db", str(db), env=CHANNEL_SESSION_SETTINGS)
    assert later.returncode == 0, later.stderr
    [line] = [x for x in later.stdout.splitlines() if x.startswith("Day P&L: ")]
    second_day = max(per_day)
    assert line.removeprefix("Day P&L: ").split("; trading")[0] == per_day[second_day]  # not a running total


def test_fills_say_what_they_were_and_several_sessions_end_with_their_total() -> None:
    out = cli("replay", str(SESSIONS / "winning_day.jsonl"), str(SESSIONS / "trims_breakeven.jsonl"))
    assert out.returncode == 0, out.stderr
    fills = [line.split()[1] for line in out.stdout.splitlines() if line.startswith("  fill  ")]
    assert {"entry", "target", "stop", "close"} <= set(fills)
    nets = [float(m) for m in re.findall(r"^Day P&L: .* net ([+-][\d.]+); trading", out.stdout, re.M)]
    [total] = re.findall(r"^All 2 sessions: .* net ([+-][\d.]+)$", out.stdout, re.M)
    assert round(sum(nets), 2) == float(total)


def test_edits_deletes_kills_and_resumes_are_rows_of_the_table() -> None:
    edits = cli("replay", str(SESSIONS / "edits_deletes.jsonl"))
    assert edits.returncode == 0, edits.stderr
    assert edits.stdout.count("(edited)") == 3 and edits.stdout.count("(deleted)") == 1
    kills = cli("replay", str(SESSIONS / "kill_mid_session.jsonl"))
    rows = [line.split("│")[2].strip() for line in kills.stdout.splitlines() if line.startswith("│ ")]
    assert "kill" in rows and "resume" in rows
    assert rows.index("kill") < rows.index("resume")
