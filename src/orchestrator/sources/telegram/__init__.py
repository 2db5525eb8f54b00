"""The Telegram source (``run --source telegram``): a user-account client (Telethon), since a signal
follower is a member of the channel, not its admin, and the Bot API cannot read it. The only package
that imports Telethon, and only when the source starts. Setup and security: docs/telegram.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...messages import TELEGRAM
from ...pipeline import Allowlist
from ...settings import Settings, SettingsError
from ..base import SourceContext, SourceKind

if TYPE_CHECKING:
    from ..base import AlertSource


def allowlist(settings: Settings) -> Allowlist:
    """The channels (marked ids, -100...) and, when set, the authors whose messages trade."""
    return Allowlist(
        channels=frozenset(map(str, settings.TELEGRAM_CHANNEL_IDS)),
        authors=frozenset(map(str, settings.TELEGRAM_AUTHOR_IDS)),
    )


def credentials(settings: Settings) -> tuple[int, str]:
    """The API id and hash (``SettingsError`` when one is missing)."""
    if settings.TELEGRAM_API_ID is None or settings.TELEGRAM_API_HASH is None:
        key = "TELEGRAM_API_ID" if settings.TELEGRAM_API_ID is None else "TELEGRAM_API_HASH"
        raise SettingsError(key, "missing: create them at my.telegram.org (API development tools)")
    return settings.TELEGRAM_API_ID, settings.TELEGRAM_API_HASH.get_secret_value()


def check(settings: Settings) -> None:
    credentials(settings)
    if not settings.TELEGRAM_CHANNEL_IDS:
        raise SettingsError(
            "TELEGRAM_CHANNEL_IDS", "empty: the Telegram source trades only allow-listed channels"
        )


def build(context: SourceContext) -> AlertSource:
    from .serve import TelegramSource

    api_id, api_hash = credentials(context.settings)
    return TelegramSource.connecting(context.orchestrator, context.settings, api_id, api_hash, context.say)


KIND = SourceKind(name="telegram", message_sources=(TELEGRAM,), allowlist=allowlist, check=check, build=build)
