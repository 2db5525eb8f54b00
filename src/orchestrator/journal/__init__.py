"""The journal (SQLite through sqlite-utils, the only place that library is imported)."""

from .store import Journal, JournalError, iso, parse_time

__all__ = ["Journal", "JournalError", "iso", "parse_time"]
