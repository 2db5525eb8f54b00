"""Where every console command finds the running bots: one small file per trading process.

``$XDG_STATE_HOME/autoscalper/bots/<pid>.json`` (else ``~/.local/state/...``) holds the bot's pid,
journal, mode, command and start time. An entry is believed only while that pid holds its journal's
lock (``journal/lock.py``): a bot killed with SIGKILL leaves its file behind, but not the lock, so
the entry is known stale and removed by the next reader. A reused pid cannot pass for the bot either.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .journal.lock import JournalLock, holder


@dataclass(frozen=True)
class Bot:
    pid: int
    journal: str
    mode: str
    command: str
    started_at: str

    def line(self) -> str:
        return f"pid {self.pid}: {self.command} on {self.journal} ({self.mode}, since {self.started_at})"


def registry_dir() -> Path:
    root = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(root) / "autoscalper" / "bots"


def register(journal: Path, *, mode: str, command: str) -> Path:
    """Announce this process as the bot trading on ``journal`` (it holds the journal's lock)."""
    bot = Bot(
        pid=os.getpid(), journal=str(journal.resolve()), mode=mode, command=command,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip
    folder = registry_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    entry = folder / f"{bot.pid}.json"
    scratch = entry.with_suffix(".tmp")
    scratch.write_text(json.dumps(asdict(bot)), encoding="utf-8")
    scratch.replace(entry)
    return entry


def unregister(entry: Path) -> None:
    with suppress(OSError):
        entry.unlink()


def running_bots() -> list[Bot]:
    """The bots alive now, oldest first; stale entries are removed on the way."""
    bots = []
    for entry in sorted(registry_dir().glob("*.json")):
        bot = _read(entry)
        if bot is None or not _holds_its_lock(bot):
            unregister(entry)
            continue
        bots.append(bot)
    return sorted(bots, key=lambda b: b.started_at)


def bot_on(journal: Path) -> Bot | None:
    """The running bot trading on ``journal``, if any."""
    wanted = str(journal.resolve())
    return next((bot for bot in running_bots() if bot.journal == wanted), None)


def _read(entry: Path) -> Bot | None:
    try:
        return Bot(**json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _holds_its_lock(bot: Bot) -> bool:
    found = holder(Path(bot.journal))
    return found is not None and found.get("pid") == bot.pid


class Ownership:
    """This process's claim on a journal: its lock, then its registry entry; released in reverse."""

    def __init__(self, journal: Path, *, command: str, mode: str) -> None:
        self.lock = JournalLock(journal)
        self.lock.acquire(command)  # raises JournalInUse naming the holder
        try:
            self.entry: Path | None = register(journal, mode=mode, command=command)
        except OSError:
            self.entry = None  # an unwritable state folder: the lock still guards the journal

    def release(self) -> None:
        if self.entry is not None:
            unregister(self.entry)
            self.entry = None
        self.lock.release()
