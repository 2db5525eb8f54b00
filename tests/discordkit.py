"""A Discord listener wired to a real orchestrator (journal on disk, paper broker), fed gateway payloads.

Payloads go through discord.py's own parser table (``client._connection.parsers``), the mapping the
gateway dispatches through, so handlers receive real ``Message`` and raw event objects. Nothing touches
the network: REST calls the listener makes (history, posts) are served by ``fakes.discord_payloads``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from orchestrator.app import Orchestrator
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from orchestrator.sources.discord.client import AlertClient
from tests import audit
from tests.builders import MONDAY
from tests.fakes.discord_payloads import (
    ALERTS,
    ANALYST,
    BOT,
    GUILD,
    NOTIFY,
    TRADER,
    WEBHOOK,
    Channel,
    guild,
    message,
    snowflake,
    user,
)
from tests.fakes.paper import FaultyPaperBroker
from tests.trading import SimClock

SETTINGS = {
    "DISCORD_TOKEN": "test-token",
    "DISCORD_CHANNEL_IDS": str(ALERTS),
    "DISCORD_AUTHOR_IDS": f"{ANALYST},{WEBHOOK}",
    "DISCORD_CONTROL_USER_IDS": str(TRADER),
    "DISCORD_NOTIFY_CHANNEL_ID": str(NOTIFY),
}


def listener_settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **(SETTINGS | overrides))  # type: ignore[call-arg]


@dataclass
class Desk:
    client: AlertClient
    orchestrator: Orchestrator
    discord: Channel
    clock: SimClock

    def post(self, content: str, *, age: float = 0.0, log: bool = True, **kwargs: Any) -> int:
        """The analyst (or ``author=``) posts ``content`` ``age`` seconds ago; the gateway delivers it."""
        from datetime import timedelta

        message_id = snowflake(self.clock.now - timedelta(seconds=age))
        data = message(message_id, content, **kwargs)
        if log:
            self.discord.log(data)
        self.dispatch("MESSAGE_CREATE", data)
        return message_id

    async def settled_post(self, content: str, **kwargs: Any) -> int:
        """``post``, then wait until the bot has handled it."""
        message_id = self.post(content, **kwargs)
        await self.settle()
        return message_id

    def delete(self, message_id: int, channel: int = ALERTS) -> None:
        """The author deletes a message: Discord's MESSAGE_DELETE."""
        self.dispatch(
            "MESSAGE_DELETE", {"id": str(message_id), "channel_id": str(channel), "guild_id": str(GUILD)}
        )

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.client._connection.parsers[event](data)

    async def settle(self) -> None:
        """Wait until discord.py's handler tasks and the listener's inbox are all done."""
        for _ in range(5):
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me and t.get_name().startswith("discord.py:")]
            if tasks:
                await asyncio.gather(*tasks)
            await self.client.inbox.join()
            if not any(t.get_name().startswith("discord.py:") for t in asyncio.all_tasks() if t is not me):
                break

    async def notices(self, wait: float = 2.0) -> list[str]:
        """What the bot posted to the notice channel, once the notifier has sent its backlog."""
        await self.client.notifier.flush(wait)
        return self.discord.texts(NOTIFY)

    def decision(self, message_id: int | str) -> dict[str, Any]:
        rows = audit.rows(
            self.orchestrator.journal,
            "SELECT * FROM decisions WHERE message_id = ? ORDER BY id DESC",
            str(message_id),
        )
        assert rows, f"no decision for {message_id}"
        return rows[0]

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return audit.rows(self.orchestrator.journal, sql, *params)


@asynccontextmanager
async def listening(
    tmp_path: Path, *, settings: Settings | None = None, **client: Any
) -> AsyncIterator[Desk]:
    """A started orchestrator and a logged-in-looking client in the trader's server."""
    clock = SimClock(MONDAY)
    settings = settings or listener_settings()
    orchestrator = Orchestrator.open(
        settings, command="run", clock=clock, journal_path=tmp_path / "journal.db",
        broker=FaultyPaperBroker(clock), allow=allowlists(settings),
    )  # fmt: skip
    await orchestrator.start()
    server = Channel()
    bot = AlertClient(orchestrator, guild_ready_timeout=0.05, **client)
    orchestrator.executor.subscribe(bot.show_notice)  # as the Discord source does in ``listen``
    async with bot:
        state = bot._connection
        state.user = discord.ClientUser(state=state, data=user(BOT, "autoscalper", bot=True))  # type: ignore[arg-type]
        state._add_guild_from_data(guild())  # type: ignore[arg-type]
        bot.http.logs_from = server.logs_from  # type: ignore[method-assign]
        bot.http.send_message = server.send_message  # type: ignore[method-assign]
        await bot.setup_hook()
        desk = Desk(bot, orchestrator, server, clock)
        try:
            yield desk
        finally:
            await bot.close()
            await orchestrator.shutdown()
