"""Fills the simulator made up without a quote are labelled, and a loss made of them (the entry and the
exit at the analyst's prices) is a scratch that never starts the loss cooldown; the same loss on the
market's quotes does."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli import cli
from tests.sessions import journal_rows

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay


def _message(at: str, message_id: str, text: str) -> str:
    event = {"type": "message", "at": f"2026-03-02T{at}Z", "id": message_id, "channel": "c1", "author": "a1"}
    return json.dumps(event | {"text": text})


def _quote(at: str, bid: str, ask: str) -> str:
    instrument = "SPY 2026-03-20 580C"
    return json.dumps(
        {"type": "quote", "at": f"2026-03-02T{at}Z", "instrument": instrument, "bid": bid, "ask": ask}
    )


ENTRY = _message("15:00:00", "a1", "BTO SPY 3/20 580C @ 1.25 SL .90")
OUT = _message("15:05:00", "a2", "STC SPY 3/20 580C @ 1.00")
AGAIN = _message("15:06:00", "a3", "BTO SPY 3/20 585C @ 1.10 SL .80")
QUOTES = [_quote("14:59:00", "1.20", "1.25"), _quote("15:04:00", "1.00", "1.05")]


def _verdicts(lines: list[str], db: Path) -> dict[str, tuple[str, list[str]]]:
    settings = Settings(_env_file=None, LOSS_COOLDOWN_MINUTES="10")  # type: ignore[call-arg]
    result = asyncio.run(replay(lines, settings, db, source="s"))
    return {d["message_id"]: (d["verdict"], d["reasons"]) for d in result.summary["decisions"]}


def test_a_loss_at_the_alerts_prices_is_labelled_and_starts_no_cooldown(tmp_path: Path) -> None:
    made_up = _verdicts([ENTRY, OUT, AGAIN], tmp_path / "made_up.db")
    assert made_up["a3"][0] == "approved"  # a scratch at made-up prices: no cooldown
    fills = journal_rows(
        tmp_path / "made_up.db", "SELECT message_id, price, price_basis FROM fills ORDER BY rowid"
    )
    assert [(f["message_id"], f["price_basis"]) for f in fills[:2]] == [
        ("a1", "at_alert_price"),
        ("a2", "at_alert_price"),
    ]

    priced = _verdicts([QUOTES[0], ENTRY, QUOTES[1], OUT, AGAIN], tmp_path / "priced.db")
    assert priced["a3"] == ("denied", ["loss_cooldown"])  # the market's own loss: the cooldown holds
    fills = journal_rows(tmp_path / "priced.db", "SELECT price_basis FROM fills ORDER BY rowid")
    assert [f["price_basis"] for f in fills[:2]] == [None, None]


def test_the_replay_table_says_which_fills_were_made_up(tmp_path: Path) -> None:
    session = tmp_path / "s.jsonl"
    session.write_text("\n".join([ENTRY, OUT]) + "\n", encoding="utf-8")
    out = cli("replay", str(session))
    assert out.returncode == 0, out.stderr
    fills = [line for line in out.stdout.splitlines() if line.startswith("  fill  ")]
    assert len(fills) == 2 and all("(no quote: at" in line for line in fills)
