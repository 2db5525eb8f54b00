"""A disk cache of the venues' session tables (risk's ``SessionStore``), so a run does not import
pandas to rebuild them; risk computes the tables, the orchestrator keeps them.

Building one venue-year from the calendar library costs about 0.15 s, and importing pandas 0.2 s
and 40 MB more; a cached table is read back in a few milliseconds. A table depends only on the
calendar libraries' versions, which are part of the file name: an upgrade (a new holiday, say) is
never answered from an old file. The cache lives in ``$XDG_CACHE_HOME/autoscalper`` (else
``~/.cache/autoscalper``); when it cannot be read or written the table is built as before.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from risk.hours import Row, use_store

FORMAT = 1
LIBRARIES = ("pandas_market_calendars", "exchange_calendars")


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "autoscalper"


@cache
def _versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(version(name))
        except PackageNotFoundError:
            found.append("none")
    return "-".join(found)


def path_for(venue: str, year: int) -> Path:
    return cache_dir() / f"sessions-v{FORMAT}-{_versions()}-{venue}-{year}.json"


class DiskSessionStore:
    def load(self, venue: str, year: int) -> dict[date, Row] | None:
        """The cached table; None when absent or unreadable."""
        try:
            raw = json.loads(path_for(venue, year).read_text(encoding="utf-8"))
            return {date.fromisoformat(day): list(row) for day, row in raw.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def store(self, venue: str, year: int, rows: dict[date, Row]) -> None:
        """Write atomically (a concurrent reader sees the old file or the new one); failures are
        ignored: the cache only saves time."""
        target = path_for(venue, year)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, encoding="utf-8") as out:
                json.dump({day.isoformat(): row for day, row in rows.items()}, out)
            os.replace(out.name, target)
        except OSError:
            return


def install() -> None:
    """Risk's session tables are kept on disk from now on (every command that decides calls it)."""
    use_store(_STORE)


_STORE = DiskSessionStore()
