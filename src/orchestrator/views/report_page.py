"""The report drawn: a self-contained HTML page (two SVG charts and the tables, no script, nothing
fetched when it is opened) and the terminal's tables, which fit 80 columns.

Charts: the daily net P&L as bars, each with its value, on a dollar axis with the dates below; the
equity curve (the running net) on the same kind of axes. Hand-drawn SVG: a plotting library would
add megabytes to draw two charts this simple.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 28, 78  # room for the dollar labels and the slanted dates
GAIN, LOSS, LINE = "#1a7f37", "#cf222e", "#0969da"
MAX_DATE_LABELS = 16


@dataclass(frozen=True)
class Frame:
    """A chart's axes: ``count`` slots along x, dollars from ``low`` to ``high`` along y."""

    count: int
    low: float
    high: float
    step: float

    @classmethod
    def around(cls, values: list[float], count: int) -> Frame:
        low, high = min([0.0, *values]), max([0.0, *values])
        step = _nice_step((high - low) / 4 or 1.0)
        return cls(count, math.floor(low / step) * step, math.ceil(high / step) * step or step, step)

    @property
    def slot(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(1, self.count)

    def x(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return TOP + (self.high - value) / (self.high - self.low) * (HEIGHT - TOP - BOTTOM)

    def axes(self, dates: list[str], y_title: str) -> str:
        parts = [_line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "#888")]
        tick = self.low
        while tick <= self.high + self.step / 2:
            y = self.y(tick)
            parts.append(_line(LEFT - 4, y, WIDTH - RIGHT, y, "#888" if tick == 0 else "#eee"))
            parts.append(_text(LEFT - 8, y + 4, f"{tick:,.0f}", anchor="end"))
            tick += self.step
        every = max(1, math.ceil(len(dates) / MAX_DATE_LABELS))
        for index, day in enumerate(dates):
            if index % every == 0 or index == len(dates) - 1:
                x, y = self.x(index), HEIGHT - BOTTOM + 14
                parts.append(_text(x, y, day, anchor="end", rotate=(-40, x, y)))
        parts.append(
            _text(14, (TOP + HEIGHT - BOTTOM) / 2, y_title, rotate=(-90, 14, (TOP + HEIGHT - BOTTOM) / 2))
        )
        parts.append(_text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 6, "trading day (New York)"))
        return "".join(parts)


def daily_chart(days: list[dict[str, Any]]) -> str:
    """Each trading day's net P&L as a bar (green up, red down) with its value on it."""
    values = [float(d["realized_net"]) for d in days]
    frame = Frame.around(values, len(days))
    width = max(2.0, min(48.0, frame.slot * 0.7))
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        top, zero = frame.y(max(value, 0)), frame.y(min(value, 0))
        x = frame.x(index) - width / 2
        colour = GAIN if value >= 0 else LOSS
        bars.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{max(zero - top, 1):.1f}" '
            f'fill="{colour}"><title>{escape(day["name"])}: {value:+,.2f}</title></rect>'
        )
        label_y = top - 5  # a loss's value sits above the zero line, clear of the dates below
        if len(days) <= 2 * MAX_DATE_LABELS:
            bars.append(_text(frame.x(index), label_y, f"{value:+,.2f}", size=10))
    return _svg("daily net P&L", frame.axes([d["name"] for d in days], "net P&L ($)") + "".join(bars))


def equity_chart(days: list[dict[str, Any]]) -> str:
    """The running net after each trading day, as a line with a point per day."""
    running, total = [], 0.0
    for day in days:
        total += float(day["realized_net"])
        running.append(total)
    frame = Frame.around(running, len(days))
    points = " ".join(f"{frame.x(i):.1f},{frame.y(v):.1f}" for i, v in enumerate(running))
    parts = [f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2"/>'] if days else []
    for index, value in enumerate(running):
        parts.append(
            f'<circle cx="{frame.x(index):.1f}" cy="{frame.y(value):.1f}" r="3" fill="{LINE}">'
            f"<title>{escape(days[index]['name'])}: {value:+,.2f}</title></circle>"
        )
    if running:
        parts.append(_text(frame.x(len(running) - 1), frame.y(running[-1]) - 8, f"{running[-1]:+,.2f}"))
    return _svg("equity curve", frame.axes([d["name"] for d in days], "running net ($)") + "".join(parts))


def page(report: dict[str, Any], source: str) -> str:
    """The whole report as one HTML file: totals, the two charts, the tables."""
    total = report["total"]
    made_up = (
        f"<p class='warn'>{total['made_up']} of {total['trades']} trades have a fill the simulator made "
        "up (no quote: at the alert's price): their P&amp;L is a scratch, not the market's. "
        "QUOTE_SOURCE=ib fills paper trades on IB's quotes.</p>"
        if total["made_up"]
        else ""
    )
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>autoscalper report</title>"
        f"<style>{_STYLE}</style><h1>autoscalper report</h1>"
        f"<p>{escape(source)}: {len(report['days'])} trading days, {total['trades']} trades, "
        f"win rate {total['win_rate']}, net <b>{total['realized_net']}</b> after "
        f"{total['commissions']} commissions.</p>{made_up}"
        "<h2>Daily net P&amp;L</h2>"
        + daily_chart(report["days"])
        + "<h2>Equity curve</h2>"
        + equity_chart(report["days"])
        + _table("Per day", report["days"], DAY_COLUMNS)
        + _table("Per author", report["authors"], GROUP_COLUMNS)
        + _table("Per instrument", report["instruments"], INSTRUMENT_COLUMNS)
        + _table("Per source", report["sources"], GROUP_COLUMNS)
        + _table("Total", [total], GROUP_COLUMNS)
        + "".join(_table(title, rows, columns) for title, rows, columns in _shadow_tables(report))
        + "</html>"
    )


# (row key, heading) for each table; the terminal shows the same columns.
DAY_COLUMNS = (
    ("name", "day"), ("trades", "trades"), ("win_rate", "win %"), ("realized_net", "net"),
    ("commissions", "fees"), ("slippage", "slippage"), ("made_up", "made up"),
)  # fmt: skip
GROUP_COLUMNS = (
    ("name", "name"), ("trades", "trades"), ("win_rate", "win %"), ("realized_net", "net"),
    ("average_win", "avg win"), ("average_loss", "avg loss"), ("largest_loss", "worst"),
    ("made_up", "made up"),
)  # fmt: skip
# An instrument's name is long (``SPY 2026-03-20 580C``): its table leaves out the averages.
INSTRUMENT_COLUMNS = tuple(c for c in GROUP_COLUMNS if c[0] not in ("average_win", "average_loss"))


def print_tables(console: Console, report: dict[str, Any]) -> None:
    """The report's tables for a terminal: compact, nothing cut at 80 columns."""
    for title, rows, columns in (
        ("Per day", report["days"], DAY_COLUMNS),
        ("Per author", report["authors"], GROUP_COLUMNS),
        ("Per instrument", report["instruments"], INSTRUMENT_COLUMNS),
        ("Per source", report["sources"], GROUP_COLUMNS),
        ("Total", [report["total"]], GROUP_COLUMNS),
        *_shadow_tables(report),
    ):
        # One space between columns: an author's 19-digit Discord id and every column fit 80.
        table = Table(
            title=title, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, title_justify="left"
        )
        for key, heading in columns:
            table.add_column(heading, justify="left" if key == "name" else "right", no_wrap=True)
        for row in rows:
            table.add_row(*(str(row[key]) for key, _ in columns))
        console.print(table)


SHADOW = "Shadow (simulated on the same quotes, never sent)"


def _shadow_tables(
    report: dict[str, Any],
) -> list[tuple[str, list[dict[str, Any]], tuple[tuple[str, str], ...]]]:
    """A shadow profile's trades, per author and in all, labelled as what they are."""
    shadow = report.get("shadow")
    if not shadow:
        return []
    return [
        (f"{SHADOW}: per author", shadow["authors"], GROUP_COLUMNS),
        (f"{SHADOW}: total", [shadow["total"]], GROUP_COLUMNS),
    ]


def _table(title: str, rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    if not rows:
        return f"<h2>{title}</h2><p>No fills.</p>"
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td class='{_sign(row, key)}'>{escape(str(row[key]))}</td>" for key, _ in columns)
        + "</tr>"
        for row in rows
    )
    return f"<h2>{title}</h2><table><tr>{head}</tr>{body}</table>"


def _sign(row: dict[str, Any], key: str) -> str:
    if key != "realized_net":
        return ""
    return "up" if Decimal(row[key]) > 0 else "down" if Decimal(row[key]) < 0 else ""


def _nice_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``rough``: axis ticks a reader can add up."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(float(m * power) for m in (1, 2, 5, 10) if m * power >= rough)


def _svg(label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">{body}</svg>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>'


def _text(
    x: float,
    y: float,
    words: str,
    *,
    anchor: str = "middle",
    size: int = 11,
    rotate: tuple[float, float, float] | None = None,
) -> str:
    turn = f' transform="rotate({rotate[0]} {rotate[1]:.1f} {rotate[2]:.1f})"' if rotate else ""
    place = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"'
    return f"<text {place}{turn}>{escape(words)}</text>"


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}svg{display:block;margin:0 0 1em}"
    "text{font-family:system-ui,sans-serif;fill:#1f2328}table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
    "{text-align:left}.up{color:#1a7f37}.down{color:#cf222e}.warn{background:#fff8c5;padding:.5em}"
)
