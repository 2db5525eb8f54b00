"""``BROKER=paper QUOTE_SOURCE=ib``: the simulator trades a channel at IB's prices, streamed from the
fake gateway over a real socket by ib_async, and nothing reaches the account.

What a trader checks before trusting a paper week: an entry fills only when the ask reaches its
limit, the target and the stop fill on the market, the journal holds the quote behind each fill, a
flat position leaves no subscription behind, and missing or delayed data is said once, in words.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.audit import rows, value
from tests.fakes.tws import FakeTWS
from tests.ibkit import con_id, gateway, until

from orchestrator.app import Orchestrator
from orchestrator.market import MARKET_DATA
from orchestrator.messages import Message
from orchestrator.settings import Settings, SettingsError, load_settings
from orchestrator.sources import allowlists

D = Decimal
OPTION = "SPY 2026-12-18 600C"
BUY = "BTO SPY 12/18 600C @ 1.25 SL 0.90 PT 1.80"
PLACE_ORDER, REQ_MKT_DATA = 3, 1


@asynccontextmanager
async def paper_on_quotes(tws: FakeTWS, db: Path, **more: str) -> AsyncIterator[Orchestrator]:
    """The bot `autoscalper run` opens with these settings, started, then shut down."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, QUOTE_SOURCE="ib", IBKR_PORT=tws.port, IBKR_CLIENT_ID=9, TRADING_HOURS="any", **more
    )
    bot = Orchestrator.open(settings, command="run", journal_path=db, allow=allowlists(settings))
    try:
        await bot.start()
        yield bot
    finally:
        await bot.shutdown()


def alert(message_id: str, text: str) -> Message:
    now = datetime.now(UTC)
    return Message(id=message_id, author_id="a1", text=text, sent_at=now, received_at=now)


def quoted(fill: dict[str, object]) -> tuple[Decimal, Decimal, bool]:
    """The journaled quote a fill was made on: bid, ask, delayed."""
    quote = json.loads(str(fill["quote"]))
    return D(quote["bid"]), D(quote["ask"]), quote["delayed"]


def notes(bot: Orchestrator, message_id: str) -> str:
    return str(value(bot.journal, "SELECT notes FROM decisions WHERE message_id LIKE ?", f"{message_id}%"))


def fills(bot: Orchestrator) -> list[dict[str, object]]:
    return rows(
        bot.journal,
        "SELECT o.role, f.price, f.price_basis, f.quote"
        " FROM fills f JOIN orders o USING (client_id) ORDER BY f.rowid",
    )


async def test_entry_target_and_stop_fill_on_the_gateways_quotes(tmp_path: Path) -> None:
    async with gateway() as tws, paper_on_quotes(tws, tmp_path / "j.db") as bot:
        spy = con_id(tws, OPTION)
        tws.quote(spy, D("1.25"), D("1.30"))  # the ask is above the alert's 1.25

        handled = await bot.on_message(alert("m1", BUY))
        assert handled.verdict == "approved" and handled.execution == "sent"
        assert "drift_unchecked" not in notes(bot, "m1")  # the first quote came before the decision
        assert fills(bot) == []  # waiting for the ask to come down to 1.25
        assert tws.subscribed() == {spy}

        tws.quote(spy, D("1.20"), D("1.25"))
        await until(lambda: len(fills(bot)) == 1)
        tws.quote(spy, D("1.79"), D("1.84"))  # the target (sell 1.80) needs the bid at 1.80
        tws.quote(spy, D("1.80"), D("1.85"))
        await until(lambda: len(fills(bot)) == 2)

        entry, target = fills(bot)
        assert (entry["role"], entry["price"], entry["price_basis"]) == ("entry", "1.25", None)
        assert quoted(entry) == (D("1.20"), D("1.25"), False)  # the quote that filled it
        assert (target["role"], target["price"]) == ("target", "1.80")
        assert quoted(target) == (D("1.80"), D("1.85"), False)

        await bot.poll()  # flat: the subscription is let go
        await until(lambda: tws.subscribed() == set())

        other = con_id(tws, OPTION.replace("600C", "605C"))  # the same alert again is a duplicate
        tws.quote(other, D("1.20"), D("1.25"))
        handled = await bot.on_message(alert("m2", BUY.replace("600C", "605C")))
        assert handled.execution == "sent"
        await until(lambda: len(fills(bot)) == 3)
        tws.quote(other, D("0.85"), D("0.95"))  # through the stop at 0.90
        await until(lambda: len(fills(bot)) == 4)
        assert fills(bot)[-1]["role"] == "stop" and fills(bot)[-1]["price"] == "0.90"

    assert tws.messages(PLACE_ORDER) == []  # nothing was ever sent to the account


@pytest.mark.parametrize(
    ("answer", "code", "words"),
    [("none", "(354)", "no market data subscription"), ("no_delayed", "(10168)", "not even delayed")],
)
async def test_missing_data_is_said_once_and_nothing_fills_at_a_made_up_price(
    tmp_path: Path, answer: str, code: str, words: str
) -> None:
    async with gateway(market_data=answer) as tws, paper_on_quotes(tws, tmp_path / "j.db") as bot:
        said: list[str] = []
        assert bot.market is not None
        bot.market.listeners.append(said.append)

        handled = await bot.on_message(alert("m1", BUY))
        await bot.on_message(alert("m2", BUY.replace("600C", "605C")))
        await bot.poll()

        assert handled.verdict == "approved" and "drift_unchecked" in notes(bot, "m1")
        assert fills(bot) == []  # no quote, no fill: nothing is made up
        tws.drop_connections()  # after a reconnect IB answers both requests the same way again
        await until(lambda: len(tws.messages(REQ_MKT_DATA)) == 4)
        await bot.market.feed.ib.reqCurrentTimeAsync()  # type: ignore[attr-defined]  # answers read

        problems = [p for p in said if code in p]
        assert len(problems) == 2 and all(words in p for p in problems)  # once per contract, in words
        assert said == [
            r["detail"] for r in rows(bot.journal, "SELECT detail FROM notices WHERE kind = ?", MARKET_DATA)
        ]


async def test_delayed_data_fills_labelled_and_never_judges_an_alert(tmp_path: Path) -> None:
    async with gateway(market_data="delayed") as tws, paper_on_quotes(tws, tmp_path / "j.db") as bot:
        spy = con_id(tws, OPTION)
        tws.quote(spy, D("3.00"), D("3.10"))  # 15 minutes ago the option was far from the alert

        handled = await bot.on_message(alert("m1", BUY))
        assert handled.verdict == "approved" and "drift_unchecked" in notes(bot, "m1")  # never denied
        tws.quote(spy, D("1.20"), D("1.25"))
        await until(lambda: len(fills(bot)) == 1)

        assert quoted(fills(bot)[0]) == (D("1.20"), D("1.25"), True)
        said = rows(bot.journal, "SELECT detail FROM notices WHERE kind = ?", MARKET_DATA)
        assert [n["detail"] for n in said] == [
            f"IB sends delayed data for {OPTION} (10167): fills are on quotes 15-20 minutes old and "
            "labelled delayed; the drift check ignores them"
        ]


def test_ib_quotes_are_for_the_simulator_only(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("BROKER=ib\nQUOTE_SOURCE=ib\n")
    with pytest.raises(SettingsError, match="QUOTE_SOURCE"):
        load_settings(env)


async def test_a_dropped_feed_is_said_and_streams_again_after_reconnecting(tmp_path: Path) -> None:
    async with gateway() as tws, paper_on_quotes(tws, tmp_path / "j.db") as bot:
        spy = con_id(tws, OPTION)
        tws.quote(spy, D("1.25"), D("1.30"))
        await bot.on_message(alert("m1", BUY))

        tws.drop_connections()
        await until(lambda: len(said(bot)) == 2)
        assert said(bot)[0].startswith("the market data connection to IB closed: reconnecting")
        assert said(bot)[1] == "market data from IB is back: 1 instrument(s) streaming again"
        assert tws.subscribed() == {spy}  # a new connection, and the working entry streams again
        tws.quote(spy, D("1.20"), D("1.25"))
        await until(lambda: len(fills(bot)) == 1)


def said(bot: Orchestrator) -> list[str]:
    return [r["detail"] for r in rows(bot.journal, "SELECT detail FROM notices WHERE kind = ?", MARKET_DATA)]


def test_a_replay_keeps_its_sessions_quotes_whatever_quote_source_says() -> None:
    from tests.cli import cli
    from tests.sessions import SESSIONS

    nobody = {"QUOTE_SOURCE": "ib", "IBKR_PORT": "9"}  # nothing listens there: a replay never asks
    done = cli("replay", str(SESSIONS / "winning_day.jsonl"), "--json", env=nobody)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["fills"]


def pair(tws: FakeTWS, base: str, quote: str) -> int:
    """The fake's contract id for a pair on IDEALPRO."""
    from tests.fakes.listings import Request

    request = Request(0, base, "CASH", "", D(0), "", "IDEALPRO", "", currency=quote)
    contract, _ = tws.listings.resolve(request)[0]
    return contract.con_id


async def test_a_cross_streams_its_dollar_pair_and_books_its_yen_pnl_in_dollars(tmp_path: Path) -> None:
    async with gateway() as tws, paper_on_quotes(tws, tmp_path / "j.db", ALLOWED_ASSETS="forex") as bot:
        cross, dollar = pair(tws, "GBP", "JPY"), pair(tws, "USD", "JPY")
        tws.quote(cross, D("191.200"), D("191.230"))
        tws.quote(dollar, D("150.000"), D("150.020"))

        handled = await bot.on_message(alert("fx1", "GBPJPY sell 191.20 SL 191.80 TP 190.40"))
        assert handled.verdict == "approved"  # USDJPY's quote converts its yen risk: 12,000 yen, $80
        await until(lambda: len(fills(bot)) == 1)  # sold on the 191.20 bid
        await bot.poll()
        assert tws.subscribed() == {cross, dollar}  # the position's pair and the one it converts at

        tws.quote(cross, D("190.370"), D("190.400"))  # the short's target buys on the ask
        await until(lambda: len(fills(bot)) == 2)
        realized = value(bot.journal, "SELECT realized FROM fills WHERE opens = 0")
        assert D(str(realized)) == D("106.66")  # 16,000 yen at USDJPY's 150.01 mid
        await bot.poll()
        await until(lambda: tws.subscribed() == set())
    assert tws.messages(PLACE_ORDER) == []
