"""Telethon's events as the bot's messages, edits and deletes.

Ids: a message is ``tg:<chat>:<id>`` (Telegram numbers messages per chat), where ``<chat>`` is the
marked id users see (``-100`` and the channel's id); a reply names its alert the same way. The author
of a channel post is the channel itself; in a group, the member who wrote it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telethon import utils

from ...messages import TELEGRAM, Delete, Edit, Message


def message_id(chat_id: int, number: int) -> str:
    return f"tg:{chat_id}:{number}"


def to_message(message: Any, received_at: datetime) -> Message:
    """A Telethon message (``events.NewMessage.Event.message``) as the bot's."""
    chat = utils.get_peer_id(message.peer_id)
    author = utils.get_peer_id(message.from_id) if message.from_id is not None else chat
    reply = message.reply_to.reply_to_msg_id if message.reply_to is not None else None
    return Message(
        id=message_id(chat, message.id),
        channel_id=str(chat),
        author_id=str(author),
        text=message.message or "",
        sent_at=_aware(message.date) or received_at,
        received_at=received_at,
        reply_to=message_id(chat, reply) if reply else None,
        source=TELEGRAM,
    )


def to_edit(message: Any, received_at: datetime) -> Edit:
    chat = utils.get_peer_id(message.peer_id)
    return Edit(
        id=message_id(chat, message.id),
        text=message.message or "",
        at=_aware(message.edit_date) or received_at,
    )


def to_deletes(event: Any, received_at: datetime) -> list[Delete]:
    """``events.MessageDeleted.Event``: a channel's deletes name it; a group's may not (None: unknown)."""
    chat = event.chat_id
    if chat is None:
        return []
    return [Delete(id=message_id(chat, number), at=received_at) for number in event.deleted_ids]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
