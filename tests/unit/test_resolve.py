"""Which position a management message refers to (docs/architecture.md's order, strictest first)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.builders import option

from orchestrator.messages import Message
from orchestrator.pipeline import Allowlist, refusal
from orchestrator.resolve import AMBIGUOUS, REFERENCE_CLOSED, resolve
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from parser import Side, parse
from risk import Position

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def position(opened_by: str, author: str = "a1", strike: str = "580", quantity: int = 1) -> Position:
    return Position(
        opened_by=opened_by,
        author_id=author,
        instrument=option(strike=Decimal(strike)),
        side=Side.LONG,
        quantity=quantity,
        avg_price=Decimal("1.25"),
        stop=Decimal("0.90"),
    )


def message(text: str, reply_to: str | None = None, author: str = "a1") -> Message:
    return Message(
        id="m9", author_id=author, channel_id="c1", text=text, sent_at=NOW, received_at=NOW, reply_to=reply_to
    )


def pick(
    text: str,
    positions: list[Position],
    reply_to: str | None = None,
    references: dict[str, str | None] | None = None,
    author: str = "a1",
) -> str | None:
    found = resolve(parse(text, NOW), message(text, reply_to, author), positions, references or {})
    if found.problem is not None:
        return found.problem.code
    return found.position.opened_by if found.position else None


def test_a_reply_picks_the_replied_position_even_when_others_are_open() -> None:
    both = [position("m1"), position("m2", strike="585")]
    assert pick("out", both, reply_to="m2", references={"m1": "m1", "m2": "m2"}) == "m2"


def test_a_reply_to_a_trim_follows_it_to_its_position() -> None:
    assert (
        pick("out", [position("m1"), position("m2", strike="585")], reply_to="t1", references={"t1": "m1"})
        == "m1"
    )


def test_a_reply_to_a_signal_whose_position_is_gone_acts_on_nothing() -> None:
    assert (
        pick("out", [position("m2", strike="585")], reply_to="m1", references={"m1": "m1"})
        == REFERENCE_CLOSED
    )
    assert (
        pick("out", [position("m2", strike="585")], reply_to="m1", references={"m1": None})
        == REFERENCE_CLOSED
    )


def test_a_reply_to_commentary_falls_back_to_the_authors_only_position() -> None:
    assert pick("out", [position("m1")], reply_to="chat-7") == "m1"


def test_the_named_contract_picks_among_the_authors_positions() -> None:
    both = [position("m1"), position("m2", strike="585")]
    assert pick("STC SPY 585C", both) == "m2"
    assert pick("STC QQQ 500C", both) is None  # never another contract's position


def test_no_contract_and_several_positions_is_ambiguous() -> None:
    assert pick("out", [position("m1"), position("m2", strike="585")]) == AMBIGUOUS


def test_another_authors_positions_are_not_candidates() -> None:
    assert pick("out", [position("m1", author="a2")]) is None
    assert pick("out", [position("m1", author="a2"), position("m2")]) == "m2"


def test_allow_lists_refuse_other_channels_and_authors_but_not_the_console() -> None:
    settings = Settings(_env_file=None, DISCORD_CHANNEL_IDS="11", DISCORD_AUTHOR_IDS="21")  # type: ignore[call-arg]
    allow = allowlists(settings)  # every registered source's, from the settings
    ours = message("BTO SPY 580C @ 1").model_copy(update={"channel_id": "11", "author_id": "21"})
    assert refusal(allow, ours) is None
    stranger = ours.model_copy(update={"author_id": "22"})
    assert refusal(allow, stranger).code == "author_not_allowed"  # type: ignore[union-attr]
    other = ours.model_copy(update={"channel_id": "12"})
    assert refusal(allow, other).code == "channel_not_allowed"  # type: ignore[union-attr]
    backfilled = other.model_copy(update={"source": "backfill"})
    assert refusal(allow, backfilled).code == "channel_not_allowed"  # type: ignore[union-attr]
    assert refusal(allow, other.model_copy(update={"source": "console"})) is None


def test_a_message_from_a_source_nobody_registered_is_refused() -> None:
    refused = refusal(
        {"session": Allowlist()}, message("BTO SPY 580C @ 1").model_copy(update={"source": "fax"})
    )
    assert refused is not None and refused.code == "source_not_followed"


def test_an_index_named_in_an_exit_is_the_underlying_of_the_options_held_on_it() -> None:
    spx = Position(
        opened_by="m3",
        author_id="a1",
        instrument=option("SPX", strike="5800"),
        side=Side.LONG,
        quantity=1,
        avg_price=Decimal("12.00"),
        stop=Decimal("8.00"),
    )
    held = [position("m1"), spx]
    assert parse("$SPX closed", NOW).instrument.asset.value == "index"  # type: ignore[union-attr]
    assert pick("$SPX closed", held) == "m3"
    assert pick("Stop to 9.50 on SPX calls", held) == "m3"
