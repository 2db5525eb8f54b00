"""What takes a trade back or makes it not an instruction, and how far each marker reaches.

* A condition ("if", "when", "once", "unless"; "above 582", "over 205", "on a break of 18300")
  reaches the verbs of its own clause; a condition in a clause with no verb of its own ("..., only if
  it holds", a next line "if it breaks 601") reaches the verb before it.
* An intention ("may", "looking to", "could've"), a watch or a question word reaches the verbs after
  it in its sentence; "not" the verb within three words after it in its clause ("Level not holding,
  selling qqq" sells: the "not" belongs to the level).
* Discretion ("if you'd like", "up to you") reaches its own clause; "?" its sentence.
* After an entry, a result ("-> 1.80 +50%", "up 3.10 from 1.40", "... was a great entry", an exit of
  the same contract) makes it a recap; a retraction ("nvm", "jk", "cancel that", "(cancelled)",
  struck-through text) anywhere after the first action makes the whole message not a trade.
"""

from __future__ import annotations

from .actions import Verb
from .indexed import IndexedMessage, refuse
from .instructions import Grouping, Instruction
from .models import NotASignal
from .vocabulary import CONTEXT

STRONG_RECAP = frozenset({"recap", "recaps", "flawless", "results", "result", "summary", "review", "congrats",
                          "congratulations", "great trade", "nice trade"})  # fmt: skip
_LEVEL_WORDS = CONTEXT["level_words"]
_STOP_OR_TARGETS = frozenset({"stop", "targets"})
_STOP_OR_MOVE = frozenset({"stop", "move"})
_CONDITIONS = frozenset({"IF", "ABOVE", "BELOW", "BREAK"})
_MARKERS = frozenset({"QMARK", "INTENT", "IF", "WATCH", "QUESTION", "NEG", "DISC", "ABOVE", "BELOW", "BREAK"})
_REPORTS = frozenset({"ARROW", "PAST", "RECAP", "UP", "SIGN"})
_MARKET_KINDS = frozenset({"NUM", "RANGE", "BREAK", "ABOVE", "BELOW", "price"})
_MARKET_WORDS = CONTEXT["market_words"]
_LATER = CONTEXT["later"]
_HEDGE_REASONS = {"INTENT": "commentary", "IF": "conditional", "WATCH": "watchlist", "QUESTION": "question"}
_DETAILS = {
    "commentary": "talks about a possible trade, not an instruction",
    "conditional": "the action depends on a condition that has not happened",
    "watchlist": "a watchlist mention, not an instruction",
    "question": "the alert is a question",
    "negated": "says not to do it",
    "discretionary": "left to the follower's discretion",
    "recap": "reports a result after the fact",
}


def message_refusal(msg: IndexedMessage, grouping: Grouping, found: list[Verb]) -> NotASignal | None:
    first = found[0].at
    acting = {v.at for v in found}
    if grouping.retracted or any(j >= first and j not in acting for j in msg.where.get("RETRACT", ())):
        return refuse("retracted", "the message takes its own instruction back")
    if any(msg.texts[j] in STRONG_RECAP for j in msg.where.get("RECAP", ())):
        return refuse("recap", _DETAILS["recap"])
    if grouping.recap:
        return refuse("recap", "an entry reported together with its exit")
    if "SPREAD" in msg.where or ("SLASHES" in msg.where and _spread_strikes(msg)):
        return refuse("unsupported_spread", "a multi-leg spread cannot be copied as one bracket")
    return None


def instruction_refusal(
    msg: IndexedMessage, ins: Instruction, scopes: dict[int, str | None]
) -> NotASignal | None:
    for verb in ins.verbs:
        reason = scopes.get(verb)
        if reason is not None:
            return refuse(reason, _DETAILS[reason])
    where = msg.where
    if ins.kind in ("open", "add") and not _REPORTS.isdisjoint(where) and _reported(msg, ins):
        return refuse("recap", _DETAILS["recap"])
    start, end = msg.sentence_span(ins.head)
    if (
        "CORRECTION" in where
        and "CORRECTION" in msg.kinds[start:end]
        and not _stop_correction(msg, start, end)
    ):
        return refuse("ambiguous", "the message corrects an earlier alert")
    if "FOREIGN" in where and "FOREIGN" in msg.kinds[start:end]:
        return refuse("ambiguous", "a word written with letters of another script where a ticker goes")
    return None


def verb_scopes(msg: IndexedMessage, found: list[Verb]) -> dict[int, str | None]:
    """Each verb's reason not to act (see the module's rules), or None when it acts."""
    verb_at = {v.at for v in found}
    if _MARKERS.isdisjoint(msg.where):  # nothing in the message could hedge a verb but its own words
        return {v.at: "conditional" if _later_add(msg, v.at) else None for v in found}
    return {v.at: _verb_scope(msg, v.at, verb_at) for v in found}


def _verb_scope(msg: IndexedMessage, at: int, verb_at: set[int]) -> str | None:
    start, end = msg.sentence_span(at)
    if "QMARK" in msg.kinds[at:end]:
        return "question"
    for j in range(start, at):
        reason = _HEDGE_REASONS.get(msg.kinds[j])
        if reason is not None:
            return reason
    clause_start, clause_end = msg.clause_span(at)
    if _later_add(msg, at):
        return "conditional"
    if "NEG" in msg.kinds[max(clause_start, at - 3) : at]:
        return "negated"
    if "DISC" in msg.kinds[clause_start:clause_end]:
        return "discretionary"
    if not _CONDITIONS.isdisjoint(msg.kinds[clause_start:clause_end]) and any(
        _condition(msg, j) for j in range(clause_start, clause_end) if j != at
    ):
        return "conditional"
    if not _CONDITIONS.isdisjoint(msg.where) and any(
        _condition(msg, j) for j in _fragment_after(msg, at, verb_at)
    ):
        return "conditional"
    return None


def _later_add(msg: IndexedMessage, at: int) -> bool:
    """ "will add lower", "adding on dips": an add at a price not reached yet."""
    if msg.kinds[at] != "ADD":
        return False
    nxt = msg.text(at + 1)
    return nxt in _LATER or (nxt == "on" and msg.text(at + 2) in _LATER)


def _condition(msg: IndexedMessage, j: int) -> bool:
    kind = msg.kinds[j]
    if kind == "IF":
        return True
    nxt = msg.kinds[j + 1] if j + 1 < len(msg.items) else ""
    if kind in ("ABOVE", "BELOW"):
        return nxt in ("NUM", "RANGE", "price") or (nxt == "WORD" and msg.text(j + 1) in _LEVEL_WORDS)
    if kind == "BREAK":
        return nxt in ("NUM", "price") or (j > 0 and msg.kinds[j - 1] == "NUM")
    return False


def _fragment_after(msg: IndexedMessage, at: int, verb_at: set[int]) -> list[int]:
    """Clauses after the verb with no verb of their own: in its sentence ("..., only if it holds"),
    or a next line about the market ("if it breaks 601"), up to the next clause that acts."""
    _, clause_end = msg.clause_span(at)
    _, sentence_end = msg.sentence_span(at)
    out: list[int] = []
    j = clause_end
    while j < len(msg.items):
        lo, hi = msg.clause_span(j)
        if not verb_at.isdisjoint(range(lo, hi)):
            break
        same_sentence = lo < sentence_end
        if msg.first(_STOP_OR_TARGETS, lo, hi) is None and (same_sentence or _about_market(msg, lo, hi)):
            out.extend(range(lo, hi))
        j = max(hi, j + 1)
    return out


def _about_market(msg: IndexedMessage, start: int, end: int) -> bool:
    """A line that names a level or a move of the market, not one addressed to the reader."""
    return not _MARKET_KINDS.isdisjoint(msg.kinds[start:end]) or not _MARKET_WORDS.isdisjoint(
        msg.texts[start:end]
    )


def _reported(msg: IndexedMessage, ins: Instruction) -> bool:
    """An entry with its result written after it: "-> 1.80", "up 3.10", "+50%", "was a great entry"."""
    end = msg.sentence_span(ins.head)[1]
    for j in range(ins.head + 1, max(end, ins.end)):
        kind = msg.kinds[j]
        if kind in ("ARROW", "PAST") or (kind == "RECAP" and msg.text(j) not in STRONG_RECAP):
            return True
        nxt = msg.kinds[j + 1] if j + 1 < len(msg.items) else ""
        if kind == "UP" and nxt in ("NUM", "PCT"):
            return True
        if kind == "SIGN" and msg.text(j) == "+" and nxt == "PCT":
            return True
    return False


def _stop_correction(msg: IndexedMessage, start: int, end: int) -> bool:
    return not _STOP_OR_MOVE.isdisjoint(msg.kinds[start:end])


def _spread_strikes(msg: IndexedMessage) -> bool:
    """``100/110C``: two strikes with a right, one contract per leg."""
    return any(msg.items[j].value[1] for j in msg.positions("SLASHES"))


def verbless_reason(msg: IndexedMessage) -> str | None:
    """Why a message with no verb is not an order (a contract and a price alone would be one)."""
    kinds = set(msg.kinds)
    for kind, reason in (("QMARK", "question"), ("QUESTION", "question"), ("DISC", "discretionary"),
                         ("NEG", "negated"), ("IF", "conditional"), ("WATCH", "watchlist"),
                         ("INTENT", "commentary"), ("SPREAD", "unsupported_spread"),
                         ("CORRECTION", "ambiguous"), ("RETRACT", "retracted")):  # fmt: skip
        if kind in kinds:
            return reason
    if kinds & {"LONG", "SHORT"}:
        return "commentary"  # "I'm long SPY from yesterday": a position held, not an order
    if any(_condition(msg, j) for j in range(len(msg.items))):
        return "conditional"
    if kinds & {"RECAP", "PAST", "ARROW"}:
        return "recap"
    if "INFO" in kinds:
        return "informational"  # "PT hit on SPY 580C +44%": a status report
    return "recap" if _gain(msg) else None


def _gain(msg: IndexedMessage) -> bool:
    return any(
        (kind == "UP" or (kind == "SIGN" and msg.text(j) == "+"))
        and msg.kinds[j + 1 : j + 2] in (["PCT"], ["NUM"])
        for j, kind in enumerate(msg.kinds)
    )
