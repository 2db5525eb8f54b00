"""Which open position a management message (exit, trim, stop move, cancel, add) refers to.

docs/architecture.md's order, strictest first:
1. A reply: the position the replied-to signal opened (or acted on). A reply to a signal whose
   position is not open acts on nothing: "out" under a trade the bot never took must not close
   another one. A reply to commentary falls through to the next rules.
2. The author's only open position in the contract the message names. A named contract the author
   holds nothing in acts on nothing (never "out QQQ" closing SPY).
3. With no contract named, the author's only open position.
Anything else is ambiguous: no action, journaled with the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from parser import Intent
from risk import Position, Reason, instrument_key, same_contract

from .messages import Message

AMBIGUOUS = "ambiguous_reference"
REFERENCE_CLOSED = "reference_not_open"


class References(Protocol):
    """Signal message id -> the position it opened or acted on (None: none)."""

    def __contains__(self, message_id: object) -> bool: ...

    def __getitem__(self, message_id: str) -> str | None: ...


@dataclass(frozen=True)
class Resolution:
    position: Position | None = None
    problem: Reason | None = None


def resolve(
    intent: Intent,
    message: Message,
    positions: Sequence[Position],
    references: References,
) -> Resolution:
    """``references`` maps each signal message id to the position it opened or acted on (None: none)."""
    open_now = [p for p in positions if p.exposure > 0]
    if message.reply_to is not None and message.reply_to in references:
        return _by_reply(references[message.reply_to], message.reply_to, open_now)
    mine = [p for p in open_now if p.author_id == message.author_id]
    if intent.instrument is not None:
        mine = [p for p in mine if same_contract(intent.instrument, p.instrument)]
    if len(mine) == 1:
        return Resolution(mine[0])
    if not mine:
        return Resolution()  # risk denies it: no_position
    names = ", ".join(f"{p.opened_by} ({instrument_key(p.instrument)})" for p in mine)
    return Resolution(problem=Reason(code=AMBIGUOUS, detail=f"the message could refer to {names}"))


def _by_reply(position_id: str | None, reply_to: str, open_now: Sequence[Position]) -> Resolution:
    found = next((p for p in open_now if p.opened_by == position_id), None)
    if found is not None:
        return Resolution(found)
    detail = f"the message replies to {reply_to}, whose position is not open"
    if position_id is None:
        detail = f"the message replies to {reply_to}, which opened no position"
    return Resolution(problem=Reason(code=REFERENCE_CLOSED, detail=detail))
