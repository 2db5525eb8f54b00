"""The ``autoscalper`` command as a real process, for the tests that need one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

BOT = [sys.executable, "-m", "orchestrator"]


def cli(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    before: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``autoscalper ARGS`` to completion; ``before`` runs in the child before it starts (limits)."""
    return subprocess.run(
        [*BOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        preexec_fn=before,
    )


def console_bot(db: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``autoscalper run --input - --db DB``, its pipes open, returned once it says it runs."""
    bot = subprocess.Popen(
        [*BOT, "run", "--input", "-", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    started = bot.stderr.readline() if bot.stderr is not None else ""
    if "autoscalper running" not in started:
        bot.kill()
        raise AssertionError(f"the bot did not start: {started!r}")
    return bot
