"""``autoscalper ib-check`` against the fake gateway set up the ways real ones go wrong."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest
from tests.fakes.tws import FakeTWS
from tests.ibkit import config, connected, gateway

from executor.ib import check
from executor.ib.check import Line, run_checks


async def checks(
    tws: FakeTWS, *, paper: bool = True, live_confirm: str | None = None, **cfg: Any
) -> list[Line]:
    return await run_checks(config(tws, **cfg), paper=paper, live_confirm=live_confirm, wait=1.0)


def verdicts(lines: list[Line]) -> dict[str, bool | None]:
    return {line.name: line.ok for line in lines}


def failed(lines: list[Line]) -> Line:
    [line] = [line for line in lines if line.ok is False]
    return line


async def test_a_working_paper_gateway_passes_every_check(tws: FakeTWS) -> None:
    lines = await checks(tws)
    assert verdicts(lines) == {
        "port": True, "reachable": True, "API": True, "client id": True, "account": True, "orders": True,
        "market data": True,
    }  # fmt: skip
    assert "DU*****67 is a paper account" in next(line.text() for line in lines if line.name == "account")
    assert [r for r in tws.messages(3) if r.fields[-30] != "1"] == []  # only the what-if: nothing placed


async def test_nothing_listening_names_the_port_that_is(
    tws: FakeTWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with gateway() as closed:
        port = closed.port
    monkeypatch.setattr(check, "PORTS", {tws.port: "IB Gateway paper"})  # the fake stands in for 4002
    line = failed(await checks(tws, port=port))
    assert (line.name, line.detail) == ("reachable", f"nothing listens on 127.0.0.1:{port}")
    assert f"set IBKR_PORT={tws.port} (IB Gateway paper is listening there)" in line.text()


async def test_an_api_that_never_answers_says_how_to_enable_it(tws: FakeTWS) -> None:
    tws.silent = True
    line = failed(await checks(tws))
    assert (
        line.name == "API" and "Enable ActiveX and Socket Clients" in line.fix and "Trusted IPs" in line.fix
    )


async def test_a_client_id_in_use_is_named(tws: FakeTWS) -> None:
    async with connected(tws):  # the bot runs with the same IBKR_CLIENT_ID
        line = failed(await checks(tws))
    assert line.name == "client id" and "IBKR_CLIENT_ID=7 is in use" in line.detail
    assert "each bot on one gateway needs its own IBKR_CLIENT_ID (and its own JOURNAL_PATH)" in line.fix


async def test_a_live_account_in_paper_mode_fails_the_account_check_and_sends_no_probe(tws: FakeTWS) -> None:
    tws.accounts = ("U7654321",)
    lines = await checks(tws)
    line = failed(lines)
    assert line.name == "account" and "U7****21" in line.detail and "U7654321" not in line.text()
    assert tws.messages(3) == [] and "orders" not in verdicts(lines)  # no what-if on a refused account


@pytest.mark.parametrize(
    ("answer", "ok", "starts"),
    [
        ("live", True, "live (type 1)"),
        ("frozen", None, "frozen (type 2)"),
        ("delayed", None, "delayed (type 3, 10167)"),
        ("none", None, "none for SPY (354)"),
        ("no_delayed", None, "none for SPY, not even delayed (10168)"),
        ("silent", None, "no answer from IB"),
    ],
)
async def test_the_market_data_line_reports_what_ib_answered(
    tws: FakeTWS, answer: str, ok: bool | None, starts: str
) -> None:
    tws.market_data = answer
    [line] = [line for line in await checks(tws) if line.name == "market data"]
    assert line.ok is ok and line.detail.startswith(starts), line.detail


async def test_a_read_only_api_is_found_without_placing_anything(tws: FakeTWS) -> None:
    tws.read_only = True
    line = failed(await checks(tws))
    assert line.name == "orders" and "Read-Only" in line.detail and "untick 'Read-Only API'" in line.fix
    assert tws.orders == {}


async def test_delayed_market_data_is_a_warning_with_its_fix(tws: FakeTWS) -> None:
    tws.market_data = "delayed"
    lines = await checks(tws)
    [line] = [line for line in lines if line.name == "market data"]
    assert line.ok is None and line.detail.startswith("delayed (type 3, 10167)") and "subscribe" in line.fix
    assert not any(line.ok is False for line in lines)


async def test_a_live_port_in_paper_mode_fails_the_port_check(tws: FakeTWS) -> None:
    lines = await checks(tws, port=4001)
    assert lines[0].name == "port" and lines[0].ok is False and "IBKR_PORT=4001" in lines[0].detail


async def cli(tws: FakeTWS, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "orchestrator", "ib-check", "--timeout", "2",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "IBKR_PORT": str(tws.port), "IBKR_CLIENT_ID": "5", **env},
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_cli_prints_one_line_per_check_and_exits_0_when_trading_can_work(tws: FakeTWS) -> None:
    code, out = await cli(tws)
    assert code == 0, out
    assert len(out.splitlines()) == 7 and all(line.startswith("ok ") for line in out.splitlines())


async def test_cli_exits_1_on_a_failed_check(tws: FakeTWS) -> None:
    tws.read_only = True
    code, out = await cli(tws)
    assert code == 1 and "FAIL orders: TWS refuses orders" in out


async def test_cli_bad_setting_exits_2_naming_the_key(tws: FakeTWS) -> None:
    code, out = await cli(tws, IBKR_PORT="seventy")
    assert code == 2 and "IBKR_PORT" in out
