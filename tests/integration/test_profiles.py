"""Profiles as a trader uses them: one channel sized by a premium budget with breakeven after the
first target, another analyst held to one contract, everything else on the global settings; a bad
profiles file refused with one line; `autoscalper profiles` saying who gets what."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.audit import rows, value
from tests.cli import cli

ROOM = """
[room]                     # channel c1 of the session: a premium budget, breakeven after a target
source = "session"
channels = ["c1"]
premium_budget = 500
max_contracts = 4
breakeven_after_target = true

[careful]                  # analyst a2, wherever they post: one contract, never adds
authors = ["a2"]
contracts = 1
kinds = ["open", "exit", "trim", "move_stop", "cancel"]
"""
OPTION = "SPY 2026-03-02 580C"


def event(at: str, **fields: object) -> str:
    return json.dumps({"at": f"2026-03-02T{at}Z", **fields})


def quote(at: str, bid: str, ask: str) -> str:
    return event(at, type="quote", instrument=OPTION, bid=bid, ask=ask)


def said(at: str, mid: str, text: str, channel: str = "c1", author: str = "a1", **more: str) -> str:
    return event(at, type="message", id=mid, channel=channel, author=author, text=text, **more)


SESSION = [
    quote("14:40:00", "1.20", "1.25"),
    said("14:40:02", "r1", "BTO SPY 3/2 580C @ 1.25 SL .90 PT 1.50 PT 1.80"),
    quote("14:45:00", "1.50", "1.55"),  # the first target: half of it goes
    quote("14:50:00", "1.20", "1.25"),  # back to the entry: the moved stop takes the rest at 1.25
    said("14:55:00", "r2", "BTO 5 QQQ 3/2 500P @ 2.00 SL 1.50", channel="c2", author="a2"),
    said("14:56:00", "r3", "BTO 3 IWM 3/2 210C @ 1.00 SL .70", channel="c2", author="a1"),
]


def replay(tmp_path: Path, lines: list[str], profiles: str = ROOM) -> Path:
    (tmp_path / "profiles.toml").write_text(profiles, encoding="utf-8")
    session = tmp_path / "day.jsonl"
    session.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "day.db"
    done = cli("replay", str(session), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return db


def test_a_channel_profile_sizes_by_budget_and_moves_the_stop_to_breakeven(tmp_path: Path) -> None:
    db = replay(tmp_path, SESSION)
    from orchestrator.journal import Journal

    journal = Journal(db)
    entry = rows(journal, "SELECT profile, plan, notes FROM decisions WHERE message_id = 'r1'")[0]
    assert entry["profile"] == "room"
    assert json.loads(entry["plan"])["quantity"] == 4  # $500 buys 4 at 1.25 x 100; max_contracts 4
    assert "sized_by_rule" in entry["notes"]

    rule = rows(
        journal, "SELECT verdict, kind, profile, sentence FROM decisions WHERE message_id = 'r1~breakeven'"
    )
    assert [(r["verdict"], r["kind"], r["profile"]) for r in rule] == [("approved", "move_stop", "room")]
    assert value(journal, "SELECT source FROM messages WHERE id = 'r1~breakeven'") == "rule"
    fills = rows(
        journal,
        "SELECT o.role, f.quantity, f.price FROM fills f JOIN orders o USING (client_id)"
        " WHERE f.position = 'r1' ORDER BY f.rowid",
    )
    assert [(f["role"], f["quantity"], f["price"]) for f in fills] == [
        ("entry", 2, "1.25"),  # one bracket leg per target, each with its own entry
        ("entry", 2, "1.25"),
        ("target", 2, "1.50"),
        ("stop", 2, "1.25"),  # breakeven, not the alert's 0.90
    ]
    realized = value(journal, "SELECT SUM(CAST(realized AS REAL)) FROM fills WHERE position = 'r1'")
    assert realized == 50.0  # 2 x 0.25 x 100 on the target, 0 on the breakeven stop


def test_an_authors_profile_beats_the_channel_and_the_rest_use_the_global_settings(tmp_path: Path) -> None:
    db = replay(tmp_path, SESSION)
    from orchestrator.journal import Journal

    journal = Journal(db)
    careful = rows(journal, "SELECT profile, plan FROM decisions WHERE message_id = 'r2'")[0]
    assert careful["profile"] == "careful" and json.loads(careful["plan"])["quantity"] == 1
    other = rows(journal, "SELECT profile, plan, notes FROM decisions WHERE message_id = 'r3'")[0]
    assert other["profile"] is None  # channel c2, author a1: no profile, the global MAX_CONTRACTS 2
    assert json.loads(other["plan"])["quantity"] == 2 and "size_reduced" in other["notes"]


def test_without_the_rule_the_stop_stays_where_the_analyst_put_it(tmp_path: Path) -> None:
    db = replay(tmp_path, SESSION, ROOM.replace("breakeven_after_target = true", ""))
    from orchestrator.journal import Journal

    journal = Journal(db)
    assert value(journal, "SELECT COUNT(*) FROM decisions WHERE message_id LIKE '%~breakeven'") == 0
    roles = [
        r["role"]
        for r in rows(
            journal, "SELECT o.role FROM fills f JOIN orders o USING (client_id) WHERE f.position = 'r1'"
        )
    ]
    assert roles == ["entry", "entry", "target"]  # the rest still held, its stop at 0.90


def test_a_bad_profiles_file_is_one_line_naming_file_profile_and_key(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text('[room]\nchannels = ["c1"]\nmax_contract = 3\n', encoding="utf-8")
    session = tmp_path / "day.jsonl"
    session.write_text("\n".join(SESSION) + "\n", encoding="utf-8")
    done = cli("replay", str(session), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: profiles.toml: profile 'room': max_contract: unknown key (did you mean max_contracts?)"
    ]
    for control in ("kill", "status"):  # a broken profiles file never stands in the way of a kill
        assert "profiles.toml" not in cli(control, "--db", str(tmp_path / "j.db"), cwd=tmp_path).stderr


def test_the_profiles_command_lists_them_and_says_who_gets_which(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(ROOM, encoding="utf-8")
    done = cli("profiles", "--source", "session", "--channel", "c1", "--author", "a2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 profile(s) in profiles.toml" in done.stdout
    assert "room: trade; source session; channels c1; sizing premium_budget 500" in done.stdout
    assert done.stdout.splitlines()[-1] == "a session message (channel c1, author a2) gets: careful"
    plain = cli("profiles", "--channel", "c9", cwd=tmp_path)
    assert plain.stdout.splitlines()[-1] == "a discord message (channel c9) gets: the global settings"


def test_the_documented_example_file_is_valid() -> None:
    from orchestrator.profiles import load_profiles
    from orchestrator.settings import Settings

    example = Path(__file__).resolve().parents[2] / "docs" / "profiles.example.toml"
    settings = Settings(_env_file=None, PROFILES_FILE=example)  # type: ignore[call-arg]
    assert [p.name for p in load_profiles(settings).profiles] == [
        "spx_room",
        "careful_analyst",
        "newcomer",
        "gold_and_fx",
    ]


TIMED = """
[zero_dte]                 # channel c1: 0DTE options leave 15 min before their class closes (the default)
source = "session"
channels = ["c1"]

[scalps]                   # channel c2: held 10 minutes at most
channels = ["c2"]
max_hold_minutes = 10

[swing]                    # channel c3: nothing held past 15:50 New York
channels = ["c3"]
flatten_at = "15:50"
"""


def timed_quote(at: str, instrument: str, bid: str, ask: str) -> str:
    return event(at, type="quote", instrument=instrument, bid=bid, ask=ask)


def test_time_exits_fire_at_their_instants_on_the_replays_clock(tmp_path: Path) -> None:
    spy, qqq, iwm = "SPY 2026-03-02 580C", "QQQ 2026-03-02 500P", "IWM 2026-03-20 210C"
    lines = [  # 2 March 2026 is EST: 20:30Z is 15:30 in New York; SPY options close at 16:15
        timed_quote("20:29:00", spy, "1.20", "1.25"),
        timed_quote("20:29:00", qqq, "1.95", "2.00"),
        timed_quote("20:29:00", iwm, "0.95", "1.00"),
        said("20:30:00", "z1", "BTO SPY 3/2 580C @ 1.25 SL .90"),
        said("20:31:00", "s1", "BTO QQQ 3/2 500P @ 2.00 SL 1.50", channel="c2"),
        said("20:32:00", "w1", "BTO IWM 3/20 210C @ 1.00 SL .70", channel="c3"),
        timed_quote("20:35:00", spy, "1.40", "1.45"),
        timed_quote("20:35:00", qqq, "2.20", "2.25"),
        timed_quote("20:35:00", iwm, "1.10", "1.15"),
        said("21:10:00", "x1", "good session everyone", channel="c9"),
    ]
    db = replay(tmp_path, lines, TIMED)
    from orchestrator.journal import Journal

    journal = Journal(db)
    exits = rows(
        journal,
        "SELECT f.position, f.at, f.price, o.role FROM fills f JOIN orders o USING (client_id)"
        " WHERE f.opens = 0 ORDER BY f.at",
    )
    assert [(e["position"], e["at"], e["price"]) for e in exits] == [
        ("s1", "2026-03-02T20:41:00+00:00", "2.20"),  # 10 minutes after its 20:31 fill, at the bid
        ("w1", "2026-03-02T20:50:00+00:00", "1.10"),  # 15:50 New York
        ("z1", "2026-03-02T21:00:00+00:00", "1.40"),  # 16:00: 15 minutes before the 16:15 close
    ]
    rules = rows(
        journal, "SELECT message_id, verdict, kind FROM decisions WHERE message_id LIKE '%~%' ORDER BY id"
    )
    assert [(r["message_id"], r["verdict"], r["kind"]) for r in rules] == [
        ("s1~max_hold", "approved", "exit"),
        ("w1~flatten_at", "approved", "exit"),
        ("z1~before_close", "approved", "exit"),
    ]


async def test_a_running_bot_fires_a_time_exit_from_its_poll(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.trading import SimClock, paper_bot

    clock = SimClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    bot = paper_bot(tmp_path / "j.db", clock, held_five_minutes(tmp_path))
    await bot.start()
    try:
        now = clock()
        assert (await bot.on_message(typed(now))).execution == "sent"
        clock.advance(4 * 60)
        await bot.poll()
        assert bot.executor.book.open_holdings()[0].quantity == 1  # four minutes: still held
        clock.advance(60)
        await bot.poll()
        assert (
            value(bot.journal, "SELECT verdict FROM decisions WHERE message_id = 't1~max_hold'") == "approved"
        )
        assert [h.quantity for h in bot.executor.book.open_holdings()] == []
        assert clock() - now == timedelta(minutes=5)
    finally:
        await bot.shutdown()


def test_an_inferred_expiry_is_said_in_the_decision(tmp_path: Path) -> None:
    profiles = '[spy_room]\nsource = "session"\nchannels = ["c1"]\nmissing_expiry = "0dte"\n'
    db = replay(tmp_path, [said("14:40:02", "e1", "BTO SPY 580C @ 1.25 SL .90")], profiles)
    from orchestrator.journal import Journal

    row = rows(Journal(db), "SELECT verdict, sentence, plan FROM decisions WHERE message_id = 'e1'")[0]
    assert row["verdict"] == "approved" and json.loads(row["plan"])["instrument"]["expiry"] == "2026-03-02"
    assert row["sentence"].endswith("[expiry inferred: 2026-03-02 (0dte for SPY)]")


SHADOWED = (
    ROOM
    + """
[newcomer]                 # analyst a3: followed on paper only, for a track record
authors = ["a3"]
mode = "shadow"
"""
)


def test_a_shadow_analyst_is_simulated_apart_and_never_mixed_with_the_account(tmp_path: Path) -> None:
    lines = [
        quote("14:40:00", "1.20", "1.25"),
        said("14:40:02", "n1", "BTO SPY 3/2 580C @ 1.25 SL .90 PT 1.50", author="a3"),
        quote("14:45:00", "1.50", "1.55"),  # the shadow's target fills on the session's quote
        said("14:50:00", "r1", "BTO QQQ 3/2 500P @ 2.00 SL 1.50", channel="c2", author="a1"),
    ]
    db = replay(tmp_path, lines, SHADOWED)
    from orchestrator.journal import Journal
    from orchestrator.shadow import shadow_path

    account, shadow = Journal(db), Journal(shadow_path(db))
    kept = rows(account, "SELECT verdict, reasons FROM decisions WHERE message_id = 'n1'")[0]
    assert kept["verdict"] == "ignored" and "shadow_profile" in kept["reasons"]  # recorded, never sent
    assert value(account, "SELECT COUNT(*) FROM fills WHERE position = 'n1'") == 0
    assert value(account, "SELECT COUNT(*) FROM fills WHERE position = 'r1'") == 1  # the account trades on
    simulated = rows(shadow, "SELECT verdict, profile FROM decisions WHERE message_id = 'n1'")[0]
    assert (simulated["verdict"], simulated["profile"]) == ("approved", "newcomer")
    assert value(shadow, "SELECT SUM(CAST(realized AS REAL)) FROM fills WHERE position = 'n1'") == 25.0
    assert value(shadow, "SELECT COUNT(*) FROM messages WHERE id = 'r1'") == 0  # only its own messages

    report = cli("report", "--db", str(db), "--json", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)
    assert [a["name"] for a in summary["authors"]] == ["a1"]
    assert [(a["name"], a["realized_net"]) for a in summary["shadow"]["authors"]] == [
        ("a3", "23.00")
    ]  # +25.00 less two $1.00 minimum commissions


def test_a_trailing_stop_follows_the_bid_up_and_fills_where_it_stood(tmp_path: Path) -> None:
    trailing = (
        '[trail]\nsource = "session"\nchannels = ["c1"]\ntrail_amount = 0.20\ntrail_after_percent = 10\n'
    )
    lines = [
        quote("14:40:00", "1.20", "1.25"),
        said("14:40:02", "t1", "BTO SPY 3/2 580C @ 1.25 SL .90 PT 3.00"),
        quote("14:41:00", "1.35", "1.40"),  # +8 %: not yet (trailing starts at 1.38)
        quote("14:42:00", "1.50", "1.55"),  # trails: 1.30
        quote("14:43:00", "1.72", "1.77"),  # 1.52
        quote("14:44:00", "1.60", "1.65"),  # the market gives back: the stop stays at 1.52
        said("14:44:30", "t2", "move stop to 1.00", reply_to="t1"),  # a trailing stop is not moved
        quote("14:45:00", "1.50", "1.55"),  # through 1.52: filled there
    ]
    db = replay(tmp_path, lines, trailing)
    from orchestrator.journal import Journal

    journal = Journal(db)
    steps = rows(journal, "SELECT event FROM order_events WHERE kind = 'modified' ORDER BY id")
    assert [json.loads(s["event"])["price"] for s in steps] == ["1.30", "1.52"]
    stop = rows(
        journal,
        "SELECT o.role, f.price, f.at FROM fills f JOIN orders o USING (client_id) WHERE o.role = 'stop'",
    )
    assert [(s["price"], s["at"]) for s in stop] == [("1.52", "2026-03-02T14:45:00+00:00")]
    moved = rows(journal, "SELECT verdict, reasons FROM decisions WHERE message_id = 't2'")[0]
    assert moved["verdict"] == "denied" and "stop_trails" in moved["reasons"]


async def test_a_time_exit_reaches_ib_at_its_instant(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from tests.ibkit import con_id, config, gateway, round_trip, until
    from tests.trading import SimClock

    from executor.ib import IBBroker
    from orchestrator.app import Orchestrator
    from orchestrator.sources import allowlists

    clock = SimClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    settings = held_five_minutes(tmp_path)
    async with gateway() as tws:
        spy = con_id(tws, "SPY 2026-03-20 580C")
        tws.quote(spy, Decimal("1.20"), Decimal("1.25"))
        broker = IBBroker(config(tws), clock)
        bot = Orchestrator.open(
            settings,
            command="run",
            journal_path=tmp_path / "j.db",
            allow=allowlists(settings),
            clock=clock,
            broker=broker,
        )
        await bot.start()
        try:
            now = clock()
            assert (await bot.on_message(typed(now))).execution == "sent"
            await round_trip(broker)
            assert broker.snapshot().positions == {"SPY 2026-03-20 580C": 1}
            tws.quote(spy, Decimal("1.40"), Decimal("1.45"))
            clock.advance(5 * 60)
            await bot.poll()
            await until(lambda: broker.snapshot().positions == {})
            close = [r.fields for r in tws.messages(3)][-1]
            assert (close[16], close[18], close[26]) == (
                "SELL",
                "MKT",
                "asc:t1~max_hold:close",
            )  # at IB, at market
            assert tws.executions[-1].price == Decimal("1.40")
            assert clock() - now == timedelta(minutes=5)
        finally:
            await bot.shutdown()


def held_five_minutes(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings whose one profile holds what is typed at the console five minutes at most."""
    from orchestrator.settings import Settings

    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[typed]\nsource = "console"\nmax_hold_minutes = 5\n', encoding="utf-8")
    return Settings(_env_file=None, PROFILES_FILE=profiles)  # type: ignore[call-arg]


def typed(now: datetime):  # type: ignore[no-untyped-def]
    """An alert typed at the console at ``now``."""
    from orchestrator.messages import CONSOLE, Message

    return Message(
        id="t1", text="BTO SPY 3/20 580C @ 1.25 SL .90", sent_at=now, received_at=now, source=CONSOLE
    )
