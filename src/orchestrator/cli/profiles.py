"""``autoscalper profiles``: the profiles file, checked, and which profile a message gets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from .common import env_file_option, load_or_exit


@click.command("profiles")
@click.option("--channel", metavar="ID", help="Which profile a message in this channel gets.")
@click.option("--author", metavar="ID", help="Which profile a message by this author gets.")
@click.option(
    "--source", default="discord", show_default=True, help="The message's source (discord, console, session)."
)
@env_file_option
def profiles(channel: str | None, author: str | None, source: str, env_file: Path | None) -> None:
    """List the profiles (PROFILES_FILE, or profiles.toml beside .env) after checking them, and with
    --channel and/or --author say which one a message from there is decided with.

    A bad profiles file is one line naming the file, the profile and the key (exit 2).
    """
    from ..messages import Message
    from ..profiles import load_profiles

    settings = load_or_exit(env_file, profiles=True)
    found = load_profiles(settings)
    if found.path is None:
        click.echo("no profiles file: every message is decided with the global settings")
    else:
        click.echo(f"{len(found)} profile(s) in {found.path}")
        for profile in found.profiles:
            click.echo(f"  {profile.describe()}")
    if channel is None and author is None:
        return
    now = datetime.now(UTC)
    message = Message(
        id="?", channel_id=channel, author_id=author, text="", sent_at=now, received_at=now, source=source
    )
    chosen = found.match(message)
    where = ", ".join(
        f"{name} {value}" for name, value in (("channel", channel), ("author", author)) if value
    )
    click.echo(f"a {source} message ({where}) gets: {chosen.name if chosen else 'the global settings'}")
