"""``MarketData``: a quote feed's prices to the drift check and the paper simulator (``QUOTE_SOURCE=ib``).

What streams is what can trade: every instrument with a working order or an open position, and an
entry's instrument while its alert is decided (so the drift check has the market); for a forex cross,
its dollar pair too (GBPJPY's P&L converts at USDJPY: risk/fx.py). The rest is
released, so a flat position holds no subscription. Problems the feed reports (no subscription,
delayed data, a dropped connection) are journaled as ``market_data`` notices and said to the trader.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Protocol

from executor import Executor, PaperBroker, PositionBook
from parser import Instrument
from risk import Quote, instrument_key
from risk.fx import conversion_instrument

from .journal import Journal, JournalError
from .pipeline import Pipeline

MARKET_DATA = "market_data"  # the notices' kind


class QuoteFeed(Protocol):
    """Where quotes come from (``executor.ib.quotes.IBQuotes``)."""

    @property
    def watched(self) -> frozenset[str]: ...

    def on_quote(self, handler: Callable[[str, Quote], None]) -> None: ...

    def on_problem(self, handler: Callable[[str], None]) -> None: ...

    async def connect(self) -> None: ...

    async def watch(self, instrument: Instrument) -> str: ...

    async def first_quote(self, instrument: Instrument) -> Quote | None: ...

    def release(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _converted_at(instrument: Instrument) -> list[Instrument]:
    pair = conversion_instrument(instrument)
    return [pair] if pair is not None else []


def feed_quote(pipeline: Pipeline, executor: Executor, key: str, quote: Quote) -> None:
    """A quote to risk's view of the market and, on the simulator, to its matching (IB's own market
    fills IB's orders)."""
    pipeline.on_quote(key, quote)
    if isinstance(executor.broker, PaperBroker):
        executor.broker.on_quote(key, quote)


class MarketData:
    def __init__(
        self,
        feed: QuoteFeed,
        on_quote: Callable[[str, Quote], None],
        books: Callable[[], list[PositionBook]],
        journal: Journal,
        clock: Callable[[], datetime],
    ) -> None:
        """``on_quote`` takes every quote to those that trade on it; ``books`` are their positions
        (the account's, and a shadow's)."""
        self.feed, self.journal, self.clock, self._books = feed, journal, clock, books
        self.listeners: list[Callable[[str], None]] = []  # who else hears a problem (the terminal)
        self._deciding: Counter[str] = Counter()  # entries waiting for their first quote
        feed.on_quote(on_quote)
        feed.on_problem(self._on_problem)

    async def start(self) -> None:
        """Connect, then stream what the journal says is working or held."""
        await self.feed.connect()
        await self.follow()

    async def before_entry(self, instrument: Instrument) -> None:
        """An entry is about to be decided: its instrument streams, and its first quote is awaited
        briefly (without one the drift check says it could not check)."""
        needed = [instrument, *_converted_at(instrument)]
        keys = [instrument_key(i) for i in needed]
        self._deciding.update(keys)
        try:
            for each in needed:
                await self.feed.first_quote(each)
        finally:
            self._deciding.subtract(keys)
            for key in keys:
                if not self._deciding[key]:
                    del self._deciding[key]

    async def follow(self) -> None:
        """Stream what has a working order or an open position; release the rest."""
        wanted = self._in_use()
        for key, instrument in wanted.items():
            if key not in self.feed.watched:
                await self.feed.watch(instrument)
        for key in self.feed.watched - wanted.keys() - self._deciding.keys():
            self.feed.release(key)

    async def close(self) -> None:
        await self.feed.close()

    def _in_use(self) -> dict[str, Instrument]:
        wanted: dict[str, Instrument] = {}
        for book in self._books():
            wanted.update((instrument_key(s.order.instrument), s.order.instrument) for s in book.working())
            wanted.update((h.key, h.instrument) for h in book.open_holdings())
        for instrument in list(wanted.values()):
            wanted.update((instrument_key(pair), pair) for pair in _converted_at(instrument))
        return wanted

    def _on_problem(self, words: str) -> None:
        with suppress(JournalError):  # the journal's own failure stops the bot elsewhere, loudly
            self.journal.record_notice(MARKET_DATA, self.clock(), words)
        for listener in self.listeners:
            listener(words)
