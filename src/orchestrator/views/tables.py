"""Readable output: the decisions table and the day's P&L of a replay, one line per decision in a run."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from ..journal import Journal, parse_time
from ..pipeline import Handled

NEW_YORK = ZoneInfo("America/New_York")
_STYLE = {"approved": "green", "denied": "red", "ignored": "dim", "reported": "yellow", "amended": "yellow"}


def decision_line(outcome: Handled) -> str:
    """``m1 approved (sent): buy 1 SPY ...`` or ``m2 denied [stale_alert]: ...``; a line per
    instruction when the message has several (``m3``, then ``m3#2``)."""
    return "\n".join(_one_decision_line(part) for part in outcome.parts)


def _one_decision_line(outcome: Handled) -> str:
    codes = f" [{', '.join(outcome.reasons)}]" if outcome.reasons else ""
    sent = f" ({outcome.execution})" if outcome.execution else ""
    return f"{outcome.message_id} {outcome.verdict}{sent}{codes}: {outcome.detail}"


# A longer session shows its ignored messages (chatter) as a count: thousands of "commentary" rows
# hide the decisions and cost seconds of table layout. The journal has every row either way.
FOLD_IGNORED_ABOVE = 1_000
SHOWN_CHARS = 500  # of a message's text in the table; the journal has it whole
_CHUNK = 500  # rows laid out per table, so memory stays flat however long the session


def print_session(
    console: Console, journal: Journal, title: str, message_ids: Iterable[str], *, fold: bool
) -> None:
    """Every message of the session with its decision. With ``fold`` (a long session) the ignored
    ones are a count and the rest plain lines, written as read: laying out thousands of table rows
    would take longer than the replay. ``message_ids`` are read as they are printed, once each."""
    rows = (row for message_id in message_ids for row in journal.message_with_parts(message_id))
    if fold:
        _print_plain(console, title, rows)
        return
    shown: list[dict[str, Any]] = []
    printed = 0
    for row in rows:
        shown.append(row)
        if len(shown) == _CHUNK:
            console.print(_table(None if printed else title, shown, header=not printed))
            printed, shown = printed + len(shown), []
    if shown or not printed:
        console.print(_table(None if printed else title, shown, header=not printed))


def _print_plain(console: Console, title: str, rows: Iterable[dict[str, Any]]) -> None:
    out, folded = console.file, 0
    out.write(f"{title}\n")
    for row in rows:
        if row["verdict"] == "ignored":
            folded += 1
            continue
        cells = (_when(row), row["id"], row["author_id"] or "-", row["verdict"] or "undecided")
        out.write(f"{'  '.join(cells)}  {_clipped(row['text'], 80)!r} -> {_detail(row)}\n")
    if folded:
        out.write(f"{folded:,} ignored messages (chatter, not from a followed author ...) not shown\n")


def _table(title: str | None, rows: list[dict[str, Any]], *, header: bool) -> Table:
    table = Table(title=title, expand=True, show_lines=False, show_header=header)
    for name, options in (
        ("time ET", {"no_wrap": True, "style": "dim", "width": 8}),
        ("id", {"no_wrap": True}),
        ("author", {"no_wrap": True}),
        ("message", {"ratio": 3, "overflow": "fold"}),
        ("decision", {"no_wrap": True, "width": 9}),
        ("detail", {"ratio": 4, "overflow": "fold"}),
    ):
        table.add_column(name, **options)
    for row in rows:
        verdict = row["verdict"] or "undecided"
        table.add_row(
            _when(row),
            row["id"],
            row["author_id"] or "",
            _clipped(row["text"]),
            verdict,
            _detail(row),
            style=_STYLE.get(verdict, ""),
        )
    return table


def _when(row: dict[str, Any]) -> str:
    return parse_time(row["received_at"]).astimezone(NEW_YORK).strftime("%H:%M:%S")


def _detail(row: dict[str, Any]) -> str:
    detail = row["sentence"] or ""
    if row["outcome"] and row["outcome"] != "sent":
        detail = f"{detail} [{row['outcome']}: {row['exec_detail']}]"
    return str(detail)


def print_pnl(console: Console, summary: dict[str, Any], *, plain: bool = False) -> None:
    """The fills (``plain``: written as read, for a long session), open positions, and the P&L."""
    for fill in summary["fills"]:
        what = f"{fill['side']:<4} {fill['quantity']} {fill['instrument']} @ {fill['price']}"
        line = f"  fill  {fill['message_id']:>8}  {what}"
        if plain:
            console.file.write(line + "\n")
        else:
            console.print(line)
    for position in summary["open_positions"]:
        console.print(f"  open  {position['quantity']} {position['instrument']} avg {position['avg_price']}")
    gross, fees = Decimal(summary["realized_pnl"]), Decimal(summary["commissions"])
    console.print(
        f"Day P&L: realized {gross:+.2f} gross, commissions {fees:.2f}, net {gross - fees:+.2f}; "
        f"trading {summary['trading_state']}",
        style="bold",
    )
    for line in summary.get("bad_lines", []):
        console.print(f"  skipped {line}", style="yellow")


def _clipped(text: str, limit: int = SHOWN_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
