"""Readable output: the decisions table and the day's P&L of a replay, one line per decision in a run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from ..journal import Journal, parse_time
from ..pipeline import Handled

if TYPE_CHECKING:
    from ..sources.session.replay import ReplayResult

NEW_YORK = ZoneInfo("America/New_York")
_STYLE = {
    "approved": "green",
    "denied": "red",
    "ignored": "dim",
    "reported": "yellow",
    "amended": "yellow",
    "edit": "yellow",
    "deleted": "yellow",
    "done": "bold",
}


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


def print_session(console: Console, journal: Journal, title: str, source: str, *, fold: bool) -> None:
    """Every message of the session with its decision, and its edits, deletes, kills and resumes
    where they came. With ``fold`` (a long session) the ignored messages are a count and the rest
    plain lines, written as read: laying out thousands of table rows would take longer than the
    replay."""
    rows = _session_rows(journal, source)
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


_NOT_EXECUTED = {"outcome": None, "exec_detail": None}


def _session_rows(journal: Journal, source: str) -> Iterator[dict[str, Any]]:
    edits_seen: dict[str, int] = {}  # message -> its edits shown so far
    commands = iter(journal.session_commands())
    for event in journal.session_events(source):
        kind, mid = event["type"], event["mid"]
        if kind == "message":
            yield from journal.message_with_parts(mid)
            continue
        row = {
            "id": mid or "",
            "author_id": "",
            "received_at": event["at"],
            "outcome": None,
            "exec_detail": None,
        }
        if kind == "edit":
            number = edits_seen.get(mid, 0)
            edits_seen[mid] = number + 1
            edit = (journal.edits_of(mid)[number:] or [{"comparison": "", "detail": ""}])[0]
            yield row | {
                "text": "(edited)",
                "verdict": "edit",
                "sentence": f"{edit['comparison']}: {edit['detail']}",
            }
        elif kind == "delete":
            yield row | {"text": "(deleted)", "verdict": "deleted", "sentence": "the author deleted it"}
        else:
            done = next(commands, None) or {"command": "command", "reason": "", "outcome": "", "detail": ""}
            first = (done["detail"] or "").splitlines()[:1]
            yield row | {
                "id": done["command"],
                "text": done["reason"] or "",
                "verdict": done["outcome"] or "",
                "sentence": first[0] if first else "",
            }


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


@dataclass
class Pnl:
    """Realized P&L (gross, in account currency) and commissions, summed exactly."""

    gross: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)

    def add(self, other: Pnl) -> None:
        self.gross += other.gross
        self.fees += other.fees

    def line(self, label: str, state: str) -> str:
        net = self.gross - self.fees
        ending = f"; trading {state}" if state else ""
        return (
            f"{label}: realized {self.gross:+.2f} gross, commissions {self.fees:.2f}, net {net:+.2f}{ending}"
        )


def print_pnl(
    console: Console, journal: Journal, days: set[str], result: ReplayResult, *, plain: bool = False
) -> Pnl:
    """The fills of the session's trading ``days`` with their role (entry, target, stop, close, kill
    flatten, protect), the open positions, and the P&L of each day (the journal may hold other
    days: a ``--db`` kept across sessions). Returns the session's total."""
    per_day: dict[str, Pnl] = {}
    for fill in journal.all_fills():
        if fill["trading_day"] not in days:
            continue
        pnl = per_day.setdefault(fill["trading_day"], Pnl())
        pnl.add(Pnl(Decimal(fill["realized"]), Decimal(fill["commission"])))
        what = f"{fill['side']:<4} {fill['quantity']} {fill['instrument']} @ {fill['price']}"
        label = price_label(fill["price_basis"], delayed=_delayed(fill["quote"]))
        line = f"  fill  {_role(fill):<12} {fill['message_id']:>8}  {what}{label}"
        if plain:
            console.file.write(line + "\n")
        else:
            console.print(line)
    for position in result.open_positions:
        console.print(f"  open  {position['quantity']} {position['instrument']} avg {position['avg_price']}")
    total, state = Pnl(), result.trading_state
    for day in sorted(per_day):
        total.add(per_day[day])
    if len(per_day) <= 1:
        console.print(total.line("Day P&L", state), style="bold")
    else:
        for day in sorted(per_day):
            console.print(per_day[day].line(f"Day P&L {day}", ""), style="bold")
        console.print(total.line(f"Total over {len(per_day)} trading days", state), style="bold")
    for bad in result.bad_lines:
        console.print(f"  skipped {bad}", style="yellow")
    return total


def price_label(basis: str | None, *, delayed: bool = False) -> str:
    """How the simulator priced a fill, said where the fill is shown: made up (no quote), or on IB's
    delayed data. A fill on a live quote, or a broker's, needs no word."""
    if basis == "at_alert_price":
        return " (no quote: at the alert's price)"
    if basis == "no_quote":
        return " (no quote: at the last simulated price)"
    return " (on a delayed quote)" if delayed else ""


def _delayed(quote: str | None) -> bool:
    return quote is not None and bool(json.loads(quote).get("delayed"))


def _role(fill: dict[str, Any]) -> str:
    """What the fill was: the entry, the target, the stop, a close (exit or trim), or one of the
    bot's own orders (the kill switch's flattening, a protective stop)."""
    client_id = str(fill["client_id"] or "")
    for kind, label in ((":flatten:", "kill flatten"), (":protect:", "protect stop")):
        if kind in client_id:
            return label
    return str(fill["role"] or "?")


def _clipped(text: str, limit: int = SHOWN_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
