"""``autoscalper telegram-login``: the one interactive login (phone, code, two-step password), which
writes the session file later starts use without asking. The file is a login to the account: it is
made readable by its owner only (mode 600)."""

from __future__ import annotations

import os

from telethon import TelegramClient

from ...settings import Settings


async def login(settings: Settings, api_id: int, api_hash: str) -> str:
    """Log in at the terminal; the line that says as whom and where the session is."""
    client = TelegramClient(str(settings.TELEGRAM_SESSION), api_id, api_hash)
    await client.start()  # Telethon asks for the phone, the code and the password at the terminal
    me = await client.get_me()
    await client.disconnect()
    path = str(settings.TELEGRAM_SESSION)
    path = path if path.endswith(".session") else f"{path}.session"
    os.chmod(path, 0o600)
    return f"logged in as {getattr(me, 'username', None) or me.id}; session {path} (readable by you only)"
