"""``autoscalper report``: P&L per day, per author and per instrument from the journal's fills.

A trade is a position (one opening alert) from its first fill until it holds nothing again; it is a
win when its realized P&L net of every commission is above zero, a loss otherwise. Slippage compares
each fill with the analyst's price in the alert: positive is what copying cost (paid more on a buy,
got less on a sell), in account currency. A trade with a fill the simulator made up (no quote) is
counted in ``made_up``: its P&L is a scratch, not the market's. Days are trading days (New York,
rolling at 18:00 ET); ``--days N`` is the N most recent days that have fills, so a replayed March
shows up in November. The page and the terminal tables are drawn by ``report_page``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..journal import Journal

ZERO = Decimal(0)


@dataclass
class Trade:
    position: str
    author: str
    instrument: str = ""
    source: str = ""
    day: str = ""
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    held: int = 0
    opened: datetime | None = None
    closed: datetime | None = None
    slippage: Decimal = ZERO
    made_up: bool = False

    @property
    def net(self) -> Decimal:
        return self.gross - self.fees

    @property
    def done(self) -> bool:
        return self.closed is not None and self.held == 0


@dataclass
class Group:
    name: str
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    slippage: Decimal = ZERO
    trades: int = 0
    wins: int = 0
    won: Decimal = ZERO  # the net of the winning trades
    lost: Decimal = ZERO  # the net of the others
    largest_loss: Decimal = ZERO
    made_up: int = 0
    holds: list[timedelta] = field(default_factory=list)

    def add(self, trade: Trade) -> None:
        self.gross += trade.gross
        self.fees += trade.fees
        self.slippage += trade.slippage
        if not (trade.done and trade.opened and trade.closed):
            return
        self.trades += 1
        self.made_up += trade.made_up
        self.holds.append(trade.closed - trade.opened)
        if trade.net > 0:
            self.wins += 1
            self.won += trade.net
        else:
            self.lost += trade.net
            self.largest_loss = min(self.largest_loss, trade.net)

    def row(self) -> dict[str, Any]:
        hold = sum(self.holds, timedelta()) / len(self.holds) if self.holds else None
        losses = self.trades - self.wins
        return {
            "name": self.name,
            "realized_gross": f"{self.gross:.2f}",
            "commissions": f"{self.fees:.2f}",
            "realized_net": f"{self.gross - self.fees:.2f}",
            "trades": self.trades,
            "win_rate": f"{100 * self.wins / self.trades:.0f}%" if self.trades else "-",
            "average_hold": str(hold).split(".")[0] if hold is not None else "-",
            "slippage": f"{self.slippage:.2f}",
            "average_win": f"{self.won / self.wins:.2f}" if self.wins else "-",
            "average_loss": f"{self.lost / losses:.2f}" if losses else "-",
            "largest_loss": f"{self.largest_loss:.2f}" if losses else "-",
            "made_up": self.made_up,
        }


def build(journal: Journal, days: int, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    fills = journal.trade_fills(journal.recent_fill_days(days))
    trades = _trades(fills, progress)
    by_day = _group(trades, lambda t: t.day)
    by_author = _group(trades, lambda t: t.author)
    by_instrument = _group(trades, lambda t: t.instrument)
    by_source = _group(trades, lambda t: t.source)
    return {
        "days": [by_day[d].row() for d in sorted(by_day)],
        "authors": [g.row() for g in sorted(by_author.values(), key=lambda g: g.name)],
        "instruments": [g.row() for g in sorted(by_instrument.values(), key=lambda g: g.name)],
        "sources": [g.row() for g in sorted(by_source.values(), key=lambda g: g.name)],
        "total": _total(trades).row(),
    }


def _trades(fills: list[dict[str, Any]], progress: Callable[[int, int], None] | None) -> list[Trade]:
    trades: dict[str, Trade] = {}
    for index, fill in enumerate(fills, start=1):
        trade = trades.setdefault(
            fill["position"],
            Trade(fill["position"], fill["author_id"] or "?", fill["instrument"], fill["source"] or "?"),
        )
        at = datetime.fromisoformat(fill["at"])
        quantity, price = int(fill["quantity"]), Decimal(fill["price"])
        trade.opened = trade.opened or at
        trade.held += quantity if fill["opens"] else -quantity
        trade.gross += Decimal(fill["realized"])
        trade.fees += Decimal(fill["commission"])
        trade.made_up = trade.made_up or fill["price_basis"] is not None
        trade.slippage += _slippage(
            fill["side"], price, fill["alert_price"], quantity, int(fill["multiplier"] or 1)
        )
        trade.day = fill["trading_day"]
        if not fill["opens"]:
            trade.closed = at
        if progress is not None:
            progress(index, len(fills))
    return list(trades.values())


def _slippage(side: str, price: Decimal, alert: str | None, quantity: int, multiplier: int) -> Decimal:
    if not alert:
        return ZERO
    paid = price - Decimal(alert) if side == "buy" else Decimal(alert) - price
    return paid * quantity * multiplier


def _group(trades: Iterable[Trade], key: Callable[[Trade], str]) -> dict[str, Group]:
    groups: dict[str, Group] = defaultdict(lambda: Group(""))
    for trade in trades:
        group = groups[key(trade)]
        group.name = key(trade)
        group.add(trade)
    return dict(groups)


def _total(trades: Iterable[Trade]) -> Group:
    total = Group("total")
    for trade in trades:
        total.add(trade)
    return total
