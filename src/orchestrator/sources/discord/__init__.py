"""The Discord listener: the only package that imports discord.py (import-linter enforces it)."""

from .client import AlertClient
from .serve import DiscordStartError, check_settings, serve

__all__ = ["AlertClient", "DiscordStartError", "check_settings", "serve"]
