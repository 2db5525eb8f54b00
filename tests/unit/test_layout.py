"""Rules of the layout that import-linter cannot see: SQL is written inside the journal package only."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
JOURNAL = SRC / "orchestrator" / "journal"
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA)\b")


def test_no_sql_outside_the_journal() -> None:
    """Every statement goes through a named read or write of ``orchestrator.journal``, so a table can
    change in one package."""
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in SRC.rglob("*.py")
        if JOURNAL not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []
