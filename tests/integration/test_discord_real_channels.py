"""What real channels send: link previews, forwards, threads, strangers' edits, late deliveries.

The real discord.py client is driven with gateway payloads shaped as Discord documents them
(``tests/fakes/discord_payloads.py``): a rich link preview on a human's message, a forward with
``message_snapshots``, a thread (THREAD_CREATE) and its messages, a stranger's MESSAGE_UPDATE.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from tests.discordkit import listener_settings, listening
from tests.fakes.discord_payloads import (
    ALERTS,
    GUILD,
    STRANGER,
    WEBHOOK,
    embed,
    forward,
    message,
    rich_preview,
    snowflake,
    thread,
)

from orchestrator.views.notify import Notifier

ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"
PREVIEWED = "BTO QQQ 3/20 500C @ 2.00 SL 1.60"


def link(message_id: int, channel: int = ALERTS) -> str:
    return f"https://discord.com/channels/{GUILD}/{channel}/{message_id}"


# -- 1. link previews ------------------------------------------------------------------------------------


async def test_a_rich_link_preview_on_a_humans_message_is_never_read(tmp_path: Path) -> None:
    url = "https://x.com/someone/status/1"
    async with listening(tmp_path) as desk:
        posted = desk.post(f"lol look at this guy {url}", embeds=(rich_preview(url, PREVIEWED),))
        await desk.settle()
        [row] = desk.rows("SELECT text FROM messages WHERE id = ?", str(posted))
        assert row["text"] == f"lol look at this guy {url}"
        assert desk.decision(posted)["verdict"] == "ignored"
        assert desk.orchestrator.executor.book.orders == {}


async def test_a_backfilled_message_with_a_preview_is_not_read_either(tmp_path: Path) -> None:
    url = "https://x.com/someone/status/2"
    async with listening(tmp_path) as desk:
        desk.post("morning all", age=60)  # seen live: the watermark
        await desk.settle()
        at = desk.clock.now - timedelta(seconds=5)
        data = message(snowflake(at), f"wow {url}", embeds=(rich_preview(url, PREVIEWED),))
        desk.discord.log(data)  # posted while the bot was away: only the history has it
        await desk.client.on_ready()
        await desk.settle()
        [row] = desk.rows("SELECT source FROM messages WHERE id = ?", data["id"])
        assert row["source"] == "backfill" and desk.decision(data["id"])["verdict"] == "ignored"


async def test_a_webhooks_embed_without_a_type_is_read_as_rich_but_not_its_own_links_preview(
    tmp_path: Path,
) -> None:
    untyped = embed(title="NEW TRADE", description=ALERT)
    del untyped["type"]
    async with listening(tmp_path) as desk:
        alert = desk.post("", embeds=(untyped,), author=WEBHOOK, name="Provider", webhook_id=WEBHOOK)
        url = "https://example.com/chart"
        chart = desk.post(
            f"chart {url}", embeds=(rich_preview(url, PREVIEWED),), author=WEBHOOK, webhook_id=WEBHOOK
        )
        await desk.settle()
        assert desk.decision(alert)["verdict"] == "approved"
        assert desk.decision(chart)["verdict"] == "ignored"


# -- 2. forwards -----------------------------------------------------------------------------------------


async def test_a_forwarded_alert_is_read_from_its_snapshot_as_the_forwarders(tmp_path: Path) -> None:
    original = (600000000000000000, 600000000000000001, 600000000000000002)
    async with listening(tmp_path) as desk:
        data = forward(snowflake(desk.clock.now), content=ALERT, original=original)
        desk.discord.log(data)
        desk.dispatch("MESSAGE_CREATE", data)
        await desk.settle()
        assert desk.decision(data["id"])["verdict"] == "approved"
        [row] = desk.rows("SELECT text, author_id FROM messages WHERE id = ?", data["id"])
        assert row == {"text": ALERT, "author_id": "800000000000000001"}
        notices = desk.rows("SELECT kind, detail FROM notices WHERE kind LIKE 'discord_%'")
        assert {
            "kind": "discord_forward",
            "detail": f"message {data['id']} forwards {'/'.join(map(str, original))}",
        } in notices
        assert not any(n["kind"] == "discord_blank_message" for n in notices)


async def test_a_stranger_forwarding_an_alert_is_not_followed(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        data = forward(snowflake(desk.clock.now), content=ALERT, author=STRANGER)
        desk.dispatch("MESSAGE_CREATE", data)
        await desk.settle()
        assert desk.decision(data["id"])["reasons"] == '["author_not_allowed"]'


# -- 3. strangers' edits and deletes ---------------------------------------------------------------------


async def test_a_strangers_edit_and_delete_are_journaled_never_notified(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        posted = desk.post("BTO SPY 3/20 580C @ 1.20 SL .90", author=STRANGER, name="stranger")
        await desk.settle()
        edited = message(
            posted, "BTO SPY 3/20 580C @ 1.45 SL .90", author=STRANGER, name="stranger",
            edited_at=desk.clock.now,
        )  # fmt: skip
        desk.dispatch("MESSAGE_UPDATE", edited)
        desk.dispatch(
            "MESSAGE_DELETE", {"id": str(posted), "channel_id": str(ALERTS), "guild_id": str(GUILD)}
        )
        await desk.settle()
        assert [r["message_id"] for r in desk.rows("SELECT message_id FROM message_edits")] == [str(posted)]
        assert [r["message_id"] for r in desk.rows("SELECT message_id FROM message_deletes")] == [str(posted)]
        assert not any("edit" in text or "deleted" in text for text in await desk.notices())


# -- 4. threads ------------------------------------------------------------------------------------------


async def test_an_exit_in_the_alerts_thread_closes_that_alerts_position(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = await desk.settled_post(ALERT)  # no quote: fills on receipt
        desk.dispatch("THREAD_CREATE", thread(alert, "SPY 580C"))
        out = desk.post("all out", channel=alert)  # in the thread the alert started, replying to nothing
        await desk.settle()
        assert desk.decision(out)["verdict"] == "approved"
        [row] = desk.rows("SELECT channel_id, reply_to FROM messages WHERE id = ?", str(out))
        assert row == {"channel_id": str(alert), "reply_to": str(alert)}
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 0


async def test_a_trim_in_a_thread_of_its_own_uses_the_authors_only_position(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80")
        await desk.settle()
        talk = snowflake(desk.clock.now)
        desk.dispatch("THREAD_CREATE", thread(talk, "daily talk"))
        trim = desk.post("trim half", channel=talk)
        await desk.settle()
        assert desk.decision(trim)["verdict"] == "approved"
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 1


async def test_threads_are_not_followed_when_turned_off(tmp_path: Path) -> None:
    settings = listener_settings(DISCORD_FOLLOW_THREADS="false")
    async with listening(tmp_path, settings=settings) as desk:
        talk = snowflake(desk.clock.now)
        desk.dispatch("THREAD_CREATE", thread(talk, "daily talk"))
        posted = desk.post(ALERT, channel=talk)
        await desk.settle()
        assert desk.decision(posted)["reasons"] == '["channel_not_allowed"]'


# -- 5. the notice rate ----------------------------------------------------------------------------------


async def test_no_more_than_five_notices_go_out_in_any_window() -> None:
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def send(text: str) -> None:
        sent.append(loop.time())

    notifier = Notifier(send, banner="[t]", on_failure=print, per_window=5, window=0.4)
    runner = asyncio.create_task(notifier.run())
    for number in range(12):  # one at a time, so nothing coalesces: every line is a post
        notifier.push(f"line {number}")
        await asyncio.sleep(0.05)
    await notifier.flush(wait=5)
    runner.cancel()
    assert len(sent) >= 9
    assert all(later - earlier >= 0.4 - 1e-3 for earlier, later in zip(sent, sent[5:], strict=False))


# -- 7. a deleted alert still held ----------------------------------------------------------------------


async def test_a_deleted_alert_whose_entry_filled_is_notified(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = await desk.settled_post(ALERT)
        desk.delete(alert)
        await desk.settle()
        text = "\n".join(await desk.notices())
        assert f"alert {alert} was deleted; you still hold 1 SPY 2026-03-20 580C from it" in text


# -- 8. one rule for late messages -----------------------------------------------------------------------


async def test_a_late_exit_delivered_live_is_missed_like_a_backfilled_one(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = await desk.settled_post(ALERT)
        late = desk.post("all out", age=90, reply_to=alert)  # what a RESUME replays after a gap
        await desk.settle()
        assert desk.decision(late)["verdict"] == "ignored"
        assert "missed" in desk.decision(late)["reasons"]
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 1  # the stop protects it
        text = "\n".join(await desk.notices())
        assert f"MISSED exit alert {late}" in text


# -- 9. notices name the instrument and link to the message ---------------------------------------------


async def test_notices_carry_the_instrument_and_a_jump_link(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = await desk.settled_post(ALERT)
        lines = "\n".join(await desk.notices()).splitlines()
        decision = next(line for line in lines if line.startswith(f"{alert} approved"))
        assert decision.endswith(f" · SPY · {link(alert)}")
        fill = next(line for line in lines if line.startswith("FILLED buy 1 SPY"))
        assert fill.endswith(link(alert))
