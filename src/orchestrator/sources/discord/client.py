"""The Discord client: gateway events in, the orchestrator's inputs out, one at a time, in order.

discord.py runs every event handler as its own task. Handlers here only queue a job (with the time
it arrived); one worker hands jobs to the orchestrator in arrival order, so two alerts posted in the
same second are decided one after the other, exactly as a replay would. Control commands skip the
queue: a ``!kill`` must not wait behind a message. Nothing a message does can stop the worker: an
error is journaled and notified, and the next message is read; only a journal that cannot be written
stops the bot, because trading must not go on unjournaled.

Edits and deletes come through the raw events (the message cache is empty after a restart, and is
turned off). After every READY, a fresh login or a restart, each followed channel is backfilled from
its history after the journal's watermark, oldest first, through the same handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from executor import Notice

from ...app import Orchestrator
from ...journal import JournalError
from ...messages import BACKFILL, LIVE, PART_MARK, Delete, Message
from ...views.notify import Notifier, notice_line, outcome_line
from .commands import ChatCommand, carry_out, read_command
from .convert import (
    forward_origin,
    is_content_edit,
    jump_url,
    looks_blank,
    parent_channel,
    to_edit,
    to_message,
)

log = logging.getLogger("autoscalper.discord")
BACKFILL_LIMIT = 1000  # messages per channel per READY: ten history pages
APPROVE_EMOJI = "\u2705"  # ✅: approves an alert a confirm profile holds


class _NoVoiceWarning(logging.Filter):
    """discord.py warns at every start that voice libraries are missing; a text bot needs none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceWarning())


@dataclass(frozen=True)
class Arrived:
    message: discord.Message
    source: str
    at: datetime


@dataclass(frozen=True)
class Edited:
    event: discord.RawMessageUpdateEvent
    at: datetime


@dataclass(frozen=True)
class Deleted:
    message_id: int
    channel_id: int
    at: datetime


@dataclass(frozen=True)
class Backfill:
    at: datetime


Job = Arrived | Edited | Deleted | Backfill


class AlertClient(discord.Client):
    def __init__(
        self,
        orchestrator: Orchestrator,
        *,
        guild_ready_timeout: float = 2.0,
        backfill_limit: int = BACKFILL_LIMIT,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: without it Discord blanks every message
        intents.guild_reactions = True  # ✅ on a held alert approves it (a confirm profile)
        super().__init__(intents=intents, max_messages=None, guild_ready_timeout=guild_ready_timeout)
        settings = orchestrator.settings
        self.orchestrator, self.journal, self.clock = orchestrator, orchestrator.journal, orchestrator.clock
        self.followed = frozenset(settings.DISCORD_CHANNEL_IDS)
        self.follow_threads = settings.DISCORD_FOLLOW_THREADS
        self.authors = frozenset(map(str, settings.DISCORD_AUTHOR_IDS))
        self.controllers = frozenset(map(str, settings.DISCORD_CONTROL_USER_IDS))
        self.notify_channel = settings.DISCORD_NOTIFY_CHANNEL_ID
        self.backfill_limit = backfill_limit
        self.inbox: asyncio.Queue[Job] = asyncio.Queue()
        self.ready_once = asyncio.Event()
        self.fatal: JournalError | None = None
        self.notifier = Notifier(
            self._post, banner=f"[autoscalper {settings.mode}]", on_failure=self._notify_failed
        )
        self._held: list[str] | None = None  # notices raised while a message is decided
        self._connected = False
        self._notifying = False
        self._warned_blank = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        """Start the worker (and the notifier); discord.py calls this once, at login."""
        self._spawn(self._work(), "autoscalper inbox")
        if self.notify_channel is not None:
            self._spawn(self.notifier.run(), "autoscalper notifier")
            self._notifying = True

    def notify(self, line: str) -> None:
        if self.notify_channel is not None:
            self.notifier.push(line)

    # ------------------------------------------------------------------ gateway events

    async def on_message(self, message: discord.Message) -> None:
        if self._own(message):
            return  # our own notices and replies
        command = read_command(message.content)
        if command is not None:
            await self._command(message, command)
            return
        self.inbox.put_nowait(Arrived(message, LIVE, self.clock()))

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        """✅ on an alert a confirm profile holds approves it, as ``!approve <id>`` would (control
        users only). Any other reaction, or on any other message, is nobody's business."""
        signal_id = str(event.message_id)
        if str(event.emoji) != APPROVE_EMOJI or not self.orchestrator.confirmations.holds(signal_id):
            return
        command = ChatCommand("approve", signal_id)
        try:
            answer = await carry_out(
                self.orchestrator.controls, command, str(event.user_id), self.controllers
            )
        except JournalError as exc:
            await self._stop(exc)
            return
        self.notify(f"✅ from {event.user_id}: {' '.join(answer)}")

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        if self._follows(event.channel_id):
            self.inbox.put_nowait(Edited(event, self.clock()))

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        if self._follows(event.channel_id):
            self.inbox.put_nowait(Deleted(event.message_id, event.channel_id, self.clock()))

    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        if self._follows(event.channel_id):
            for message_id in sorted(event.message_ids):
                self.inbox.put_nowait(Deleted(message_id, event.channel_id, self.clock()))

    async def on_ready(self) -> None:
        """A new gateway session: whatever was posted since the watermark has not been seen."""
        self._connected = True
        user = self.user
        self._record("discord_ready", f"logged in as {user} ({user.id if user else '?'}); backfilling")
        for channel_id in sorted(self.followed):
            if self.get_channel(channel_id) is None:
                self._warn(
                    "discord_channel_unseen",
                    f"followed channel {channel_id} is not visible to the bot: add the bot to that "
                    "server, with View Channel and Read Message History",
                )
        self.inbox.put_nowait(Backfill(self.clock()))
        self.ready_once.set()

    async def on_resumed(self) -> None:
        self._connected = True
        self._record("discord_resumed", "session resumed: Discord re-sent the events of the gap")

    async def on_disconnect(self) -> None:
        if self._connected:  # discord.py repeats this on every failed reconnect attempt
            self._connected = False
            self._warn("discord_disconnected", "Discord connection lost; reconnecting (a gap is backfilled)")

    # ------------------------------------------------------------------ control commands

    async def _command(self, message: discord.Message, command: ChatCommand) -> None:
        try:
            answer = await carry_out(
                self.orchestrator.controls, command, str(message.author.id), self.controllers
            )
        except JournalError as exc:
            await self._stop(exc)
            return
        except Exception as exc:
            log.exception("control command %s failed", command.name)
            answer = [f"!{command.name} failed: {type(exc).__name__}: {exc}"]
        try:
            await message.reply("\n".join(answer)[:1990], mention_author=False)
        except discord.HTTPException as exc:
            self._notify_failed(f"reply to !{command.name}: {exc}")

    # ------------------------------------------------------------------ the worker

    async def _work(self) -> None:
        while True:
            job = await self.inbox.get()
            try:
                await self._handle(job)
            except JournalError as exc:
                await self._stop(exc)
            except Exception as exc:
                log.exception("listener failed on %r", job)
                self._warn("listener_error", f"{type(job).__name__}: {type(exc).__name__}: {exc}")
            finally:
                self.inbox.task_done()

    async def _handle(self, job: Job) -> None:
        if isinstance(job, Arrived):
            await self._arrived(job)
        elif isinstance(job, Edited):
            await self._edited(job)
        elif isinstance(job, Deleted):
            outcome = self.orchestrator.on_delete(Delete(id=str(job.message_id), at=job.at))
            if self._by_a_followed_author(str(job.message_id)):  # a stranger's delete: journaled only
                self._tell(outcome_line(outcome, self.where))
        else:
            for channel_id in sorted(self.followed):
                await self._backfill(channel_id, job.at)

    async def _arrived(self, job: Arrived) -> None:
        message = job.message
        followed = self._follows(message.channel.id)
        if followed and looks_blank(message) and not self._warned_blank:
            self._warned_blank = True
            self._warn(
                "discord_blank_message",
                f"message {message.id} arrived with no content: is the Message Content intent "
                "enabled for this bot (Developer Portal, Bot tab)?",
            )
        origin = forward_origin(message)
        if origin is not None:
            self._record("discord_forward", f"message {message.id} forwards {origin}")
        self._held = []
        try:
            outcome = await self.orchestrator.on_message(
                self._thread_aware(to_message(message, job.at, source=job.source))
            )
        finally:
            held, self._held = self._held, None
        for line in [outcome_line(outcome, self.where), *held]:  # the decision, then the fills it caused
            self._tell(line)

    def _thread_aware(self, message: Message) -> Message:
        """A thread message answers the thread's starter only when that starter is a message we
        received (a thread opened on its own answers nothing; the author's position rules apply).
        With DISCORD_FOLLOW_THREADS off, a thread is a channel of its own, not followed."""
        if message.parent_channel_id and not self.follow_threads:
            starter = message.reply_to == message.channel_id
            return message.model_copy(
                update={"parent_channel_id": None, "reply_to": None if starter else message.reply_to}
            )
        starter_id = message.reply_to
        if not message.parent_channel_id or starter_id is None or starter_id != message.channel_id:
            return message
        if self.journal.has_message(starter_id):
            return message
        return message.model_copy(update={"reply_to": None})

    async def _edited(self, job: Edited) -> None:
        if not is_content_edit(job.event):
            return  # a link preview, a pin or a suppressed embed: the author edited nothing
        edit = to_edit(job.event, job.at)
        if edit.text == self.journal.latest_text(edit.id):
            return
        outcome = await self.orchestrator.on_edit(edit)
        if self._by_a_followed_author(edit.id):  # a stranger's edit: journaled, never notified
            self._tell(outcome_line(outcome, self.where))

    def _by_a_followed_author(self, message_id: str) -> bool:
        """Edits and deletes are judged by the original message's author, as the journal has it."""
        author = self.journal.author_of(message_id)
        return author is not None and (not self.authors or author in self.authors)

    def _follows(self, channel_id: int) -> bool:
        """A followed channel, or (DISCORD_FOLLOW_THREADS) a thread of one."""
        if channel_id in self.followed:
            return True
        parent = parent_channel(self.get_channel(channel_id)) if self.follow_threads else None
        return parent is not None and parent in self.followed

    def where(self, signal_id: str) -> str:
        """`` · SPY · https://discord.com/channels/...``: the instrument and a link to the message."""
        message_id = signal_id.split(PART_MARK)[0]
        channel_id = self.journal.channel_of(message_id)
        instrument = self.journal.instrument_of(signal_id)
        channel = self.get_channel(int(channel_id)) if channel_id and str(channel_id).isdigit() else None
        guild = getattr(channel, "guild", None)
        link = jump_url(guild.id if guild is not None else None, channel_id, message_id)
        return "".join(f" · {part}" for part in (instrument, link) if part)

    # ------------------------------------------------------------------ backfill

    async def _backfill(self, channel_id: int, at: datetime) -> None:
        source = f"discord:{channel_id}"
        mark = self._watermark(channel_id)
        try:
            channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {channel_id} does not hold messages")
            if mark is None:
                await self._first_watermark(channel, channel_id, source, at)
                return
            history = channel.history(
                after=discord.Object(int(mark)), limit=self.backfill_limit, oldest_first=False
            )
            fetched = [message async for message in history]
        except (discord.HTTPException, TypeError) as exc:
            self._warn("backfill_failed", f"channel {channel_id}: cannot read its history ({exc})")
            return
        fetched.reverse()
        handled = 0
        for message in fetched:
            skip = self._own(message) or read_command(message.content) is not None
            if skip or self.orchestrator.pipeline.decided(str(message.id)):
                continue  # a command in the history is never carried out again
            await self._arrived(Arrived(message, BACKFILL, self.clock()))
            handled += 1
        if fetched:
            self.journal.set_watermark(source, str(fetched[-1].id), self.clock())
        more = len(fetched) == self.backfill_limit
        self._record(
            "discord_backfill",
            f"channel {channel_id}: {handled} message(s) after {mark} handled"
            + (f"; only the newest {self.backfill_limit} were fetched" if more else ""),
        )

    async def _first_watermark(
        self, channel: discord.abc.Messageable, channel_id: int, source: str, at: datetime
    ) -> None:
        """First start in a channel: follow from its newest message; its past is not replayed."""
        newest = [message async for message in channel.history(limit=1)]
        position = newest[0].id if newest else discord.utils.time_snowflake(at)
        self.journal.set_watermark(source, str(position), at)
        self._record("discord_backfill", f"channel {channel_id}: first start, following from {position}")

    def _own(self, message: discord.Message) -> bool:
        return self.user is not None and message.author.id == self.user.id

    def _watermark(self, channel_id: int) -> int | None:
        """The last message of the channel known to be handled: the watermark the last backfill (or
        first start) wrote, or a later message decided since, whichever is newer. Deriving the second
        from the decisions costs nothing per message, and a decision is the durable proof."""
        stored = self.journal.watermark(f"discord:{channel_id}")
        decided = self.journal.newest_decided(str(channel_id), (LIVE, BACKFILL))
        marks = [int(mark) for mark in (stored, decided) if mark is not None]
        return max(marks) if marks else None

    # ------------------------------------------------------------------ notices

    def show_notice(self, notice: Notice) -> None:
        """An executor notice (the source subscribes it): told at once, or after the decision
        that caused it."""
        if self.notify_channel is None:
            return  # called on every broker event: no formatting for nobody
        line = notice_line(notice, self.orchestrator.executor.book, self.where)
        if line is not None and self._held is not None:
            self._held.append(line)
        else:
            self._tell(line)

    def _tell(self, line: str | None) -> None:
        if line is not None:
            self.notify(line)

    def _record(self, kind: str, detail: str) -> None:
        log.info("%s: %s", kind, detail)
        self.journal.record_notice(kind, self.clock(), detail)

    def _warn(self, kind: str, detail: str) -> None:
        log.warning("%s: %s", kind, detail)
        self.journal.record_notice(kind, self.clock(), detail)
        self.notify(detail)

    def _notify_failed(self, problem: str) -> None:
        log.warning("notification not sent: %s", problem)
        with contextlib.suppress(JournalError):  # the worker reports a broken journal
            self.journal.record_notice("notify_failed", self.clock(), problem)

    async def _post(self, text: str) -> None:
        assert self.notify_channel is not None
        channel = self.get_channel(self.notify_channel) or await self.fetch_channel(self.notify_channel)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"DISCORD_NOTIFY_CHANNEL_ID {self.notify_channel} is not a text channel")
        await channel.send(text, allowed_mentions=discord.AllowedMentions.none())

    async def _stop(self, exc: JournalError) -> None:
        await self.stop_on(exc)

    async def stop_on(self, exc: JournalError) -> None:
        """The journal failed (unwritable, deleted, replaced): tell the trader, stop deciding, close.
        Working orders and their stops stay at the broker."""
        log.error("journal failure, stopping: %s", exc)
        self.fatal = exc
        self._tell(f"BOT STOPPED: {exc}")
        asyncio.get_running_loop().call_soon(self._spawn_close)

    def _spawn_close(self) -> None:
        asyncio.create_task(self.close(), name="autoscalper close")  # noqa: RUF006  ends the run

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Give queued notices a moment to go out, then stop the worker and the gateway."""
        if self._notifying and not self.is_closed():
            await self.notifier.flush(wait=3.0)
        for task in list(self._tasks):
            task.cancel()
        await super().close()
