"""One trading process per journal: an exclusive OS lock held for the process's whole life.

The lock is ``flock`` on ``<journal>.lock`` beside the journal (the journal's real path, so two
spellings of one file share one lock). The kernel releases it when the process ends, however it ends:
a SIGKILL never leaves a stale lock. The holder writes who it is (pid, command, start time) into the
lock file once it holds it, so a second process names the holder in its refusal. ``flock`` and not
``fcntl`` record locks: a record lock is dropped when the process closes *any* descriptor of the
file, which a reader in the same process would do.

Readers (``status``, ``kill``, the registry) only ask whether the lock is held, with a shared lock
tried and released at once; a trading process starting at that very moment retries for a moment
rather than refuse because of a reader.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ATTEMPTS = 25  # x 20 ms: a reader's probe lasts microseconds; another trader holds it for its life
PAUSE = 0.02


class JournalInUse(RuntimeError):
    """Another process trades on this journal. ``str()`` is the one line shown (exit 2)."""


def lock_path(journal: Path) -> Path:
    resolved = journal.resolve()
    return resolved.with_name(resolved.name + ".lock")


class JournalLock:
    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.path = lock_path(journal)
        self._fd: int | None = None

    def acquire(self, command: str) -> None:
        """Hold the lock, or raise ``JournalInUse`` naming the process that does."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        for _ in range(ATTEMPTS):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(PAUSE)
        else:
            holder = _read(fd)
            os.close(fd)
            raise JournalInUse(_refusal(self.journal, holder))
        os.ftruncate(fd, 0)
        me = {
            "pid": os.getpid(),
            "command": command,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.pwrite(fd, json.dumps(me).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def holder(journal: Path) -> dict[str, Any] | None:
    """The process trading on ``journal`` now (pid, command, since), or None when none is."""
    path = lock_path(journal)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd) or {"pid": None, "command": "unknown", "since": None}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(fd: int) -> dict[str, Any]:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _refusal(journal: Path, holder: dict[str, Any]) -> str:
    who = f"pid {holder.get('pid', '?')} ({holder.get('command', 'unknown command')}"
    since = f", since {holder['since']})" if holder.get("since") else ")"
    return (
        f"journal {journal} is in use by {who}{since}: one trading process per journal. "
        "Stop that one, or give this one its own --db"
    )
