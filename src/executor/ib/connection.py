"""Where and as whom to reach TWS / IB Gateway, and the connect that fails fast with words.

``connectAsync`` waits its whole timeout when TWS closes the socket during the handshake (a client id
in use, a login that refuses us); ``open_connection`` fails at once instead, and every failure is a
``BrokerUnavailable`` that says what to fix.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from ..broker import BrokerUnavailable
from .compat import IB

CLIENT_ID_IN_USE = 326


@dataclass(frozen=True)
class IBConfig:
    host: str = "127.0.0.1"
    port: int = 7497
    client_id: int = 1
    account: str | None = None
    connect_timeout: float = 10.0
    ack_timeout: float = 10.0
    backoff: float = 1.0  # first reconnection delay, doubling up to ``backoff_max``
    backoff_max: float = 60.0
    maintenance: str | None = None  # IB's nightly window, HH:MM-HH:MM New York: a drop there is expected


async def open_connection(
    ib: IB, config: IBConfig, errors: Sequence[tuple[int, str]], *, readonly: bool = False
) -> None:
    """Connect ``ib`` (``readonly``: no order can be sent on it, and none is synced). ``errors`` is
    where the caller collects IB's error messages, read to name a client id in use."""
    try:
        await _connect_or_fail_fast(ib, config, readonly)
    except (OSError, TimeoutError, ConnectionError) as exc:
        raise BrokerUnavailable(_connect_failure(config, errors, exc)) from exc


async def _connect_or_fail_fast(ib: IB, config: IBConfig, readonly: bool) -> None:
    closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_closed(message: str = "") -> None:
        if not closed.done():
            closed.set_result(message or "TWS/Gateway closed the connection during the handshake")

    connection = ib.client.conn
    connection.disconnected += on_closed
    connecting = asyncio.ensure_future(
        ib.connectAsync(
            config.host,
            config.port,
            config.client_id,
            timeout=config.connect_timeout,
            readonly=readonly,
            account=config.account or "",
        )
    )
    try:
        await asyncio.wait({connecting, closed}, return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connecting
            raise ConnectionError(closed.result())
        connecting.result()
    finally:
        connection.disconnected -= on_closed
        if not closed.done():
            closed.cancel()


def _connect_failure(config: IBConfig, errors: Sequence[tuple[int, str]], exc: BaseException) -> str:
    where = f"IB at {config.host}:{config.port}"
    if any(code == CLIENT_ID_IN_USE for code, _ in errors):
        return f"{where}: IBKR_CLIENT_ID={config.client_id} is already in use; set another id or wait"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: nothing listens there (start TWS or IB Gateway); run `autoscalper ib-check`"
    if isinstance(exc, TimeoutError):
        return (
            f"{where}: no API answer within {config.connect_timeout:g} s (API disabled, a pending "
            "connection dialog, or a client id in use); run `autoscalper ib-check`"
        )
    return f"{where}: {exc or type(exc).__name__}; run `autoscalper ib-check`"
