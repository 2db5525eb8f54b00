"""``autoscalper ib-check``: the troubleshooting IB bot guides make people do by hand, automated.

One line per question, each with the fix when the answer is wrong, in the order a connection
fails: is anything listening (and is it TWS or Gateway, paper or live), does it answer the API
handshake (API enabled, no pending dialog), is the client id free, is the account the mode's
(paper ``DU`` or the confirmed live account), does TWS accept orders (a what-if order: the
Read-Only API refuses it with 321, and nothing is ever placed; never sent once the account check has
failed), and which market data IB actually answered with (live, frozen, delayed, none, or no answer,
with IB's codes).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..broker import BrokerUnavailable
from ..guard import AccountGuard, ModeMismatch, check_port, is_paper_account, mask
from .broker import IBBroker
from .compat import IB, Contract, IBOrder, Stock
from .connection import CLIENT_ID_IN_USE, IBConfig

PORTS = {7497: "TWS paper", 7496: "TWS live", 4002: "IB Gateway paper", 4001: "IB Gateway live"}
READ_ONLY = 321
NOT_SUBSCRIBED = 354
DELAYED = 10167
DATA_TYPES = {1: "live", 2: "frozen", 3: "delayed", 4: "delayed frozen"}
LIVE = 1
NO_ANSWER = 0  # not an IB data type: IB sent no marketDataType message
# The error codes IB answers a market data request with: not subscribed, delayed instead, part of
# the data not subscribed, a competing live session.
NOT_EVEN_DELAYED = 10168
MARKET_DATA_CODES = frozenset({NOT_SUBSCRIBED, DELAYED, NOT_EVEN_DELAYED, 10089, 10090, 10197})
API_SETTINGS = "TWS: File > Global Configuration > API > Settings (Gateway: Configure > Settings > API)"


@dataclass(frozen=True)
class Line:
    """One finding. ``ok`` is None for a warning that does not stop trading."""

    ok: bool | None
    name: str
    detail: str
    fix: str = ""

    def text(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[self.ok]
        return f"{mark} {self.name}: {self.detail}" + (f". Fix: {self.fix}" if self.fix else "")


async def run_checks(
    config: IBConfig, *, paper: bool, live_confirm: str | None, wait: float = 5.0
) -> list[Line]:
    """Every check that can run; stops at the first that leaves nothing further to ask."""
    lines = [_port_line(config, paper)]
    reachable = await _reachable(config, wait)
    lines.append(reachable)
    if not reachable.ok:
        return lines
    handshake = await _handshake(config, wait)
    lines.append(handshake)
    if not handshake.ok:
        return lines
    broker = IBBroker(replace(config, connect_timeout=wait), lambda: datetime.now(UTC))
    try:
        session = await _session(broker)
        lines.append(session)
        account = _account(broker.account, paper, live_confirm) if session.ok else None
        if account is not None:
            lines.append(account)
        if account is not None and account.ok:  # never probe orders on an account the mode refuses
            try:
                lines += await _trading(broker.ib, wait)
            except (ConnectionError, TimeoutError) as exc:
                lines.append(Line(False, "connection", f"lost while checking: {exc or type(exc).__name__}"))
    finally:
        await broker.shutdown()
    return lines


def _port_line(config: IBConfig, paper: bool) -> Line:
    name = PORTS.get(config.port, "not a standard TWS/Gateway port")
    try:
        check_port(paper, config.port)
    except ModeMismatch as exc:
        return Line(False, "port", str(exc))
    return Line(True, "port", f"IBKR_PORT={config.port} ({name}) fits {'paper' if paper else 'live'} mode")


async def _reachable(config: IBConfig, wait: float) -> Line:
    where = f"{config.host}:{config.port}"
    if await _listens(config.host, config.port, wait):
        return Line(True, "reachable", f"{where} accepts connections")
    others = [port for port in PORTS if port != config.port and await _listens(config.host, port, 0.5)]
    if others:
        fix = f"set IBKR_PORT={others[0]} ({PORTS[others[0]]} is listening there)"
    else:
        fix = (
            "start TWS or IB Gateway and log in (paper: TWS 7497, Gateway 4002; live: TWS 7496, Gateway 4001)"
        )
    return Line(False, "reachable", f"nothing listens on {where}", fix)


async def _listens(host: str, port: int, wait: float) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def _handshake(config: IBConfig, wait: float) -> Line:
    """The API's own first exchange: ``API\\0`` and a version range in, a server version out."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(config.host, config.port), wait)
    except (OSError, TimeoutError):
        return Line(
            False, "API", "the connection closed before the handshake", f"enable the API in {API_SETTINGS}"
        )
    try:
        body = b"v157..178"
        writer.write(b"API\0" + struct.pack(">I", len(body)) + body)
        size = struct.unpack(">I", await asyncio.wait_for(reader.readexactly(4), wait))[0]
        version = (await asyncio.wait_for(reader.readexactly(size), wait)).split(b"\0")[0].decode()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, struct.error):
        fix = (
            f"tick 'Enable ActiveX and Socket Clients' in {API_SETTINGS}, add {config.host} to the "
            "Trusted IPs, and accept TWS's 'incoming connection' dialog if it shows"
        )
        return Line(False, "API", f"connected, but no API handshake within {wait:g} s", fix)
    finally:
        writer.close()
    return Line(True, "API", f"the API answers (server version {version})")


async def _session(broker: IBBroker) -> Line:
    client_id = broker.config.client_id
    try:
        await broker.connect()
    except BrokerUnavailable as exc:
        if any(code == CLIENT_ID_IN_USE for code, _ in broker.connect_errors) or "already in use" in str(exc):
            fix = (
                "each bot on one gateway needs its own IBKR_CLIENT_ID (and its own JOURNAL_PATH): set "
                "another, or stop the other program (a crashed run frees it in a minute)"
            )
            return Line(
                False, "client id", f"IBKR_CLIENT_ID={client_id} is in use by another API client", fix
            )
        return Line(False, "client id", str(exc))
    return Line(True, "client id", f"IBKR_CLIENT_ID={client_id} is free; logged in")


def _account(account: str, paper: bool, live_confirm: str | None) -> Line:
    kind = "a paper" if is_paper_account(account) else "a live"
    try:
        AccountGuard(paper=paper, live_confirm=live_confirm).check(account)
    except ModeMismatch as exc:
        return Line(False, "account", str(exc))
    return Line(
        True, "account", f"{mask(account)} is {kind} account, as {'paper' if paper else 'live'} mode needs"
    )


async def _trading(ib: IB, wait: float) -> list[Line]:
    """Orders and market data, both tried on SPY (the stock: every account can look it up)."""
    found = await ib.reqContractDetailsAsync(Stock("SPY", "SMART", "USD"))
    spy = found[0].contract if found else None
    if spy is None:
        return [Line(None, "orders", "could not look up SPY to test with; orders and market data unchecked")]
    return [await _orders_allowed(ib, spy, wait), await _market_data(ib, spy, wait)]


async def _orders_allowed(ib: IB, spy: Contract, wait: float) -> Line:
    """A what-if order is checked by TWS like a real one and never placed."""
    refused = asyncio.get_running_loop().create_future()

    def on_error(req_id: int, code: int, *_: object) -> None:
        if code == READ_ONLY and not refused.done():
            refused.set_result(code)  # a warning to the library: it would wait out the timeout

    ib.errorEvent += on_error
    probe = IBOrder(action="BUY", totalQuantity=1, orderType="LMT", lmtPrice=1.0, tif="DAY", whatIf=True)
    answer = asyncio.ensure_future(ib.whatIfOrderAsync(spy, probe))
    try:
        await asyncio.wait({answer, refused}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ib.errorEvent -= on_error
        answer.cancel()
    state = answer.result() if answer.done() and not answer.cancelled() else None
    errors = [READ_ONLY] if refused.done() else []
    if READ_ONLY in errors:
        return Line(
            False,
            "orders",
            "TWS refuses orders: the API is Read-Only (321)",
            f"untick 'Read-Only API' in {API_SETTINGS}",
        )
    if state is None:
        return Line(None, "orders", "no answer to a what-if order; try again once TWS is fully logged in")
    return Line(True, "orders", "TWS accepts orders (a what-if order was checked; nothing was placed)")


async def _market_data(ib: IB, contract: Contract, wait: float) -> Line:
    """What IB answered to a market data request: its data type message, its error codes, or nothing."""
    errors: list[int] = []

    def on_error(req_id: int, code: int, *_: object) -> None:
        if code in MARKET_DATA_CODES:
            errors.append(code)

    ib.errorEvent += on_error
    ticker = ib.reqMktData(contract)
    ticker.marketDataType = NO_ANSWER  # the library presumes live (1) until IB says otherwise
    try:
        await asyncio.wait_for(ib.reqCurrentTimeAsync(), wait)
        await asyncio.sleep(min(wait, 0.5))  # the data type comes with the first ticks
    finally:
        ib.cancelMktData(contract)
        ib.errorEvent -= on_error
    return _market_data_line(int(ticker.marketDataType or NO_ANSWER), errors)


def _market_data_line(data_type: int, errors: list[int]) -> Line:
    codes = f", {', '.join(map(str, errors))}" if errors else ""
    fix = "subscribe to live data, or share the live user's subscriptions with paper (one machine)"
    if data_type == NO_ANSWER:
        if NOT_SUBSCRIBED in errors:
            detail = f"none for SPY ({NOT_SUBSCRIBED}): alerts still trade, but nothing here sees the market"
            return Line(None, "market data", detail, fix)
        if NOT_EVEN_DELAYED in errors:
            detail = f"none for SPY, not even delayed ({NOT_EVEN_DELAYED}): QUOTE_SOURCE=ib cannot fill"
            return Line(
                None, "market data", detail, "enable delayed data in IB's Account Management, or " + fix
            )
        detail = f"no answer from IB about SPY's market data{f' (codes{codes[1:]})' if errors else ''}"
        return Line(None, "market data", detail, "check the market data farm lines in TWS, then try again")
    name = DATA_TYPES.get(data_type, f"type {data_type}")
    if data_type == LIVE and not errors:
        return Line(True, "market data", "live (type 1)")
    detail = f"{name} (type {data_type}{codes}); alerts still trade on their own prices"
    return Line(None, "market data", detail, fix)
