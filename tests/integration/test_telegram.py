"""The Telegram source, offline: Telethon's own update objects, built from its TL constructors as
Telegram's servers send them, turned into events by Telethon's event builders and decided by the
bot on the paper simulator. An alert, its edit, a reply-trim, a delete, and a catch-up after a gap,
decided as on Discord."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from telethon import events
from telethon.tl import types
from tests.audit import rows, value
from tests.builders import MONDAY

CHANNEL = 1234567890  # the marked id users see is -100 and this
MARKED = -1001234567890


def posted(
    number: int, text: str, at: Any, *, reply_to: int | None = None, edited: Any = None
) -> types.Message:
    return types.Message(
        id=number, peer_id=types.PeerChannel(channel_id=CHANNEL), date=at, message=text, post=True,
        reply_to=types.MessageReplyHeader(reply_to_msg_id=reply_to) if reply_to else None, edit_date=edited,
    )  # fmt: skip


def new(message: types.Message) -> Any:
    return events.NewMessage.build(types.UpdateNewChannelMessage(message=message, pts=1, pts_count=1))


def edited(message: types.Message) -> Any:
    return events.MessageEdited.build(types.UpdateEditChannelMessage(message=message, pts=2, pts_count=1))


def deleted(*numbers: int) -> Any:
    return events.MessageDeleted.build(
        types.UpdateDeleteChannelMessages(channel_id=CHANNEL, messages=list(numbers), pts=3, pts_count=1)
    )


async def test_an_alert_its_edit_a_reply_trim_a_delete_and_a_late_catch_up(tmp_path: Path) -> None:
    from tests.trading import SimClock, paper_bot

    from orchestrator.settings import Settings
    from orchestrator.sources.telegram.serve import TelegramSource

    clock = SimClock(MONDAY)
    settings = Settings(_env_file=None, TELEGRAM_CHANNEL_IDS=str(MARKED))  # type: ignore[arg-type]
    bot = paper_bot(tmp_path / "j.db", clock, settings)
    await bot.start()
    source = TelegramSource(bot, settings, client=None, say=lambda line: None)

    async def deliver(event_handler: Any, event: Any) -> Any:
        await event_handler(event)
        return [await source.handle(source.inbox.get_nowait()) for _ in range(source.inbox.qsize())]

    try:
        [alert] = await deliver(
            source.on_new, new(posted(101, "BTO 2 SPY 3/20 580C @ 1.25 SL .90", clock.now))
        )
        assert (alert.message_id, alert.verdict, alert.execution) == (f"tg:{MARKED}:101", "approved", "sent")
        assert value(bot.journal, "SELECT channel_id FROM messages WHERE id = ?", alert.message_id) == str(
            MARKED
        )

        clock.advance(30)
        change = posted(101, "BTO 2 SPY 3/20 580C @ 1.20 SL .90", MONDAY, edited=clock.now)
        [edit] = await deliver(source.on_edit, edited(change))
        assert edit.verdict == "reported"  # compared, never executed blindly (AMEND_ON_EDIT=false)

        clock.advance(30)
        [trim] = await deliver(source.on_new, new(posted(102, "trim half here", clock.now, reply_to=101)))
        assert (trim.kind, trim.verdict, trim.execution) == ("trim", "approved", "sent")
        assert rows(bot.journal, "SELECT position FROM decisions WHERE message_id = ?", trim.message_id) == [
            {"position": f"tg:{MARKED}:101"}
        ]

        clock.advance(300)  # back after a gap: catch-up brings a post five minutes old
        late = posted(103, "BTO QQQ 3/20 500P @ 2.00 SL 1.50", clock.now - timedelta(seconds=300))
        [missed] = await deliver(source.on_new, new(late))
        assert (missed.verdict, missed.reasons) == ("ignored", ("missed",))

        [gone] = await deliver(source.on_delete, deleted(101))
        assert gone.verdict == "reported" and "still hold" in gone.detail
    finally:
        await bot.shutdown()


async def test_a_channel_not_followed_is_refused_by_id(tmp_path: Path) -> None:
    from tests.trading import SimClock, paper_bot

    from orchestrator.settings import Settings
    from orchestrator.sources.telegram.serve import TelegramSource

    clock = SimClock(MONDAY)
    settings = Settings(_env_file=None, TELEGRAM_CHANNEL_IDS="-1009999")  # type: ignore[call-arg]
    bot = paper_bot(tmp_path / "j.db", clock, settings)
    await bot.start()
    source = TelegramSource(bot, settings, client=None, say=lambda line: None)
    try:
        await source.on_new(new(posted(7, "BTO SPY 3/20 580C @ 1.25 SL .90", clock.now)))
        handled = await source.handle(source.inbox.get_nowait())
        assert (handled.verdict, handled.reasons) == ("ignored", ("channel_not_allowed",))
    finally:
        await bot.shutdown()


async def test_decisions_and_fills_are_told_in_the_notify_chat(tmp_path: Path) -> None:
    import asyncio

    from tests.trading import SimClock, paper_bot

    from orchestrator.settings import Settings
    from orchestrator.sources.telegram.serve import TelegramSource
    from orchestrator.views.notify import Notifier

    clock = SimClock(MONDAY)
    settings = Settings(_env_file=None, TELEGRAM_CHANNEL_IDS=str(MARKED), TELEGRAM_NOTIFY_CHAT_ID="42")  # type: ignore[arg-type]
    bot = paper_bot(tmp_path / "j.db", clock, settings)
    await bot.start()
    told: list[str] = []

    async def send(line: str) -> None:  # what ``client.send_message(42, line)`` would post
        told.append(line)

    source = TelegramSource(bot, settings, client=None, say=lambda line: None)
    source.notifier = Notifier(send, banner="[autoscalper paper]", on_failure=lambda why: None)
    bot.executor.subscribe(source.notice)  # as ``listen`` subscribes every source
    running = asyncio.create_task(source.notifier.run())
    try:
        await source.on_new(new(posted(201, "BTO SPY 3/20 580C @ 1.25 SL .90", clock.now)))
        await source.handle(source.inbox.get_nowait())
        await source.notifier.flush()
        text = "\n".join(told)
        assert "approved (sent): buy 1 SPY 2026-03-20 580C" in text and "FILLED buy 1 SPY" in text
    finally:
        running.cancel()
        await bot.shutdown()
