"""``autoscalper report``: P&L per day and per author from the journal's fills, with a chart.

A trade is a position (one opening alert) from its first fill until it holds nothing again; it is a
win when its realized P&L net of every commission is above zero. Slippage compares each fill with
the analyst's price in the alert: positive is what copying cost (paid more on a buy, got less on a
sell), in account currency. Days are trading days (New York, rolling at 18:00 ET); ``--days N`` is
the N most recent days that have fills, so a replayed March shows up in November.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from ..journal import Journal

ZERO = Decimal(0)


@dataclass
class Trade:
    position: str
    author: str
    day: str = ""
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    held: int = 0
    opened: datetime | None = None
    closed: datetime | None = None
    slippage: Decimal = ZERO

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
    holds: list[timedelta] = field(default_factory=list)

    def add(self, trade: Trade) -> None:
        self.gross += trade.gross
        self.fees += trade.fees
        self.slippage += trade.slippage
        if trade.done and trade.opened and trade.closed:
            self.trades += 1
            self.wins += trade.net > 0
            self.holds.append(trade.closed - trade.opened)

    def row(self) -> dict[str, Any]:
        hold = sum(self.holds, timedelta()) / len(self.holds) if self.holds else None
        return {
            "name": self.name,
            "realized_gross": f"{self.gross:.2f}",
            "commissions": f"{self.fees:.2f}",
            "realized_net": f"{self.gross - self.fees:.2f}",
            "trades": self.trades,
            "win_rate": f"{100 * self.wins / self.trades:.0f}%" if self.trades else "-",
            "average_hold": str(hold).split(".")[0] if hold is not None else "-",
            "slippage": f"{self.slippage:.2f}",
        }


def build(journal: Journal, days: int, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    fills = journal.trade_fills(journal.recent_fill_days(days))
    trades = _trades(fills, progress)
    by_day = _group(trades, lambda t: t.day)
    by_author = _group(trades, lambda t: t.author)
    return {
        "days": [by_day[d].row() for d in sorted(by_day)],
        "authors": [g.row() for g in sorted(by_author.values(), key=lambda g: g.name)],
        "total": _total(trades).row(),
    }


def _trades(fills: list[dict[str, Any]], progress: Callable[[int, int], None] | None) -> list[Trade]:
    trades: dict[str, Trade] = {}
    for index, fill in enumerate(fills, start=1):
        trade = trades.setdefault(fill["position"], Trade(fill["position"], fill["author_id"] or "?"))
        at = datetime.fromisoformat(fill["at"])
        quantity, price = int(fill["quantity"]), Decimal(fill["price"])
        trade.opened = trade.opened or at
        trade.held += quantity if fill["opens"] else -quantity
        trade.gross += Decimal(fill["realized"])
        trade.fees += Decimal(fill["commission"])
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


def chart_html(report: dict[str, Any]) -> str:
    """A self-contained page: the daily net P&L as an SVG bar chart, then the tables. No scripts."""
    days = report["days"]
    values = [Decimal(d["realized_net"]) for d in days]
    top = max([abs(v) for v in values] + [Decimal(1)])
    width, height, bar = 720, 240, max(8, min(60, 640 // max(1, len(days))))
    middle = height / 2
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        size = float(abs(value) / top) * (middle - 20)
        y = middle - size if value >= 0 else middle
        x = 40 + index * (bar + 6)
        colour = "#1a7f37" if value >= 0 else "#cf222e"
        bars.append(
            f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{size:.1f}" fill="{colour}">'
            f"<title>{escape(day['name'])}: {value:+.2f}</title></rect>"
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="daily net P&amp;L">'
        f'<line x1="30" y1="{middle}" x2="{width}" y2="{middle}" stroke="#888"/>' + "".join(bars) + "</svg>"
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>autoscalper P&amp;L</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}</style>"
        "<h1>Daily net P&amp;L</h1>"
        + svg
        + _table("Per day", report["days"])
        + _table("Per author", report["authors"])
    )


def _table(title: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"<h2>{title}</h2><p>No fills.</p>"
    head = "".join(f"<th>{escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<h2>{title}</h2><table><tr>{head}</tr>{body}</table>"
