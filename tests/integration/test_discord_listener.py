"""The Discord listener with real discord.py objects built from gateway payloads, no network.

Each test runs a real orchestrator (journal on disk, paper simulator) behind the client, and asserts
what a trader would see: the decision, the order, the journal rows, the notices in their channel.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import discord
from tests.discordkit import listener_settings, listening
from tests.fakes.discord_payloads import (
    ALERTS,
    ANALYST,
    LOUNGE,
    NOTIFY,
    STRANGER,
    WEBHOOK,
    embed,
    message,
    preview_update,
)

ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"


def test_the_client_asks_for_the_message_content_intent(tmp_path: Path) -> None:
    from orchestrator.app import Orchestrator
    from orchestrator.sources import allowlists
    from orchestrator.sources.discord.client import AlertClient

    settings = listener_settings()
    orchestrator = Orchestrator.open(
        settings, command="run", journal_path=tmp_path / "j.db", allow=allowlists(settings)
    )
    try:
        assert AlertClient(orchestrator).intents.message_content
    finally:
        orchestrator.close()


async def test_an_alert_from_the_followed_analyst_is_traded_and_journaled_with_its_ids(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post(ALERT)
        await desk.settle()
        assert desk.decision(alert)["verdict"] == "approved"
        [row] = desk.rows("SELECT * FROM messages WHERE id = ?", str(alert))
        assert (row["channel_id"], row["author_id"], row["source"]) == (str(ALERTS), str(ANALYST), "discord")
        assert row["text"] == ALERT
        [order] = desk.rows("SELECT * FROM orders WHERE message_id = ? AND role = 'entry'", str(alert))
        assert (order["action"], order["quantity"], order["price"]) == ("buy", 1, "1.25")


async def test_a_reply_names_the_alert_it_answers_and_trims_that_position(tmp_path: Path) -> None:
    async with listening(tmp_path, settings=listener_settings(DEFAULT_CONTRACTS="2")) as desk:
        alert = desk.post(ALERT)
        trim = desk.post("trim half here", reply_to=alert)
        await desk.settle()
        [row] = desk.rows("SELECT reply_to FROM messages WHERE id = ?", str(trim))
        assert row["reply_to"] == str(alert)
        decision = desk.decision(trim)
        assert (decision["kind"], decision["verdict"], decision["position"]) == (
            "trim",
            "approved",
            str(alert),
        )
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 1


async def test_a_real_edit_is_compared_and_a_preview_or_unchanged_update_is_not_an_edit(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post(ALERT)
        await desk.settle()
        original = message(alert, ALERT)
        desk.dispatch("MESSAGE_UPDATE", preview_update(original))  # Discord unfurled a link
        edited_at = desk.clock.now + timedelta(seconds=20)
        desk.dispatch("MESSAGE_UPDATE", message(alert, ALERT, edited_at=edited_at))  # saved unchanged
        await desk.settle()
        assert desk.rows("SELECT * FROM message_edits") == []
        desk.dispatch("MESSAGE_UPDATE", message(alert, ALERT.replace("1.25", "1.30"), edited_at=edited_at))
        await desk.settle()
        [edit] = desk.rows("SELECT * FROM message_edits")
        assert edit["message_id"] == str(alert) and edit["comparison"] == "edit_changed"
        assert "price: 1.25 -> 1.3" in edit["detail"]
        assert len(desk.rows("SELECT * FROM orders WHERE role = 'entry'")) == 1  # never executed blindly
        assert any("edit_changed" in text for text in await desk.notices())


async def test_a_delete_is_journaled_through_the_raw_event(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = await desk.settled_post(ALERT)
        desk.delete(alert)
        await desk.settle()
        [row] = desk.rows("SELECT * FROM message_deletes")
        assert row["message_id"] == str(alert)


async def test_an_embed_alert_is_read_from_its_title_description_and_fields(tmp_path: Path) -> None:
    card = embed(
        title="NEW TRADE",
        description="BTO SPY 3/20 580C",
        fields=(("Entry", "1.25"), ("Stop", "0.90"), ("Target", "1.80")),
    )
    async with listening(tmp_path) as desk:  # only bots and webhooks can post embeds of their own
        alert = desk.post("", embeds=(card,), author=WEBHOOK, name="Provider", webhook_id=WEBHOOK)
        await desk.settle()
        [row] = desk.rows("SELECT text FROM messages WHERE id = ?", str(alert))
        assert row["text"] == "NEW TRADE\nBTO SPY 3/20 580C\nEntry: 1.25\nStop: 0.90\nTarget: 1.80"
        decision = desk.decision(alert)
        assert (decision["kind"], decision["verdict"]) == ("open", "approved")
        assert '"stop_price":"0.90"' in decision["plan"]


async def test_only_allow_listed_channels_and_authors_trade_everything_else_is_journaled_ignored(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        stranger = desk.post(ALERT, author=STRANGER, name="analyst")  # same display name, other id
        lounge = desk.post(ALERT, channel=LOUNGE)
        await desk.settle()
        assert desk.decision(stranger)["reasons"] == '["author_not_allowed"]'
        assert desk.decision(lounge)["reasons"] == '["channel_not_allowed"]'
        assert desk.rows("SELECT * FROM orders") == []


async def test_a_followed_announcement_channel_arrives_as_a_webhook_and_trades_by_webhook_id(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        crosspost = desk.post(
            ALERT, author=WEBHOOK, name="Provider #alerts", webhook_id=WEBHOOK, crosspost_of=42
        )
        await desk.settle()
        [row] = desk.rows("SELECT author_id, reply_to FROM messages WHERE id = ?", str(crosspost))
        assert row == {"author_id": str(WEBHOOK), "reply_to": None}  # the source reference is not a reply
        assert desk.decision(crosspost)["verdict"] == "approved"


async def test_another_webhook_is_not_allow_listed(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        other = desk.post(ALERT, author=123, name="Provider #alerts", webhook_id=123)
        await desk.settle()
        assert desk.decision(other)["reasons"] == '["author_not_allowed"]'


async def test_the_bots_own_posts_are_never_read(tmp_path: Path) -> None:
    from tests.fakes.discord_payloads import BOT

    async with listening(tmp_path) as desk:
        desk.post(ALERT, author=BOT, name="autoscalper", channel=NOTIFY)
        await desk.settle()
        assert desk.rows("SELECT * FROM messages") == []


async def test_a_blank_message_warns_that_the_content_intent_may_be_off(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.post("")
        desk.post("")
        await desk.settle()
        warnings = desk.rows("SELECT * FROM notices WHERE kind = 'discord_blank_message'")
        assert len(warnings) == 1 and "Message Content intent" in warnings[0]["detail"]


async def test_a_message_that_breaks_a_handler_is_reported_and_the_next_one_still_trades(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        real = desk.orchestrator.on_message

        async def broken_once(msg):  # type: ignore[no-untyped-def]
            desk.orchestrator.on_message = real  # type: ignore[method-assign]
            raise RuntimeError("boom")

        desk.orchestrator.on_message = broken_once  # type: ignore[method-assign]
        desk.post("first")
        second = desk.post(ALERT)
        await desk.settle()
        assert desk.decision(second)["verdict"] == "approved"
        [error] = desk.rows("SELECT detail FROM notices WHERE kind = 'listener_error'")
        assert "RuntimeError: boom" in error["detail"]


async def test_alerts_are_decided_in_the_order_they_arrived(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post(ALERT)
        out = desk.post("out of SPY", reply_to=alert)
        await desk.settle()
        decisions = desk.rows("SELECT message_id, verdict FROM decisions ORDER BY id")
        assert decisions == [
            {"message_id": str(alert), "verdict": "approved"},
            {"message_id": str(out), "verdict": "approved"},
        ]
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 0


# ---------------------------------------------------------------- backfill


async def test_first_start_follows_from_the_newest_message_without_replaying_the_past(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.discord.log(message(_at(desk, -60), ALERT))
        newest = desk.discord.log(message(_at(desk, -2), "BTO QQQ 3/20 500C @ 2.00 SL 1.50"))
        await desk.client.on_ready()
        await desk.settle()
        assert desk.rows("SELECT * FROM messages") == []
        assert desk.orchestrator.journal.watermark(f"discord:{ALERTS}") == newest["id"]


async def test_after_a_gap_the_history_is_backfilled_oldest_first_and_stale_alerts_are_missed(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        seen = desk.post("morning all", age=1200)
        await desk.settle()
        # The bot is away: Discord keeps posting to the channel, the gateway delivers nothing.
        stale = desk.discord.log(message(_at(desk, -600), ALERT))
        kill = desk.discord.log(message(_at(desk, -300), "!kill", author=STRANGER))
        fresh = desk.discord.log(message(_at(desk, -5), "BTO QQQ 3/20 500C @ 2.00 SL 1.50"))
        late_trim = desk.discord.log(message(_at(desk, -3), "trim half", reply_to=int(stale["id"])))
        await desk.client.on_ready()
        await desk.settle()
        assert desk.decision(stale["id"])["reasons"] == '["missed"]'
        assert "not traded" in desk.decision(stale["id"])["sentence"]
        assert desk.decision(fresh["id"])["verdict"] == "approved"
        assert desk.decision(late_trim["id"])["verdict"] == "denied"  # its alert was never traded
        assert desk.rows("SELECT id FROM messages WHERE id = ?", kill["id"]) == []  # commands not replayed
        assert desk.rows("SELECT id FROM control_requests") == []
        [source] = desk.rows("SELECT DISTINCT source FROM messages WHERE id != ?", str(seen))
        assert source == {"source": "backfill"}
        orders = desk.rows("SELECT DISTINCT message_id FROM orders")
        assert orders == [{"message_id": fresh["id"]}]
        assert desk.orchestrator.journal.watermark(f"discord:{ALERTS}") == late_trim["id"]
        assert any("MISSED" in text or "missed" in text for text in await desk.notices())
        # A second READY (a failed resume) finds nothing new: nothing is decided twice.
        await desk.client.on_ready()
        await desk.settle()
        assert len(desk.rows("SELECT * FROM decisions")) == 4


async def test_backfill_pages_through_a_long_gap(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.post("morning all", age=1200)
        await desk.settle()
        gap = [desk.discord.log(message(_at(desk, -900 + i), f"chatter {i}")) for i in range(250)]
        await desk.client.on_ready()
        await desk.settle()
        handled = desk.rows("SELECT id FROM messages WHERE source = 'backfill' ORDER BY rowid")
        assert [r["id"] for r in handled] == [m["id"] for m in gap]  # all of them, oldest first


async def test_a_backfill_without_history_permission_is_reported_not_retried(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.post("morning all")
        await desk.settle()

        async def forbidden(*args, **kwargs):  # type: ignore[no-untyped-def]
            from tests.fakes.discord_payloads import _Response

            raise discord.Forbidden(_Response(403), "Missing Access")  # type: ignore[arg-type]

        desk.client.http.logs_from = forbidden  # type: ignore[method-assign]
        await desk.client.on_ready()
        await desk.settle()
        [row] = desk.rows("SELECT detail FROM notices WHERE kind = 'backfill_failed'")
        assert "cannot read its history" in row["detail"]


def _at(desk, seconds: float) -> int:  # type: ignore[no-untyped-def]
    from tests.fakes.discord_payloads import snowflake

    return snowflake(desk.clock.now + timedelta(seconds=seconds))


async def test_a_journal_that_cannot_be_written_stops_the_listener_instead_of_trading_on(
    tmp_path: Path,
) -> None:
    from orchestrator.journal import JournalError

    async with listening(tmp_path) as desk:

        async def unwritable(msg):  # type: ignore[no-untyped-def]
            raise JournalError("journal j.db: cannot write messages: disk I/O error")

        desk.orchestrator.on_message = unwritable  # type: ignore[method-assign]
        desk.post(ALERT)
        await desk.settle()
        for _ in range(50):
            if desk.client.is_closed():
                break
            await asyncio.sleep(0.01)
        assert desk.client.is_closed()
        assert isinstance(desk.client.fatal, JournalError)
        assert desk.rows("SELECT * FROM orders") == []
