"""``autoscalper replay FILE --broker ib``: a session's orders go to an IB paper account (the fake).

The fake gateway fills entry limits at their limit and market orders at the last trade. It gets
no quotes (the session's quotes drive only the simulator), so IB's market is what decides: in
``trims_breakeven`` the simulator stops the runner out at breakeven before the analyst's "stopped
at BE", which is then denied (nothing left to exit); at IB the stop was not touched, so the same
message closes the runner. Every order the journal shows must be at IB, once, under its client id.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

from tests.ibkit import gateway
from tests.sessions import SESSIONS

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay

SESSION = SESSIONS / "trims_breakeven.jsonl"


async def cli(*args: str, port: int) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "orchestrator", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "IBKR_PORT": str(port), "IBKR_CLIENT_ID": "3"},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


async def test_replay_on_ib_trades_the_session_at_ib_and_sends_each_order_once(tmp_path: Path) -> None:
    lines = SESSION.read_text(encoding="utf-8").splitlines()
    paper = await replay(lines, Settings(_env_file=None), tmp_path / "paper.db", source="paper")  # type: ignore[call-arg]
    db = tmp_path / "ib.db"
    async with gateway(auto_fill=True) as tws:
        code, out, err = await cli(
            "replay", str(SESSION), "--broker", "ib", "--json", "--db", str(db), port=tws.port
        )
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    on_paper = [(d["kind"], d["verdict"]) for d in paper.summary["decisions"]]
    on_ib = [(d["kind"], d["verdict"]) for d in summary["decisions"]]
    assert on_paper == [("open", "approved"), ("trim", "approved"), ("exit", "denied")]
    assert on_ib == [("open", "approved"), ("trim", "approved"), ("exit", "approved")]
    assert summary["open_positions"] == [] and tws.working() == [] and not any(tws.positions.values())
    assert rows(db, "SELECT mode, broker FROM runs") == [("paper", "ib")]
    journaled = {ref for (ref,) in rows(db, "SELECT client_id FROM orders")}
    placed = [order.order_ref for order in tws.orders.values()]  # one per IB order id
    assert sorted(placed) == sorted(journaled) and len(placed) == len(set(placed))
    assert summary["fills"] and all(fill["price"] for fill in summary["fills"])


async def test_replay_on_ib_without_a_gateway_is_one_line_and_exit_1(tmp_path: Path) -> None:
    async with gateway() as closed:
        port = closed.port
    code, _, err = await cli("replay", str(SESSION), "--broker", "ib", port=port)
    assert code == 1 and "nothing listens there" in err and len(err.strip().splitlines()) == 1


async def test_replay_on_ib_stopped_half_way_resumes_from_its_journal_sending_nothing_twice(
    tmp_path: Path,
) -> None:
    lines = (SESSIONS / "winning_day.jsonl").read_text(encoding="utf-8").splitlines()
    db = tmp_path / "ib.db"
    async with gateway(auto_fill=True) as tws:
        settings = Settings(_env_file=None, IBKR_PORT=tws.port, IBKR_CLIENT_ID=4)  # type: ignore[call-arg]
        await replay(lines[: len(lines) // 2], settings, db, source="day", broker="ib")
        sent = [order.order_ref for order in tws.orders.values()]
        second = await replay(lines, settings, db, source="day", broker="ib")  # a new process, same journal
    assert second.skipped == len(lines) // 2
    placed = [order.order_ref for order in tws.orders.values()]
    assert sent and placed[: len(sent)] == sent and len(placed) > len(sent) == len(set(sent))
    assert len(placed) == len(set(placed))
    twice = "SELECT message_id FROM decisions GROUP BY message_id HAVING COUNT(*) > 1"
    assert rows(db, twice) == []
    assert rows(db, "SELECT COUNT(*) FROM runs") == [(2,)]


async def test_replay_on_ib_waits_for_a_late_fill_before_a_management_message(tmp_path: Path) -> None:
    lines = SESSION.read_text(encoding="utf-8").splitlines()
    db = tmp_path / "ib.db"
    async with gateway(auto_fill=True, auto_fill_delay=0.3) as tws:
        settings = Settings(_env_file=None, IBKR_PORT=tws.port, IBKR_CLIENT_ID=5)  # type: ignore[call-arg]
        result = await replay(lines, settings, db, source="late", broker="ib", entry_wait=5.0)
    decisions = [(d["kind"], d["verdict"]) for d in result.summary["decisions"]]
    assert decisions[:2] == [("open", "approved"), ("trim", "approved")]  # the trim saw the fill
    [(detail,)] = rows(db, "SELECT detail FROM notices WHERE kind = 'replay_wait'")[:1]
    assert "waited for asc:" in str(detail) and "filled in" in str(detail)


async def test_replay_on_ib_without_the_wait_decides_before_ib_has_filled(tmp_path: Path) -> None:
    lines = SESSION.read_text(encoding="utf-8").splitlines()
    async with gateway(auto_fill=True, auto_fill_delay=0.3) as tws:
        settings = Settings(_env_file=None, IBKR_PORT=tws.port, IBKR_CLIENT_ID=6)  # type: ignore[call-arg]
        result = await replay(lines, settings, tmp_path / "ib.db", source="late", broker="ib", entry_wait=0)
    trim = result.summary["decisions"][1]
    assert (trim["kind"], trim["verdict"]) == ("trim", "denied")  # what the wait is there to prevent
