"""Drill: malformed input to the parser and to the session reader.

Truncated JSON, bytes that are not UTF-8, a NUL, a 5 MB line, wrong types and unknown event kinds,
mixed with good lines. Nothing crashes, every bad line is reported with its line number, and every
good line around them is processed as if the bad ones were not there.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli import cli
from tests.sessions import journal_rows

AT = "2026-03-02T14:35:00+00:00"
HUGE = 5_000_000


def _autoscalper(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli(*args, cwd=cwd, env={"JOURNAL_PATH": str(cwd / "j.db")})


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _skipped(stderr: str) -> set[int]:
    return {int(line.split("line ")[1].split(":")[0]) for line in stderr.splitlines() if "line " in line}


def test_parse_jsonl_reports_each_bad_line_and_parses_the_rest(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "BTO SPY 3/20 580C @ 1.25 SL .90", "at": AT}).encode(),  # 1
        b'{"text": "BTO QQQ 3/20 500P @ 2.1',  # 2 truncated
        b"\xff\xfe\x00\x01 not json \x9c",  # 3 binary
        json.dumps({"text": "x" * HUGE}).encode(),  # 4 a huge message: read, not a signal
        b"[1, 2, 3]",  # 5 not an object
        json.dumps({"text": 5}).encode(),  # 6 wrong type
        json.dumps({"text": "out", "at": 1700000000}).encode(),  # 7 wrong type of time
        json.dumps({"text": "trim half", "at": "yesterday"}).encode(),  # 8 not a time
        json.dumps({"text": "stop to BE\u0000", "at": AT}).encode(),  # 9 a NUL inside the text
        b"",  # 10 blank: a bad_input line, so outputs stay aligned with inputs
        b"[" * 3000,  # 11 nested past the JSON decoder's recursion limit
        json.dumps({"text": "out", "at": "9999-12-31T23:59:59Z"}).encode(),  # 12 a time no alert has
        json.dumps({"text": "out", "at": "0001-01-01T00:00:00Z"}).encode(),  # 13 nor this one
        b'{"text": NaN}',  # 14 NaN where the text should be
        json.dumps({"text": "STC SPY 3/20 580C @ 1.60", "at": AT}).encode(),  # 15
    ]
    done = _autoscalper("parse", "--jsonl", str(_write(tmp_path / "in.jsonl", lines)), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert _skipped(done.stderr) == {2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14}
    kinds = [json.loads(line)["kind"] for line in done.stdout.splitlines()]
    reasons = [json.loads(line)["reason"] for line in done.stdout.splitlines()]
    assert len(kinds) == len(lines)  # one answer per input line, in order
    assert kinds[0] == "open" and kinds[-1] == "exit" and kinds[8] == "move_stop"
    assert reasons[3] == "too_long"
    assert [reasons[i] for i in (1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13)] == ["bad_input"] * 11


def test_a_session_with_bad_lines_is_replayed_around_them(tmp_path: Path) -> None:
    good = [
        {"at": AT, "type": "quote", "instrument": "SPY 2026-03-02 580C", "bid": "1.20", "ask": "1.25"},
        {"at": AT, "type": "message", "id": "m1", "channel": "c1", "author": "a1",
         "text": "BTO SPY 3/2 580C @ 1.25 SL .90 PT 1.80"},
        {"at": "2026-03-02T14:40:00+00:00", "type": "quote", "instrument": "SPY 2026-03-02 580C",
         "bid": "1.50", "ask": "1.55"},
        {"at": "2026-03-02T14:41:00+00:00", "type": "message", "id": "m2", "channel": "c1", "author": "a1",
         "text": "out", "reply_to": "m1"},
    ]  # fmt: skip
    bad = [
        b'{"at": "2026-03-02T14:36:00+00:00", "type": "message", "id": "b1", "te',  # truncated
        b"\x00\xff\xfe\xfd garbage \x80\x81",  # binary
        json.dumps({"at": AT, "type": "message", "id": "b2", "channel": "c1", "author": "a1",
                    "text": "y" * HUGE}).encode(),  # huge but well formed: a message, not a signal
        json.dumps({"at": AT, "type": "message", "channel": "c1", "author": "a1", "text": "out"}).encode(),
        json.dumps({"at": AT, "type": "quote", "instrument": "SPY 2026-03-02 580C", "bid": "abc"}).encode(),
        json.dumps({"at": 1700000000, "type": "message", "id": "b3", "text": "out"}).encode(),
        json.dumps({"at": AT, "type": "wire_transfer", "amount": 1e9}).encode(),
        json.dumps({"at": AT, "type": "message", "id": ["b4"], "text": ["out"]}).encode(),
        b"null",
        json.dumps({"at": "9999-12-31T23:59:59Z", "type": "message", "id": "b5", "text": "out"}).encode(),
        b"[" * 3000,
    ]  # fmt: skip
    lines = [json.dumps(good[0]).encode(), json.dumps(good[1]).encode(), *bad[:5],
             json.dumps(good[2]).encode(), *bad[5:], json.dumps(good[3]).encode()]  # fmt: skip
    session = _write(tmp_path / "day.jsonl", lines)
    done = _autoscalper("replay", str(session), "--db", str(tmp_path / "j.db"), "--json", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    expected_bad = {3, 4, 6, 7, 9, 10, 11, 12, 13, 14}  # line 5 is the huge message, which is well formed
    assert _skipped(done.stderr) == expected_bad
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert {int(b.split()[1].rstrip(":")) for b in summary["bad_lines"]} == expected_bad
    verdicts = {d["message_id"]: (d["verdict"], d["reasons"]) for d in summary["decisions"]}
    assert verdicts == {
        "m1": ("approved", []),
        "b2": ("ignored", ["too_long"]),
        "m2": ("approved", []),
    }
    assert [(f["message_id"], f["side"]) for f in summary["fills"]] == [("m1", "buy"), ("m2", "sell")]
    [row] = journal_rows(tmp_path / "j.db", "SELECT length(text) AS n FROM messages WHERE id = 'b2'")
    assert row["n"] == HUGE  # journaled whole: an audit sees what was received
    again = _autoscalper("replay", str(session), "--db", str(tmp_path / "j.db"), "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # a restart on the same journal goes through too


def test_check_at_a_time_no_alert_has_is_a_bad_option_not_a_crash(tmp_path: Path) -> None:
    done = _autoscalper(
        "check", "--at", "9999-12-31T23:59:59Z", "BTO SPY 12/31 580C @ 1.25 SL .9", cwd=tmp_path
    )
    assert done.returncode == 2 and "outside 2000-2099" in done.stderr and "Traceback" not in done.stderr


def test_run_reads_binary_and_huge_lines_as_messages_without_stopping(tmp_path: Path) -> None:
    lines = [b"gm", b"\xff\xfe\x00 binary \x80", b"z" * HUGE, b"BTO SPY 3/20 580C @ 1.25 SL .90", b"ok"]
    done = _autoscalper("run", "--input", str(_write(tmp_path / "typed.txt", lines)), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    rows = journal_rows(
        tmp_path / "j.db", "SELECT m.id, d.verdict FROM messages m JOIN decisions d ON d.message_id = m.id"
    )
    assert len(rows) == 5  # every line journaled and decided, the bad bytes as replacement characters
