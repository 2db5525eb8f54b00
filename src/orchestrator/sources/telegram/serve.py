"""``TelegramSource``: the followed channels' messages, edits and deletes, decided one at a time.

It connects with the session file ``autoscalper telegram-login`` wrote (never interactively), asks
Telegram for what was posted while it was away (``catch_up``: the same missed rule as Discord's
backfill, ``MAX_SIGNAL_AGE_SECONDS``, decides whether those still trade), then takes Telethon's
events: a new message is decided, an edit compared (``AMEND_ON_EDIT``), a delete reported. With
``TELEGRAM_NOTIFY_CHAT_ID`` the decisions and broker notices go to that chat.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telethon import TelegramClient, events

from executor import Notice

from ...app import Orchestrator
from ...journal import JournalError
from ...messages import Delete, Edit, Message
from ...pipeline import Handled
from ...settings import Settings
from ...views.notify import Notifier, notice_line, outcome_line
from ..base import Say, SourceStartError
from .convert import to_deletes, to_edit, to_message

Job = Message | Edit | Delete


class TelegramSource:
    name = "telegram"

    def __init__(self, orchestrator: Orchestrator, settings: Settings, client: Any, say: Say) -> None:
        self.orchestrator, self.settings, self.client, self.say = orchestrator, settings, client, say
        self.inbox: asyncio.Queue[Job] = asyncio.Queue()
        self.notifier: Notifier | None = None
        self._notifying: asyncio.Task[None] | None = None

    @classmethod
    def connecting(
        cls, orchestrator: Orchestrator, settings: Settings, api_id: int, api_hash: str, say: Say
    ) -> TelegramSource:
        client = TelegramClient(str(settings.TELEGRAM_SESSION), api_id, api_hash)
        return cls(orchestrator, settings, client, say)

    async def start(self) -> None:
        try:
            await self.client.connect()
            authorized = await self.client.is_user_authorized()
        except OSError as exc:
            raise SourceStartError(f"Telegram cannot be reached: {exc}") from None
        if not authorized:
            await self.client.disconnect()
            session = self.settings.TELEGRAM_SESSION
            raise SourceStartError(
                f"Telegram: {session} is not logged in: run `autoscalper telegram-login` once"
            )
        self.listen_to(self.client)
        chat = self.settings.TELEGRAM_NOTIFY_CHAT_ID
        if chat is not None:
            self.notifier = Notifier(
                lambda line: self.client.send_message(chat, line),
                banner=f"[autoscalper {self.settings.mode}]",
                on_failure=lambda why: self.orchestrator.journal.record_notice(
                    "telegram_notice_failed", self.orchestrator.clock(), why
                ),
            )
            self._notifying = asyncio.create_task(self.notifier.run(), name="telegram notices")
        await self.client.catch_up()
        self.say(f"autoscalper listening to {len(self.settings.TELEGRAM_CHANNEL_IDS)} Telegram channel(s)")

    def listen_to(self, client: Any) -> None:
        chats = list(self.settings.TELEGRAM_CHANNEL_IDS)
        client.add_event_handler(self.on_new, events.NewMessage(chats=chats))
        client.add_event_handler(self.on_edit, events.MessageEdited(chats=chats))
        client.add_event_handler(self.on_delete, events.MessageDeleted(chats=chats))

    # -- Telethon's events: queued, decided in order by ``deliver`` ------------------------------

    async def on_new(self, event: Any) -> None:
        self.inbox.put_nowait(to_message(event.message, self.orchestrator.clock()))

    async def on_edit(self, event: Any) -> None:
        self.inbox.put_nowait(to_edit(event.message, self.orchestrator.clock()))

    async def on_delete(self, event: Any) -> None:
        for delete in to_deletes(event, self.orchestrator.clock()):
            self.inbox.put_nowait(delete)

    async def deliver(self) -> None:
        closed = asyncio.ensure_future(self.client.disconnected)
        try:
            while True:
                job = asyncio.ensure_future(self.inbox.get())
                done, _ = await asyncio.wait({job, closed}, return_when=asyncio.FIRST_COMPLETED)
                if job not in done:
                    job.cancel()
                    return  # the client closed for good (it reconnects by itself otherwise)
                await self.handle(job.result())
        finally:
            closed.cancel()

    async def handle(self, job: Job) -> Handled:
        """Decide one queued job and tell the notify chat what came of it."""
        orchestrator = self.orchestrator
        if isinstance(job, Message):
            handled = await orchestrator.on_message(job)
        elif isinstance(job, Edit):
            handled = await orchestrator.on_edit(job)
        else:
            handled = orchestrator.on_delete(job)
        line = outcome_line(handled)
        if line is not None and self.notifier is not None:
            self.notifier.push(line)
        return handled

    def notice(self, notice: Notice) -> None:
        if self.notifier is None:
            return
        line = notice_line(notice, self.orchestrator.executor.book)
        if line is not None:
            self.notifier.push(line)

    async def stop(self, because: BaseException | None = None) -> None:
        if self.notifier is not None:
            if isinstance(because, JournalError):
                self.notifier.push(f"autoscalper stopped: {because}")
            await self.notifier.flush()
        if self._notifying is not None:
            self._notifying.cancel()
        await self.client.disconnect()
