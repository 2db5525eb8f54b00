"""Which journal a console command (``kill``, ``resume``, ``status``) acts on. It never creates one.

- ``--db J``: that journal, which must exist; if it does not, the error names the running bots'
  journals (a mistyped path, or the right name typed in another folder).
- No ``--db``: the one running bot's journal (from the registry); with several, the trader picks one
  at a terminal, else the error lists them (``kill --all`` halts them all); with none, the settings'
  journal (``JOURNAL_PATH``, else the mode's default) if it exists: a kill latched there is carried
  out by the next start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ..registry import Bot, running_bots


class NoSuchJournal(LookupError):
    """No journal to act on, or no way to choose one. ``str()`` is the one line shown (exit 2)."""


Choose = Callable[[list[Bot]], Bot]


def journals(
    db: Path | None, default: Path, *, every: bool = False, choose: Choose | None = None
) -> list[Path]:
    bots = running_bots()
    if db is not None:
        if not db.is_file():
            raise NoSuchJournal(f"no journal at {db}; {_running(bots)}")
        return [db]
    if every:
        if not bots:
            raise NoSuchJournal("no bot is running")
        return [Path(bot.journal) for bot in bots]
    if len(bots) == 1:
        return [Path(bots[0].journal)]
    if len(bots) > 1:
        if choose is None or not sys.stdin.isatty():
            raise NoSuchJournal(f"{len(bots)} bots are running; pass --db with one of: {_listing(bots)}")
        return [Path(choose(bots).journal)]
    if not default.is_file():
        raise NoSuchJournal(f"no bot is running and there is no journal at {default} (pass --db)")
    return [default]


def _running(bots: list[Bot]) -> str:
    return f"running bots: {_listing(bots)}" if bots else "no bot is running"


def _listing(bots: list[Bot]) -> str:
    return "; ".join(bot.line() for bot in bots)
