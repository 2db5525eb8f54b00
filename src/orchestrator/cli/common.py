"""What every command shares: loading settings (exit 2 on a bad one), one-line failures (exit 1),
one-line refusals to start (exit 2)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from ..settings import Settings

DEFAULT_ENV_FILE = Path(".env")
EXIT_FAILED = 1
EXIT_BAD_SETTING = 2

F = TypeVar("F", bound=Callable[..., Any])


def env_file_option(func: F) -> F:
    return click.option(
        "--env-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Settings file read after the environment (default: .env when there is one). "
        "A file named here must exist.",
    )(func)


DB_HELP = "Journal file (default: JOURNAL_PATH, else autoscalper-paper.db / autoscalper-live.db)."


def db_option(func: F, text: str = DB_HELP) -> F:
    return click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), help=text)(func)


def replay_db_option(func: F) -> F:
    text = "Journal file to keep, and to resume from if the replay was stopped (default: a temporary one)."
    return db_option(func, text)


def control_db_option(func: F) -> F:
    text = (
        "Journal of the bot to act on, which must exist (default: the running bot's; with none running, "
        "JOURNAL_PATH, else autoscalper-paper.db / autoscalper-live.db)."
    )
    return db_option(func, text)


def load_or_exit(env_file: Path | None, *, profiles: bool = False) -> Settings:
    """The settings; ``env_file`` None is ``.env`` when there is one. A bad setting, or a named
    file that is missing, is one line and exit 2; a variable that looks like a mistyped setting is
    a warning. ``profiles``: the command decides messages, so the profiles file is checked too (a
    control command such as ``kill`` never depends on it)."""
    from ..profiles import ProfileError, load_profiles
    from ..redact import redact_logs
    from ..settings import SettingsError, environment_warnings, load_settings

    try:
        settings = load_settings(env_file or DEFAULT_ENV_FILE, required=env_file is not None)
        if profiles:
            load_profiles(settings)
    except (SettingsError, ProfileError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_SETTING)
    for warning in environment_warnings():
        click.echo(f"warning: {warning}", err=True)
    redact_logs(settings.secret_values())  # before anything can log
    return settings


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def refuse(message: str) -> NoReturn:
    """Not started, by rule (another process trades on the journal; a file that does not exist)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_SETTING)


class progress_bar:
    """A progress bar on stderr for long work (``LONG`` steps or more), only when stderr is a terminal.
    The context value is a ``(done, total)`` callback, or None when nothing is shown."""

    LONG = 2000

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        bar = self._bar = Progress(console=Console(stderr=True), transient=True)
        task = bar.add_task(self.label, total=None)

        def advance(done: int, total: int) -> None:
            if total >= self.LONG:
                if not bar.live.is_started:
                    bar.start()
                bar.update(task, completed=done, total=total)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None and self._bar.live.is_started:
            self._bar.stop()
