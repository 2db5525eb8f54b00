"""``autoscalper readiness``: the setup guides' go-live checklist, read from a paper journal.

Each line holds or not, with its evidence (counts, days, ids); the last line, the parser's refusals
and their top reasons, is information and never fails. ``ready`` is every other line holding.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from risk.specs import FUTURES

from ..journal import Journal
from ..settings import Settings

TOP_REASONS = 3
SHOWN = 5  # ids named in a failing line's evidence


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: information only
    name: str
    evidence: str

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "·"}[self.ok]
        return f"{mark} {self.name}: {self.evidence}"


def checklist(journal: Journal, *, min_days: int, min_trades: int, profile_cap: int = 0) -> list[Check]:
    """``profile_cap``: the largest ``max_contracts`` a profile allows (profiles may raise it)."""
    return [
        _practice(journal, min_days, min_trades),
        _decided(journal),
        _stops_from_the_fill(journal),
        _exits_seen(journal),
        _within_limits(journal, profile_cap),
        _kill_switch(journal),
        _no_broker_errors(journal),
        _refusals(journal),
    ]


def check_journal(path: Path, settings: Settings) -> list[Check]:
    """The checklist of the paper journal at ``path`` (``JournalError`` when there is none)."""
    from ..profiles import load_profiles

    journal = Journal(path, create=False)
    try:
        cap = max((p.limits.max_contracts for p in load_profiles(settings).profiles), default=0)
        return checklist(
            journal,
            min_days=settings.READINESS_MIN_DAYS,
            min_trades=settings.READINESS_MIN_TRADES,
            profile_cap=cap,
        )
    finally:
        journal.close()


def ready(checks: list[Check]) -> bool:
    return all(check.ok is not False for check in checks)


def as_json(checks: list[Check]) -> dict[str, Any]:
    return {"ready": ready(checks), "checks": [asdict(check) for check in checks]}


def _practice(journal: Journal, min_days: int, min_trades: int) -> Check:
    days, trades = journal.trading_days(), journal.approved_entries()
    span = f" ({days[0]} to {days[-1]})" if days else ""
    evidence = f"{len(days)} trading days{span} (READINESS_MIN_DAYS {min_days}), {trades} approved entries"
    return Check(
        len(days) >= min_days and trades >= min_trades,
        "paper practice",
        f"{evidence} (READINESS_MIN_TRADES {min_trades})",
    )


def _decided(journal: Journal) -> Check:
    undecided = journal.undecided_messages()
    if not undecided:
        return Check(True, "every message decided", f"{journal.decision_count()} decisions, none missing")
    return Check(False, "every message decided", f"{len(undecided)} without a decision: {_ids(undecided)}")


def _stops_from_the_fill(journal: Journal) -> Check:
    bare = journal.entries_filled_without_stop()
    if not bare:
        return Check(True, "a stop at the broker from every fill", "every filled entry had its stop order")
    return Check(
        False,
        "a stop at the broker from every fill",
        f"{len(bare)} entries filled with no stop: {_ids(bare)}",
    )


def _exits_seen(journal: Journal) -> Check:
    roles = journal.fills_by_role()
    stops, targets = roles.get("stop", 0), roles.get("target", 0)
    return Check(
        stops > 0 and targets > 0,
        "stops and targets seen working",
        f"{stops} stop fills, {targets} target fills",
    )


def _within_limits(journal: Journal, profile_cap: int) -> Check:
    """Each position's entries against the largest cap any run (or profile) allowed."""
    caps = [json.loads(run["settings"] or "{}") for run in journal.run_settings()]
    largest = max([profile_cap, *(int(c.get("MAX_CONTRACTS") or 0) for c in caps)])
    shares = max((int(c.get("MAX_SHARES") or 0) for c in caps), default=0)
    over = [
        f"{row['position']} ({row['quantity']} {row['instrument']})"
        for row in journal.entry_sizes()
        if int(row["quantity"]) > (shares if _stock(str(row["instrument"])) else largest)
    ]
    if over:
        return Check(
            False,
            "no order above a limit",
            f"{len(over)} entries above MAX_CONTRACTS/MAX_SHARES: {_ids(over)}",
        )
    return Check(
        True, "no order above a limit", f"every entry within MAX_CONTRACTS {largest} / MAX_SHARES {shares}"
    )


def _kill_switch(journal: Journal) -> Check:
    kills, resumes = journal.notice_count("kill_switch_engaged"), journal.notice_count("trading_resumed")
    return Check(
        kills > 0 and resumes > 0, "kill switch tested", f"engaged {kills} times, resumed {resumes} times"
    )


def _no_broker_errors(journal: Journal) -> Check:
    errors = journal.broker_errors()
    unprotected = journal.notice_count("position_protection")
    if not errors and not unprotected:
        return Check(True, "no broker error or anomaly", "no broker error, no position left to protect")
    named = [f"{row['at']} {row['detail']}" for row in errors]
    evidence = f"{len(errors)} broker errors{f': {_ids(named)}' if named else ''}"
    return Check(False, "no broker error or anomaly", f"{evidence}; {unprotected} protection notices")


def _refusals(journal: Journal) -> Check:
    reasons = journal.refusal_reasons()
    total = journal.decision_count()
    refused = sum(int(row["n"]) for row in reasons)
    top = ", ".join(f"{row['reason']} {row['n']}" for row in reasons[:TOP_REASONS]) or "none"
    share = f"{100 * refused / total:.0f}%" if total else "-"
    return Check(None, "messages that were not trades", f"{refused} of {total} ({share}); top: {top}")


def _stock(key: str) -> bool:
    """An instrument key with one word that is not a futures root: sized in shares."""
    return " " not in key and key not in FUTURES


def _ids(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more
