"""discord.py objects -> the listener-neutral ``Message``, ``Edit`` and ``Delete`` the pipeline takes.

Ids are Discord's snowflakes as strings, never display names. A webhook message (an alert service's
webhook, or a provider's announcement channel followed into the trader's server) has the webhook's id
as its author: that is the id to allow-list.

What is read:
- A human's message is its content, nothing else. Only bots and webhooks can post embeds; the embeds
  on a human's message are link previews Discord attached (some typed ``rich``), and a preview of a
  stranger's tweet must never become an alert.
- A bot's or webhook's message is its content followed by every rich embed's title, description and
  fields, one per line (an embed with no type is rich), except an embed whose URL is in the content:
  that is a preview of the link.
- A forwarded message (a reference of type forward) is the forwarded snapshot's content and embeds,
  read as the forwarder's message: the forwarder is who is allow-listed.
- A message in a thread belongs to the thread's channel for the allow-list; a message in the thread
  an alert started, that replies to nothing, answers that alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from ...messages import LIVE, Edit, Message

RICH = (None, "rich")


def alert_text(message: discord.Message) -> str:
    snapshots = forwarded(message)
    if snapshots:
        return "\n".join(_text(s.content, s.embeds, read_embeds=True) for s in snapshots)
    return _text(message.content, message.embeds, read_embeds=from_a_bot(message))


def _text(content: str, embeds: Sequence[discord.Embed], *, read_embeds: bool) -> str:
    parts = [content.strip()] if content.strip() else []
    for embed in embeds if read_embeds else ():
        if embed.type not in RICH or (embed.url and embed.url in content):
            continue
        parts += [part.strip() for part in (embed.title, embed.description) if part and part.strip()]
        parts += [f"{field.name}: {field.value}".strip() for field in embed.fields]
    return "\n".join(parts)


def from_a_bot(message: discord.Message) -> bool:
    """Only a bot or a webhook can post an embed of its own."""
    return message.webhook_id is not None or message.author.bot


def forwarded(message: discord.Message) -> list[discord.MessageSnapshot]:
    reference = message.reference
    if reference is None or reference.type is not discord.MessageReferenceType.forward:
        return []
    return list(message.message_snapshots)


def forward_origin(message: discord.Message) -> str | None:
    """``<guild>/<channel>/<message>`` of the forwarded original, for the journal."""
    reference = message.reference
    if not forwarded(message) or reference is None:
        return None
    return f"{reference.guild_id}/{reference.channel_id}/{reference.message_id}"


def author_id(message: discord.Message) -> str:
    return str(message.webhook_id or message.author.id)


def parent_channel(channel: object) -> int | None:
    """The channel a thread belongs to; None for anything that is not a thread."""
    return channel.parent_id if isinstance(channel, discord.Thread) else None


def reply_to(message: discord.Message) -> str | None:
    """The replied-to message id, only for a real reply: a crosspost's reference names its source
    message, and pins or thread starters carry references that are not replies either. In a thread
    started from a message (the thread has that message's id), a message that replies to nothing
    answers the starter."""
    reference = message.reference
    if message.type is discord.MessageType.reply and _replies(reference):
        assert reference is not None
        return str(reference.message_id)
    if parent_channel(message.channel) is not None and not forwarded(message):
        return str(message.channel.id)
    return None


def _replies(reference: discord.MessageReference | None) -> bool:
    return (
        reference is not None
        and reference.type is discord.MessageReferenceType.reply
        and reference.message_id is not None
    )


def to_message(message: discord.Message, received_at: datetime, *, source: str = LIVE) -> Message:
    parent = parent_channel(message.channel)
    return Message(
        id=str(message.id),
        channel_id=str(message.channel.id),
        author_id=author_id(message),
        text=alert_text(message),
        sent_at=message.created_at,
        received_at=received_at,
        reply_to=reply_to(message),
        source=source,
        parent_channel_id=str(parent) if parent is not None else None,
    )


def to_edit(event: discord.RawMessageUpdateEvent, at: datetime) -> Edit:
    return Edit(id=str(event.message_id), text=alert_text(event.message), at=at)


def is_content_edit(event: discord.RawMessageUpdateEvent) -> bool:
    """Discord sends MESSAGE_UPDATE for pins, link unfurls and suppressed embeds too; only an update
    that carries an edit time is the author editing. Whether the text changed is the journal's call."""
    return event.message.edited_at is not None


def looks_blank(message: discord.Message) -> bool:
    """No content, no embed, no attachment and nothing forwarded: what every message looks like when
    the bot lacks the Message Content intent (Discord blanks them instead of refusing)."""
    return not message.content and not message.embeds and not message.attachments and not forwarded(message)


def jump_url(guild_id: int | None, channel_id: str | None, message_id: str) -> str | None:
    """The link that opens the message in Discord; None when it is not a Discord message."""
    if guild_id is None or not channel_id or not message_id.isdigit():
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"
