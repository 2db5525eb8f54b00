"""``autoscalper replay --journal OLD.db --compare``: the regression check after changing the grammar
or the limits. The old journal's inputs (or, for a live run, its messages) are replayed through
today's parser and risk on the simulator, and every message whose decision differs is printed: its
verdict, reasons and order plan, before and after. Exit code 1 when anything differs.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from ..journal import Journal
from ..settings import Settings
from ..sources.session.replay import replay


def recorded_inputs(journal: Journal) -> list[str]:
    """The session lines the old journal was fed: its replay inputs, else its messages."""
    lines = journal.input_payloads()
    if lines:
        return lines
    rows = journal.received_messages()
    return [
        json.dumps(
            {
                "type": "message",
                "at": r["received_at"],
                "sent_at": r["sent_at"],
                "id": r["id"],
                "channel": r["channel_id"],
                "author": r["author_id"],
                "text": r["text"],
                "reply_to": r["reply_to"],
            }
        )
        for r in rows
    ]


def differences(old: Journal, new: Journal) -> tuple[list[dict[str, Any]], int]:
    """The decisions that differ, and how many were left out: made under a trading state that a kill
    or resume from outside the recorded inputs (the console, Discord) set, which the re-run cannot
    repeat. From the first decision whose state differs, the rest of such a run is not comparable
    (the kill flattened what the re-run still holds)."""
    before = {row["message_id"]: row for row in old.first_decisions()}
    outside = old.outside_requests() > 0
    changed, diverged, left_out = [], False, 0
    for row in new.first_decisions():
        was = before.get(row["message_id"])
        if was is not None and _key(was) == _key(row):
            continue
        if outside and was is not None and (diverged or _states(was) != _states(row)):
            diverged, left_out = True, left_out + 1
            continue
        changed.append({"message_id": row["message_id"], "text": row["text"], "before": was, "after": row})
    return changed, left_out


def run_compare(path: Path, settings: Settings, console: Console) -> int:
    old = Journal(path, durable=False)
    try:
        lines = recorded_inputs(old)
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "compare.db"
            asyncio.run(replay(lines, settings, fresh, source=f"compare:{path}"))
            new = Journal(fresh, durable=False)
            changed, left_out = differences(old, new)
            new.close()
    finally:
        old.close()
    for item in changed:
        console.print(f"{item['message_id']}: {item['text']}", style="bold")
        console.print(f"  before: {_describe(item['before'])}", style="red")
        console.print(f"  after : {_describe(item['after'])}", style="green")
    console.print(
        f"{len(changed)} of {len(lines)} recorded inputs decided differently"
        if changed
        else f"no decision differs ({len(lines)} recorded inputs re-run)"
    )
    if left_out:
        console.print(
            f"{left_out} decisions not compared: made after a kill or resume from outside the recorded "
            "inputs (the console, Discord), which the re-run does not repeat",
            style="yellow",
        )
    return 1 if changed else 0


def _states(row: dict[str, Any]) -> set[str]:
    """The trading-state reasons of a decision (``trading_halted``, ``trading_reducing``)."""
    return {code for code in json.loads(row["reasons"]) if code.startswith("trading_")}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["verdict"], row["reasons"], row["plan"]


def _describe(row: dict[str, Any] | None) -> str:
    if row is None:
        return "not decided"
    reasons = ", ".join(json.loads(row["reasons"]))
    return f"{row['verdict']}{f' [{reasons}]' if reasons else ''}: {row['sentence']}"
