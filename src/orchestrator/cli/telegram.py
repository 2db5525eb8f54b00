"""``autoscalper telegram-login``: log the Telegram user account in, once."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from .common import EXIT_BAD_SETTING, env_file_option, load_or_exit


@click.command("telegram-login")
@env_file_option
def telegram_login(env_file: Path | None) -> None:
    """Log in to Telegram as the user who follows the signal channels (phone, the code Telegram
    sends, the two-step password if set) and write TELEGRAM_SESSION, readable by you only.

    Needs TELEGRAM_API_ID and TELEGRAM_API_HASH (my.telegram.org). Later `autoscalper run --source
    telegram` starts use the session and ask nothing. docs/telegram.md.
    """
    from ..settings import SettingsError
    from ..sources.telegram import credentials

    settings = load_or_exit(env_file)
    try:
        api_id, api_hash = credentials(settings)
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_SETTING)
    from ..sources.telegram.login import login

    click.echo(asyncio.run(login(settings, api_id, api_hash)))
