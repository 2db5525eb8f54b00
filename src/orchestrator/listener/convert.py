"""discord.py objects -> the listener-neutral ``Message``, ``Edit`` and ``Delete`` the pipeline takes.

Ids are Discord's snowflakes as strings, never display names. A webhook message (an alert service's
webhook, or a provider's announcement channel followed into the trader's server) has the webhook's id
as its author: that is the id to allow-list. The text the parser sees is the content followed by
every *rich* embed's title, description and fields, one per line; link previews (embeds Discord adds
when it unfurls a URL) are left out, so an unfurl never changes what a message says.
"""

from __future__ import annotations

from datetime import datetime

import discord

from ..messages import LIVE, Edit, Message


def alert_text(content: str, embeds: list[discord.Embed]) -> str:
    parts = [content.strip()] if content.strip() else []
    for embed in embeds:
        if embed.type != "rich":
            continue
        parts += [part.strip() for part in (embed.title, embed.description) if part and part.strip()]
        parts += [f"{field.name}: {field.value}".strip() for field in embed.fields]
    return "\n".join(parts)


def author_id(message: discord.Message) -> str:
    return str(message.webhook_id or message.author.id)


def reply_to(message: discord.Message) -> str | None:
    """The replied-to message id, only for a real reply: a crosspost's reference names its source
    message, and pins or thread starters carry references that are not replies either."""
    reference = message.reference
    if message.type is not discord.MessageType.reply or reference is None:
        return None
    if reference.type is not discord.MessageReferenceType.reply or reference.message_id is None:
        return None
    return str(reference.message_id)


def to_message(message: discord.Message, received_at: datetime, *, source: str = LIVE) -> Message:
    return Message(
        id=str(message.id),
        channel_id=str(message.channel.id),
        author_id=author_id(message),
        text=alert_text(message.content, message.embeds),
        sent_at=message.created_at,
        received_at=received_at,
        reply_to=reply_to(message),
        source=source,
    )


def to_edit(event: discord.RawMessageUpdateEvent, at: datetime) -> Edit:
    return Edit(id=str(event.message_id), text=alert_text(event.message.content, event.message.embeds), at=at)


def is_content_edit(event: discord.RawMessageUpdateEvent) -> bool:
    """Discord sends MESSAGE_UPDATE for pins, link unfurls and suppressed embeds too; only an update
    that carries an edit time is the author editing. Whether the text changed is the journal's call."""
    return event.message.edited_at is not None


def looks_blank(message: discord.Message) -> bool:
    """No content, no embed and no attachment: what every message looks like when the bot lacks the
    Message Content intent (Discord blanks them instead of refusing)."""
    return not message.content and not message.embeds and not message.attachments
