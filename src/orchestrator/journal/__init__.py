"""The journal (SQLite through sqlite-utils, the only place that library is imported)."""

from .lock import JournalInUse, JournalLock, holder
from .store import Journal, JournalGone, parse_time
from .tables import JournalError, iso

__all__ = [
    "Journal",
    "JournalError",
    "JournalGone",
    "JournalInUse",
    "JournalLock",
    "holder",
    "iso",
    "parse_time",
]
