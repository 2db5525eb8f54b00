"""The Discord source: the only package that imports discord.py (import-linter enforces it).

This module stays light (no discord.py): the registry reads ``KIND`` for every command, and only
``run`` on Discord imports ``serve`` (and discord.py with it).
"""

from ...messages import BACKFILL, LIVE
from ...pipeline import Allowlist
from ...settings import Settings
from ..base import SourceKind


def allowlist(settings: Settings) -> Allowlist:
    """The channels and authors whose alerts trade (a recorded session is a Discord channel too)."""
    return Allowlist(
        channels=frozenset(map(str, settings.DISCORD_CHANNEL_IDS)),
        authors=frozenset(map(str, settings.DISCORD_AUTHOR_IDS)),
    )


KIND = SourceKind(name="discord", message_sources=(LIVE, BACKFILL), allowlist=allowlist)
