"""The TradingView webhook source (``run --source webhook``). Light: aiohttp is imported by ``server``
only when the source starts. Setup and security: docs/webhook.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...pipeline import Allowlist
from ...settings import Settings, SettingsError
from ..base import SourceContext, SourceKind

if TYPE_CHECKING:
    from ..base import AlertSource

WEBHOOK = "webhook"
MIN_SECRET = 16  # characters: the secret is the only thing between the internet and an order


def allowlist(settings: Settings) -> Allowlist:
    """Anyone with the secret (and, with WEBHOOK_ALLOWED_IPS, from those addresses)."""
    return Allowlist()


def secret(settings: Settings) -> str:
    if settings.WEBHOOK_SECRET is None:
        raise SettingsError("WEBHOOK_SECRET", "missing: the webhook accepts only requests that carry it")
    value = settings.WEBHOOK_SECRET.get_secret_value()
    if len(value) < MIN_SECRET:
        raise SettingsError("WEBHOOK_SECRET", f"too short: use at least {MIN_SECRET} random characters")
    return value


def check(settings: Settings) -> None:
    secret(settings)


def build(context: SourceContext) -> AlertSource:
    from .server import WebhookSource

    return WebhookSource(context.orchestrator, context.settings, secret(context.settings), context.say)


KIND = SourceKind(name=WEBHOOK, message_sources=(WEBHOOK,), allowlist=allowlist, check=check, build=build)
