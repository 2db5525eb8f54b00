"""The Discord source: the only package that imports discord.py (import-linter enforces it).

This module stays light (no discord.py): the registry reads ``KIND`` for every command, and only
``run`` on Discord imports ``serve`` (and discord.py with it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...messages import BACKFILL, LIVE
from ...pipeline import Allowlist
from ...settings import Settings, SettingsError
from ..base import SourceContext, SourceKind

if TYPE_CHECKING:
    from ..base import AlertSource


def allowlist(settings: Settings) -> Allowlist:
    """The channels and authors whose alerts trade (a recorded session is a Discord channel too)."""
    return Allowlist(
        channels=frozenset(map(str, settings.DISCORD_CHANNEL_IDS)),
        authors=frozenset(map(str, settings.DISCORD_AUTHOR_IDS)),
    )


def token(settings: Settings) -> str:
    """The bot token, once the settings the listener needs are all there (``SettingsError`` if not)."""
    if settings.DISCORD_TOKEN is None:
        raise SettingsError(
            "DISCORD_TOKEN",
            "missing: `autoscalper run` listens to Discord with a bot token "
            "(or type alerts with `autoscalper run --input -`)",
        )
    for key in ("DISCORD_CHANNEL_IDS", "DISCORD_AUTHOR_IDS"):
        if not getattr(settings, key):
            raise SettingsError(
                key, "empty: the Discord listener trades only allow-listed ids, give at least one"
            )
    return settings.DISCORD_TOKEN.get_secret_value()


def check(settings: Settings) -> None:
    token(settings)


def build(context: SourceContext) -> AlertSource:
    import logging

    from .serve import DiscordSource

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return DiscordSource(context.orchestrator, token(context.settings), context.say)


KIND = SourceKind(
    name="discord", message_sources=(LIVE, BACKFILL), allowlist=allowlist, check=check, build=build
)
