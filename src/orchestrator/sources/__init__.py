"""Message sources and their registry. A new source is a folder here (its ``KIND``, its
``AlertSource``) and one line in ``KINDS``; it runs in ``base.listen`` like every other."""

from __future__ import annotations

from ..pipeline import Allowlist
from ..settings import Settings
from . import console, discord, session, telegram, webhook
from .base import AlertSource, SourceKind, listen

KINDS: dict[str, SourceKind] = {
    kind.name: kind for kind in (discord.KIND, console.KIND, session.KIND, webhook.KIND, telegram.KIND)
}


def allowlists(settings: Settings) -> dict[str, Allowlist]:
    """``Message.source`` -> who may trade through it, for every registered source."""
    return {name: kind.allowlist(settings) for kind in KINDS.values() for name in kind.message_sources}


__all__ = ["KINDS", "AlertSource", "SourceKind", "allowlists", "listen"]
