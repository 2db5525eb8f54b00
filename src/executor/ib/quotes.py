"""``IBQuotes``: IB's market data for the paper simulator and the drift check (``QUOTE_SOURCE=ib``).

The bot trades on its own simulator and this feed brings it IB's prices. It connects read-only on
its own client id, so no order can reach the account through it. It asks for live data where the
login has it and for IB's delayed data otherwise (``reqMarketDataType(3)``); a delayed quote says
so (``Quote.delayed``), and so does every fill made on one.

- ``watch(instrument)`` streams an instrument, qualified as the IB adapter qualifies it;
  ``release(key)`` stops it. ``first_quote`` waits briefly for an instrument's first quote, so an
  entry's drift check has the market.
- Market data errors (354 not subscribed, 10167 delayed instead, 10168 not even delayed, 10197
  another session took the data, 10089/10090 part of it not subscribed) are reported once per
  instrument and code, in words.
- A dropped connection is reported, reconnected with backoff, and what was watched streams again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from decimal import Decimal
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from parser import Instrument
from risk import Quote, instrument_key

from ..broker import BrokerUnavailable
from .compat import IB, Contract
from .connection import IBConfig, open_connection
from .contracts import Contracts, QualificationError

LIVE_OR_DELAYED = 3  # reqMarketDataType: live where subscribed, delayed otherwise
DELAYED_TYPES = frozenset({3, 4})
FIRST_QUOTE_WAIT = 2.0  # seconds an entry waits for its instrument's first quote before deciding
FIX = "subscribe in IB's Account Management, or share the live login's data with paper (same machine)"
PROBLEMS = {
    354: "IB has no market data subscription for {key} (354): its paper orders wait for quotes; " + FIX,
    10167: "IB sends delayed data for {key} (10167): fills are on quotes 15-20 minutes old and "
    "labelled delayed; the drift check ignores them",
    10168: "IB has no data for {key}, not even delayed (10168): its paper orders wait for quotes. "
    "Enable delayed data in IB's Account Management, or subscribe",
    10197: "IB stopped {key}'s market data: another session of the same login took it (10197)",
    10089: "part of {key}'s market data needs a subscription IB does not have (10089)",
    10090: "part of {key}'s market data needs a subscription IB does not have (10090)",
}

QuoteHandler = Callable[[str, Quote], None]
ProblemHandler = Callable[[str], None]


class IBQuotes:
    """Quotes from TWS/Gateway for the instruments watched. Sends no order, ever."""

    def __init__(self, config: IBConfig, clock: Callable[[], datetime], ib: IB | None = None) -> None:
        self.config = config
        self.ib = ib or IB()
        self.contracts = Contracts(self.ib, config.ack_timeout)
        self._clock = clock
        self._watched: dict[str, Contract] = {}
        self._starting: dict[str, asyncio.Future[None]] = {}
        self._latest: dict[str, Quote] = {}
        self._arrived: dict[str, asyncio.Event] = {}
        self._reported: set[tuple[str, int]] = set()
        self._quote_handlers: list[QuoteHandler] = []
        self._problem_handlers: list[ProblemHandler] = []
        self._errors: list[tuple[int, str]] = []
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None
        self.ib.pendingTickersEvent += self._on_tickers
        self.ib.errorEvent += self._on_error
        self.ib.disconnectedEvent += self._on_disconnected

    def on_quote(self, handler: QuoteHandler) -> None:
        self._quote_handlers.append(handler)

    def on_problem(self, handler: ProblemHandler) -> None:
        self._problem_handlers.append(handler)

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._watched)

    async def connect(self) -> None:
        """Raises ``BrokerUnavailable`` with what to fix."""
        self._errors.clear()
        await open_connection(self.ib, self.config, self._errors, readonly=True)
        self.ib.reqMarketDataType(LIVE_OR_DELAYED)

    async def watch(self, instrument: Instrument) -> str:
        """Stream ``instrument`` (once, however often asked); its key. A contract IB does not know is
        reported as a problem, not raised: the order simply waits, as for missing data."""
        key = instrument_key(instrument)
        if key in self._watched:
            return key
        starting = self._starting.get(key)
        if starting is not None:
            await asyncio.shield(starting)
            return key
        self._starting[key] = asyncio.get_running_loop().create_future()
        try:
            listed = await self.contracts.qualify(instrument)
            self._watched[key] = listed.contract
            self._arrived.setdefault(key, asyncio.Event())
            self.ib.reqMktData(listed.contract)
        except (QualificationError, TimeoutError) as exc:
            self._report(key, 200, f"no market data for {key}: {exc or 'IB did not answer'}")
        finally:
            self._starting.pop(key).set_result(None)
        return key

    async def first_quote(self, instrument: Instrument, wait: float = FIRST_QUOTE_WAIT) -> Quote | None:
        """The instrument's quote, waiting up to ``wait`` seconds for the first one."""
        key = await self.watch(instrument)
        arrived = self._arrived.get(key)
        if key not in self._latest and arrived is not None:
            try:
                await asyncio.wait_for(arrived.wait(), wait)
            except TimeoutError:
                return None
        return self._latest.get(key)

    def release(self, key: str) -> None:
        """Stop streaming ``key`` (nothing works on it and nothing is held)."""
        contract = self._watched.pop(key, None)
        self._latest.pop(key, None)
        self._arrived.pop(key, None)
        if contract is not None and self.ib.isConnected():
            self.ib.cancelMktData(contract)

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        self.ib.disconnect()

    # -- IB's messages -----------------------------------------------------------------------------

    def _on_tickers(self, tickers: Any) -> None:
        now = self._clock()
        for ticker in tickers:
            key = self.contracts.key_of(ticker.contract.conId) if ticker.contract else None
            if key is None or key not in self._watched:
                continue
            quote = _quote(ticker, now)
            if quote is None:
                continue
            self._latest[key] = quote
            self._arrived[key].set()
            for handler in self._quote_handlers:
                handler(key, quote)

    def _on_error(self, req_id: int, code: int, text: str, contract: Contract | None = None) -> None:
        self._errors.append((code, text))
        if code not in PROBLEMS:
            return
        key = self.contracts.key_of(contract.conId) if contract is not None else None
        key = key or f"request {req_id}"
        self._report(key, code, PROBLEMS[code].format(key=key))

    def _report(self, key: str, code: int, words: str) -> None:
        if (key, code) in self._reported:
            return
        self._reported.add((key, code))
        for handler in self._problem_handlers:
            handler(words)

    def _on_disconnected(self) -> None:
        if self._closing:
            return
        self._say(
            "the market data connection to IB closed: reconnecting; paper orders fill on the last "
            "quotes only until it is back"
        )
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = self._background(self._reconnect())

    async def _reconnect(self) -> None:
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=self.config.backoff, max=self.config.backoff_max),
            retry=retry_if_exception_type((BrokerUnavailable, ConnectionError, TimeoutError, OSError)),
        )
        async for attempt in retrying:
            with attempt:
                if self._closing:
                    return
                await self.connect()
        for contract in self._watched.values():
            self.ib.reqMktData(contract)
        self._say(f"market data from IB is back: {len(self._watched)} instrument(s) streaming again")

    def _background(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        task.add_done_callback(self._report_failure)
        return task

    def _report_failure(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._say(f"reconnecting to IB's market data stopped: {task.exception()!r}; restart the bot")

    def _say(self, words: str) -> None:
        for handler in self._problem_handlers:
            handler(words)


def _quote(ticker: Any, now: datetime) -> Quote | None:
    """A ticker's bid, ask and last as a quote; None until it has one of them (IB's empty price is
    -1 or NaN)."""
    bid, ask, last = (_price(ticker.bid), _price(ticker.ask), _price(ticker.last))
    if bid is None and ask is None and last is None:
        return None
    delayed = int(ticker.marketDataType or 1) in DELAYED_TYPES
    return Quote(bid=bid, ask=ask, last=last, at=now, delayed=delayed)


def _price(value: float | None) -> Decimal | None:
    if value is None or math.isnan(value) or value <= 0:
        return None
    return Decimal(str(value))
