"""The journal's connection and its three private helpers: every statement of the project passes
through them, inside this package. The rest of the code calls named reads (``queries.py``) and
writes (``records.py``), so a table's layout can change in one place."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..messages import PART_MARK

Row = dict[str, Any]


_LAST_ISO: list[tuple[datetime | None, str]] = [(None, "")]


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC. A message's rows share its clock reading: the last one is remembered."""
    last, text = _LAST_ISO[0]
    if moment is last:
        return text
    text = moment.astimezone(UTC).isoformat()
    _LAST_ISO[0] = (moment, text)
    return text


def parent_id_sql(column: str) -> str:
    """SQL for the message a decision's id belongs to (``m1#2`` -> ``m1``), to join ``messages``."""
    mark = f"instr({column}, '{PART_MARK}')"
    return f"CASE WHEN {mark} THEN substr({column}, 1, {mark} - 1) ELSE {column} END"


def parts_range(message_id: str) -> tuple[str, str]:
    """The ids strictly between these two are the message's further instructions (``m1#2``, ...)."""
    return message_id + PART_MARK, message_id + chr(ord(PART_MARK) + 1)


class JournalError(RuntimeError):
    """The journal cannot be opened or written: trading must not go on unjournaled."""


class Tables:
    """The connection and the row helpers the named reads and writes are made of."""

    conn: sqlite3.Connection
    path: Path

    def _rows(self, sql: str, *params: Any) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def _value(self, sql: str, *params: Any) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def _write(self, sql: str, values: tuple[Any, ...]) -> int:
        """A constant statement with its values already as SQLite stores them: the hot rows (one
        per message or event) skip the dict and the per-cell conversion of ``_insert``."""
        try:
            cursor = self.conn.execute(sql, values)
        except sqlite3.Error as exc:
            table = sql.partition(" INTO ")[2].split(" ", 1)[0]
            raise JournalError(f"journal {self.path}: cannot write {table}: {exc}") from exc
        return (cursor.lastrowid or 0) if cursor.rowcount else 0

    def _insert(self, table: str, row: Mapping[str, Any], *, ignore: bool = False) -> int:
        """Append ``row``; with ``ignore``, a row whose key exists is skipped (returns 0)."""
        try:
            cursor = self.conn.execute(
                _insert_sql(table, tuple(row), ignore), [_cell(v) for v in row.values()]
            )
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path}: cannot write {table}: {exc}") from exc
        return (cursor.lastrowid or 0) if cursor.rowcount else 0


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], ignore: bool) -> str:
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


_PLAIN = frozenset({str, int, float, type(None)})


def _cell(value: Any) -> Any:
    if type(value) in _PLAIN:  # most cells: no conversion (bool is not int's type, so it goes on)
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bool):
        return int(value)
    return value
