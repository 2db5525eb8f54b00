"""Discord gateway and REST payloads as Discord sends them, for real discord.py objects with no network.

The dicts follow Discord's documented objects (message, user, guild, channel, embed, message reference).
``Channel`` plays Discord's side of one text channel: it keeps the channel's log (what REST history
serves, newest first, strictly before/after an id, as GET /channels/{id}/messages does) and records
what the bot posted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

GUILD = 900000000000000001
ALERTS = 900000000000000010  # the analyst's alert channel (followed)
LOUNGE = 900000000000000011  # a chat channel in the same server (not followed)
NOTIFY = 900000000000000012  # where the bot posts its notices
ANALYST = 800000000000000001
STRANGER = 800000000000000002
TRADER = 800000000000000003  # the trader: allowed to send control commands
BOT = 800000000000000009
WEBHOOK = 700000000000000001  # a provider's announcement channel, followed into ALERTS

_counter = itertools.count(1)


def snowflake(at: datetime) -> int:
    """An id whose timestamp is ``at`` (discord.py reads ``created_at`` from the id), unique per call."""
    return discord.utils.time_snowflake(at, high=False) + next(_counter)


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


def text_channel(channel_id: int, name: str, position: int = 0) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "topic": None,
        "last_message_id": None,
    }


def guild() -> dict[str, Any]:
    return {
        "id": str(GUILD),
        "name": "trader's server",
        "icon": None,
        "owner_id": str(TRADER),
        "region": "us-east",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [
            {
                "id": str(GUILD),
                "name": "@everyone",
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "position": 0,
                "permissions": str(discord.Permissions.all().value),
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "member_count": 4,
        "large": False,
        "unavailable": False,
        "joined_at": "2026-01-05T15:00:00+00:00",
        "members": [],
        "voice_states": [],
        "presences": [],
        "threads": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "channels": [
            text_channel(ALERTS, "alerts", 0),
            text_channel(LOUNGE, "lounge", 1),
            text_channel(NOTIFY, "bot-notices", 2),
        ],
    }


def embed(
    title: str = "", description: str = "", fields: tuple[tuple[str, str], ...] = (), kind: str = "rich"
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": kind,
        "fields": [{"name": n, "value": v, "inline": True} for n, v in fields],
    }
    if title:
        out["title"] = title
    if description:
        out["description"] = description
    return out


def message(
    message_id: int,
    content: str,
    *,
    channel: int = ALERTS,
    author: int = ANALYST,
    name: str = "analyst",
    embeds: tuple[dict[str, Any], ...] = (),
    reply_to: int | None = None,
    webhook_id: int | None = None,
    crosspost_of: int | None = None,
    edited_at: datetime | None = None,
) -> dict[str, Any]:
    """A MESSAGE_CREATE (or, with ``edited_at``, a full MESSAGE_UPDATE) payload."""
    created = discord.utils.snowflake_time(message_id)
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel),
        "guild_id": str(GUILD),
        "author": user(author, name, bot=webhook_id is not None),
        "content": content,
        "timestamp": created.isoformat(),
        "edited_timestamp": edited_at.isoformat() if edited_at else None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": list(embeds),
        "pinned": False,
        "type": 19 if reply_to is not None else 0,
        "flags": 0,
    }
    if webhook_id is None:
        data["member"] = {"roles": [], "joined_at": "2026-01-05T15:00:00+00:00", "deaf": False, "mute": False}
    else:
        data["webhook_id"] = str(webhook_id)
    if reply_to is not None:
        data["message_reference"] = {
            "type": 0,
            "message_id": str(reply_to),
            "channel_id": str(channel),
            "guild_id": str(GUILD),
        }
    if crosspost_of is not None:  # Channel Following: flag IS_CROSSPOST, reference to the source
        data["flags"] = 1 << 1
        data["message_reference"] = {
            "type": 0,
            "message_id": str(crosspost_of),
            "channel_id": "600000000000000001",
            "guild_id": "600000000000000000",
        }
    return data


def preview_update(data: dict[str, Any], url: str = "https://example.com/chart") -> dict[str, Any]:
    """The MESSAGE_UPDATE Discord sends when it unfurls a link: a new embed, no edit time."""
    return data | {"embeds": [*data["embeds"], {"type": "link", "url": url, "title": "SPY chart"}]}


@dataclass
class Channel:
    """Discord's side of the channels the bot reads and writes: history served, posts recorded."""

    logs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    posted: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    fail_posts: bool = False

    def log(self, data: dict[str, Any]) -> dict[str, Any]:
        self.logs.setdefault(int(data["channel_id"]), []).append(data)
        return data

    async def logs_from(
        self,
        channel_id: int,
        limit: int,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[dict[str, Any]]:
        ordered = sorted(self.logs.get(int(channel_id), []), key=lambda m: int(m["id"]))
        if after is not None:
            ordered = [m for m in ordered if int(m["id"]) > int(after)][:limit]
        else:
            if before is not None:
                ordered = [m for m in ordered if int(m["id"]) < int(before)]
            ordered = ordered[-limit:]
        return list(reversed(ordered))

    async def send_message(self, channel_id: int, *, params: Any) -> dict[str, Any]:
        if self.fail_posts:
            raise discord.HTTPException(_Response(503), "service unavailable")
        payload = params.payload
        self.posted.append((int(channel_id), payload))
        now = datetime.now(UTC)
        return message(
            snowflake(now), payload.get("content", ""), channel=int(channel_id), author=BOT, name="bot"
        )

    def texts(self, channel_id: int) -> list[str]:
        return [p.get("content", "") for c, p in self.posted if c == channel_id]


class _Response:
    """The bits of an aiohttp response ``discord.HTTPException`` reads."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "error"


def thread(thread_id: int, name: str, *, parent: int = ALERTS, owner: int = ANALYST) -> dict[str, Any]:
    """A THREAD_CREATE payload: a public thread (type 11) of ``parent``. A thread started from a
    message has that message's id."""
    return {
        "id": str(thread_id),
        "guild_id": str(GUILD),
        "parent_id": str(parent),
        "owner_id": str(owner),
        "name": name,
        "type": 11,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-03-02T15:00:00+00:00",
            "locked": False,
        },
        "newly_created": True,
    }


def forward(
    message_id: int,
    *,
    content: str,
    embeds: tuple[dict[str, Any], ...] = (),
    original: tuple[int, int, int] = (600000000000000000, 600000000000000001, 600000000000000002),
    author: int = ANALYST,
) -> dict[str, Any]:
    """A forwarded message: empty itself, a reference of type 1 (FORWARD) to the original, and the
    original's content in ``message_snapshots`` (a partial message, no author), as Discord documents."""
    data = message(message_id, "", author=author)
    guild_id, channel_id, original_id = original
    data["message_reference"] = {
        "type": 1,
        "message_id": str(original_id),
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
    }
    data["message_snapshots"] = [
        {
            "message": {
                "type": 0,
                "content": content,
                "embeds": list(embeds),
                "attachments": [],
                "timestamp": discord.utils.snowflake_time(original_id).isoformat(),
                "edited_timestamp": None,
                "flags": 0,
                "mentions": [],
                "mention_roles": [],
            }
        }
    ]
    return data


def rich_preview(url: str, description: str, *, typed: bool = True) -> dict[str, Any]:
    """The embed Discord attaches when it unfurls a link (x.com's are typed ``rich``)."""
    out: dict[str, Any] = {"url": url, "description": description, "title": "someone on X", "fields": []}
    if typed:
        out["type"] = "rich"
    return out
