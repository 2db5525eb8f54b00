"""PDT_GUARD on a replayed day: three round trips opened and closed the same day, then a fourth
entry is denied with the count while the account is under $25,000; exits still go; a larger account
is not held back."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import cli


def said(at: str, mid: str, text: str) -> str:
    return json.dumps(
        {
            "type": "message",
            "at": f"2026-03-02T{at}Z",
            "id": mid,
            "channel": "c1",
            "author": "a1",
            "text": text,
        }
    )


DAY = [
    said("14:40:00", "d1", "BTO SPY 3/20 580C @ 1.25 SL .90"),
    said("14:45:00", "d2", "STC SPY 580C @ 1.40"),
    said("14:50:00", "d3", "BTO QQQ 3/20 500P @ 2.00 SL 1.50"),
    said("14:55:00", "d4", "STC QQQ 500P @ 2.20"),
    said("15:00:00", "d5", "BTO IWM 3/20 210C @ 1.00 SL .70"),
    said("15:05:00", "d6", "BTO SPY 3/20 585C @ 1.10 SL .80"),  # IWM is still held
    said("15:10:00", "d7", "STC IWM 210C @ 1.20"),  # the third day trade: an exit, never refused
    said("15:15:00", "d8", "BTO QQQ 3/20 505C @ 1.50 SL 1.10"),
]


def decisions(tmp_path: Path, account: str) -> dict[str, tuple[str, str]]:
    session = tmp_path / "day.jsonl"
    session.write_text("\n".join(DAY) + "\n", encoding="utf-8")
    env = {
        "PDT_GUARD": "true",
        "PAPER_ACCOUNT_SIZE": account,
        "MAX_OPEN_POSITIONS": "5",
        "LOSS_COOLDOWN_MINUTES": "0",
    }
    done = cli("replay", str(session), "--json", env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    return {d["message_id"]: (d["verdict"], " ".join(d.get("reasons", []))) for d in summary["decisions"]}


def test_a_fourth_day_trade_is_not_opened_in_a_small_account(tmp_path: Path) -> None:
    small = decisions(tmp_path, "10000")
    assert small["d6"][0] == "approved"  # two day trades so far
    assert small["d7"][0] == "approved"  # the exit that makes three
    assert small["d8"] == ("denied", "pdt_limit")


def test_an_account_of_25000_or_more_is_not_held_back(tmp_path: Path) -> None:
    assert decisions(tmp_path, "30000")["d8"][0] == "approved"
