"""Expiry rules: resolved from the message time in New York, never from the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from parser.expiry import resolve_expiry
from parser.lexer import Tok, lex

MONDAY = datetime(2026, 3, 2, 14, 31, tzinfo=UTC)


def expiry_token(text: str) -> Tok:
    """The expiry token the lexer reads in ``text`` (3/20, 0dte, weekly, Mar 20 ...)."""
    return next(t for t in lex(text).tokens if t.kind in ("DATE", "ODTE", "WEEKLY"))


@pytest.mark.parametrize(
    ("token", "now", "expected"),
    [
        ("3/20", MONDAY, date(2026, 3, 20)),
        ("3/2", MONDAY, date(2026, 3, 2)),
        ("3/1", MONDAY, date(2027, 3, 1)),
        ("3/20/26", MONDAY, date(2026, 3, 20)),
        ("1/15/2025", MONDAY, date(2025, 1, 15)),
        ("2/29", MONDAY, date(2028, 2, 29)),
        ("0dte", MONDAY, date(2026, 3, 2)),
        ("0dte", datetime(2026, 3, 7, 15, tzinfo=UTC), date(2026, 3, 9)),
        ("0dte", datetime(2026, 3, 3, 3, 59, tzinfo=UTC), date(2026, 3, 2)),
        ("0dte", datetime(2026, 3, 3, 5, 0, tzinfo=UTC), date(2026, 3, 3)),
        ("weekly", MONDAY, date(2026, 3, 6)),
        ("weekly", datetime(2026, 3, 6, 20, tzinfo=UTC), date(2026, 3, 6)),
        ("weekly", datetime(2026, 3, 8, 15, tzinfo=UTC), date(2026, 3, 13)),
        ("this week", MONDAY, date(2026, 3, 6)),
        ("Mar 20", MONDAY, date(2026, 3, 20)),
        ("20th March", MONDAY, date(2026, 3, 20)),
        ("2026-12-18", MONDAY, date(2026, 12, 18)),
        ("Aug 4 2027", MONDAY, date(2027, 8, 4)),
        ("May15'27", MONDAY, date(2027, 5, 15)),
    ],
)
def test_expiry_resolves_from_the_message_day_in_new_york(token: str, now: datetime, expected: date) -> None:
    assert resolve_expiry(expiry_token(token), now) == expected


def test_expiry_uses_new_york_across_the_dst_change() -> None:
    # 2026-03-08 is the spring-forward Sunday; 03:30 UTC on 3/9 is 23:30 on 3/8 in New York (EDT).
    assert resolve_expiry(expiry_token("0dte"), datetime(2026, 3, 9, 3, 30, tzinfo=UTC)) == date(2026, 3, 9)
    assert resolve_expiry(expiry_token("0dte"), datetime(2026, 3, 10, 3, 30, tzinfo=UTC)) == date(2026, 3, 9)


def test_expiry_rejects_an_impossible_date() -> None:
    with pytest.raises(ValueError):
        resolve_expiry(expiry_token("2/30"), MONDAY)
