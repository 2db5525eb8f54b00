"""Control commands and notifications through the Discord listener (real discord.py objects, no network)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.discordkit import listener_settings, listening
from tests.fakes.discord_payloads import ALERTS, GUILD, LOUNGE, STRANGER, TRADER
from tests.fakes.paper import a_close

from orchestrator.views.notify import Notifier
from risk import TradingState

ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"


async def _command(desk, text: str, author: int = TRADER, channel: int = LOUNGE) -> str:  # type: ignore[no-untyped-def]
    desk.post(text, author=author, name="trader", channel=channel)
    await desk.settle()
    return desk.discord.texts(channel)[-1]


async def test_status_answers_with_what_the_cli_status_shows(tmp_path: Path) -> None:
    from orchestrator.control import status_report
    from orchestrator.views.status import lines

    async with listening(tmp_path) as desk:
        reply = await _command(desk, "!status")
        expected = lines(status_report(desk.orchestrator.journal, desk.orchestrator.settings, desk.clock()))
        assert reply.splitlines() == expected
        assert "trading   : ACTIVE" in reply


async def test_positions_lists_open_positions_and_working_orders(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.post(ALERT)
        await desk.settle()
        reply = await _command(desk, "!positions")
        assert "position  : 1 SPY 2026-03-20 580C avg 1.2500" in reply
        assert "working   : stop sell 1 SPY 2026-03-20 580C stop 0.90" in reply


async def test_kill_from_the_trader_halts_cancels_and_flattens_then_resume_trades_again(
    tmp_path: Path,
) -> None:
    settings = listener_settings(LOSS_COOLDOWN_MINUTES="0")  # the flatten may close at a loss
    async with listening(tmp_path, settings=settings) as desk:
        alert = desk.post(ALERT)
        await desk.settle()
        reply = await _command(desk, "!kill analyst is off today", channel=ALERTS)
        assert reply.startswith("Kill switch: trading halted (analyst is off today).")
        assert "Flat: yes." in reply
        assert desk.orchestrator.trading_state is TradingState.HALTED
        assert desk.orchestrator.executor.book.holdings[str(alert)].quantity == 0
        [request] = desk.rows(
            "SELECT r.*, d.outcome FROM control_requests r JOIN control_results d ON d.request_id = r.id"
        )
        assert (request["command"], request["requested_by"], request["outcome"]) == (
            "kill",
            f"discord:{TRADER}",
            "done",
        )
        denied = desk.post("BTO QQQ 3/20 500C @ 2.00 SL 1.50")
        await desk.settle()
        assert desk.decision(denied)["verdict"] == "denied"
        reply = await _command(desk, "!resume")
        assert reply == f"Trading resumed by discord:{TRADER}: state active."
        again = desk.post("BTO QQQ 3/20 505C @ 2.00 SL 1.50")
        await desk.settle()
        assert desk.decision(again)["verdict"] == "approved", desk.decision(again)["sentence"]
        notices = "\n".join(await desk.notices())
        assert "KILL SWITCH engaged (kill_switch): analyst is off today" in notices
        assert f"trading resumed by discord:{TRADER}" in notices


async def test_anyone_else_is_refused_and_journaled_and_nothing_changes(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        for command in ("!kill", "!resume", "!status", "!positions"):
            reply = await _command(desk, command, author=STRANGER)
            assert reply == "Refused: you are not allowed to control this bot."
        assert desk.orchestrator.trading_state is TradingState.ACTIVE
        rows = desk.rows(
            "SELECT r.command, r.requested_by, d.outcome FROM control_requests r"
            " JOIN control_results d ON d.request_id = r.id ORDER BY r.id"
        )
        assert [(r["command"], r["outcome"]) for r in rows] == [
            ("kill", "refused"),
            ("resume", "refused"),
            ("status", "refused"),
            ("positions", "refused"),
        ]
        assert {r["requested_by"] for r in rows} == {f"discord:{STRANGER}"}
        assert desk.orchestrator.journal.pending_requests() == []  # the poller has nothing to carry out


async def test_a_console_kill_and_a_discord_resume_meet_in_the_same_journal(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.orchestrator.journal.request("kill", reason="from the console")
        [result] = await desk.orchestrator.controls.pending()
        assert result.outcome == "done" and desk.orchestrator.trading_state is TradingState.HALTED
        await _command(desk, "!resume")
        assert desk.orchestrator.trading_state is TradingState.ACTIVE
        assert await desk.orchestrator.controls.pending() == []


async def test_notices_carry_the_mode_the_decision_the_fill_and_a_denial_with_its_reason(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post(ALERT)
        stale = desk.post("BTO QQQ 3/20 500C @ 2.00 SL 1.50", age=120)
        chatter = desk.post("good morning traders")
        await desk.settle()
        text = "\n".join(await desk.notices())
        assert text.startswith("[autoscalper paper]")
        decision = text.index(f"{alert} approved (sent): buy 1 SPY 2026-03-20 580C limit 1.25")
        assert text.index("FILLED buy 1 SPY 2026-03-20 580C @ 1.25") > decision
        assert f"MISSED open alert {stale}, posted while the bot was away" in text  # 120 s late: missed
        assert str(chatter) not in text  # chatter is journaled, not notified


async def test_a_broker_disconnect_is_notified(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.orchestrator.executor.broker.drop_connection("socket closed")  # type: ignore[attr-defined]
        await desk.settle()
        assert any("BROKER DISCONNECTED: socket closed" in t for t in await desk.notices())


async def test_a_notice_channel_that_fails_never_stops_trading_and_is_journaled(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        desk.discord.fail_posts = True
        first = desk.post(ALERT)
        await desk.settle()
        await desk.client.notifier.flush(2.0)
        second = desk.post("BTO QQQ 3/20 500C @ 2.00 SL 1.50")
        await desk.settle()
        assert desk.decision(first)["verdict"] == desk.decision(second)["verdict"] == "approved"
        assert desk.rows("SELECT * FROM notices WHERE kind = 'notify_failed'")


async def test_the_notifier_coalesces_a_burst_under_its_rate_limit_and_never_blocks() -> None:
    sent: list[str] = []

    async def slow_send(text: str) -> None:
        await asyncio.sleep(0.01)
        sent.append(text)

    notifier = Notifier(
        slow_send, banner="[autoscalper paper]", on_failure=sent.append, per_window=2, window=60
    )
    task = asyncio.create_task(notifier.run())
    for n in range(300):
        notifier.push(f"decision {n:03d}: buy 1 SPY 2026-03-20 580C limit 1.25; stop 0.90")  # returns at once
    await notifier.flush(0.5)
    task.cancel()
    assert len(sent) == 2  # the rate limit: two posts per minute, however many lines wait
    first = sent[0].splitlines()
    assert first[0] == "[autoscalper paper]" and first[1].startswith("decision 000")
    assert len(first) > 25  # a burst is coalesced, not one post per line
    assert all(len(text) <= 2000 for text in sent)


async def test_the_notifier_drops_the_oldest_lines_when_the_channel_cannot_keep_up() -> None:
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    notifier = Notifier(send, banner="[paper]", on_failure=sent.append, backlog=10)
    for n in range(25):
        notifier.push(f"line {n}")
    task = asyncio.create_task(notifier.run())
    await notifier.flush(2.0)
    task.cancel()
    text = "\n".join(sent)
    assert "(15 earlier notices were dropped" in text
    assert "line 14" not in text and "line 15" in text and "line 24" in text


async def test_a_bare_kill_names_who_sent_it_and_a_resume_carries_no_kill_reason(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        reply = await _command(desk, "!kill")
        assert reply.startswith(f"Kill switch: trading halted (discord:{TRADER} kill).")
        await _command(desk, "!resume")
        reasons = [r["reason"] for r in desk.rows("SELECT reason FROM control_requests ORDER BY id")]
        assert reasons == ["", ""]


async def test_a_refused_exit_is_one_notice_saying_what_protects_the_position_now(tmp_path: Path) -> None:
    async with listening(tmp_path) as desk:
        alert = desk.post(ALERT)  # no quote: the entry fills on receipt
        await desk.settle()
        broker = desk.orchestrator.executor.broker
        broker.reject_next(201, "Order rejected - reason: no closing allowed", when=a_close)  # type: ignore[attr-defined]
        desk.post("out")
        await desk.settle()
        text = "\n".join(await desk.notices())
        [line] = [line for line in text.splitlines() if line.startswith("PROTECTED")]
        assert "201 Order rejected - reason: no closing allowed" in line and "new broker-side stop at" in line
        journaled = desk.rows("SELECT detail FROM notices WHERE kind = 'position_protection'")
        assert [line.startswith(row["detail"]) for row in journaled] == [True]
        assert line.endswith(f"· SPY · https://discord.com/channels/{GUILD}/{ALERTS}/{alert}")


def _reaction(message_id: int, user_id: int, emoji: str = "\u2705") -> dict[str, object]:
    """A MESSAGE_REACTION_ADD payload, as Discord's gateway documentation gives it."""
    from tests.fakes.discord_payloads import user

    return {
        "user_id": str(user_id), "channel_id": str(ALERTS), "message_id": str(message_id),
        "guild_id": str(GUILD),
        "member": {"user": user(user_id, "someone"), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
                   "deaf": False, "mute": False, "flags": 0},
        "emoji": {"id": None, "name": emoji}, "burst": False, "burst_colors": [], "type": 0,
    }  # fmt: skip


async def test_a_check_mark_from_the_trader_approves_a_held_entry(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(
        f'[desk]\nsource = "discord"\nchannels = [{ALERTS}]\nmode = "confirm"\n', encoding="utf-8"
    )
    async with listening(tmp_path, settings=listener_settings(PROFILES_FILE=str(profiles))) as desk:
        alert = await desk.settled_post("BTO SPY 3/20 580C @ 1.25 SL .90")
        assert [r["outcome"] for r in desk.rows("SELECT outcome FROM executions")] == [
            "awaiting_confirmation"
        ]

        desk.dispatch("MESSAGE_REACTION_ADD", _reaction(alert, TRADER, "\U0001f44d"))  # not the approval
        desk.dispatch("MESSAGE_REACTION_ADD", _reaction(alert, STRANGER))  # not a control user
        await desk.settle()
        assert [r["outcome"] for r in desk.rows("SELECT outcome FROM executions")] == [
            "awaiting_confirmation"
        ]
        refused = desk.rows(
            "SELECT r.outcome FROM control_requests q JOIN control_results r ON r.request_id = q.id"
        )
        assert [r["outcome"] for r in refused] == ["refused"]

        desk.dispatch("MESSAGE_REACTION_ADD", _reaction(alert, TRADER))
        await desk.settle()
        assert [r["outcome"] for r in desk.rows("SELECT outcome FROM executions")] == [
            "awaiting_confirmation",
            "sent",
        ]
        assert any("approved by discord:" in line for line in await desk.notices())
