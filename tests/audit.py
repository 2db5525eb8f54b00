"""SQL read straight from a journal's file connection: the tests audit what was written the way a
trader would with the sqlite3 shell or datasette, not through the journal's own named reads."""

from __future__ import annotations

from typing import Any

from orchestrator.journal import Journal


def rows(journal: Journal, sql: str, *params: Any) -> list[dict[str, Any]]:
    cursor = journal.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def value(journal: Journal, sql: str, *params: Any) -> Any:
    row = journal.conn.execute(sql, params).fetchone()
    return row[0] if row else None
