"""Which words in a message are actions, and what each one does.

Most action words always act (BTO, trim, stopped out). A few are verbs only where they are used as
one, and each has its rule here: "close" (not "5 red closes", "close to 300%", "friday close:"),
"out" (not "out there", "ride it out"), "entry" (not "a safer entry"), "in" (only "IN: 4000",
"in at 250", "IN SPY 3/6 582C"), "flat" (not "flat on the day"), "took"/"taking" (an entry with a
contract after it, a trim with profits or a size), "long"/"short" (not "I'm long from yesterday").
"""

from __future__ import annotations

from typing import NamedTuple

from .indexed import IndexedMessage
from .phrases import Phrase
from .symbols import evidence
from .vocabulary import CONTEXT, ENGLISH, listed_symbols

OPEN, ADD, EXIT, TRIM, MOVE, CANCEL = "open", "add", "exit", "trim", "move_stop", "cancel"

_ALWAYS = {"BUY": OPEN, "SELL": EXIT, "COVER": EXIT, "EXIT": EXIT, "STOPPED": EXIT, "TRIM": TRIM,
           "ADD": ADD, "CANCEL": CANCEL}  # fmt: skip
_HOLDING = CONTEXT["holding"]
_NOUN_BEFORE = CONTEXT["noun_before_entry"]
_MARKET_CLOSE_BEFORE = CONTEXT["market_close_before"]
_MARKET_CLOSE_AFTER = frozenset({"ABOVE", "BELOW", "INFO", "IN", "UP"})
_MARKET_CLOSE_NOUNS = CONTEXT["market_close_nouns"]
_PARTICLE_HEADS = CONTEXT["out_particle_heads"]
_NOT_EXIT_AFTER_OUT = CONTEXT["not_exit_after_out"]
_OUT_OF_IDIOMS = CONTEXT["out_of_idioms"]
_PRONOUNS = CONTEXT["before_exit_word"]
_OPENERS = frozenset({"BUY", "ENTRY", "IN", "OPEN", "TAKE", "ADD"})
_EXITERS = frozenset({"SELL", "CLOSE", "EXIT", "OUT", "COVER", "STOPPED", "TRIM"})
_SKIP_TO_OBJECT = CONTEXT["before_taken_object"]
_CONTRACTS = frozenset({"option", "dated", "TICKER", "FUT"})
_TRIM_OBJECTS = frozenset({"PROFIT", "TRIM", "FRAC", "OFF", "SCALE"})
_SIDED = _OPENERS | _EXITERS
_PRICED = frozenset({"NUM", "RANGE", "price"})
_LEADERS = frozenset({"TAG", "COLON", "DASH"})
_OFF_WORDS = frozenset({"OFF", "HERE", "PROFIT"})
_ACTS_ON_ENTRY = frozenset({"CANCEL", "SELL", "CLOSE", "EXIT", "STOPPED", "TRIM", "ADD", "COVER"})
_MANNER = frozenset({"HERE", "LONG", "SHORT", "MKT", "WORD", "RETRACT"})
_PARTIAL_AFTER = frozenset({"FRAC", "SOME", "TRIM", "SCALE"})


class Verb(NamedTuple):
    at: int
    kind: str  # open | add | exit | trim | move_stop | cancel


def verbs(msg: IndexedMessage) -> list[Verb]:
    candidates = sorted(i for kind in _CANDIDATES.intersection(msg.where) for i in msg.where[kind])
    found = []
    for i in candidates:
        what = _verb(msg, i, msg.kinds[i])
        if what is not None:
            found.append(Verb(i, what))
    return found


def _verb(msg: IndexedMessage, i: int, kind: str) -> str | None:
    if kind == "RETRACT" and msg.text(i).startswith("cancel") and _ALWAYS.keys().isdisjoint(msg.kinds[:i]):
        return CANCEL  # "cancel that order" on its own cancels the order; after an entry it retracts it
    if kind == "COVER" and msg.texts[i] == "btc" and not _contract_near(msg, i):
        return None  # "BTC pumping hard": bitcoin, not buy-to-close
    if kind in _EVERYDAY and _not_a_trade_verb(msg, i, kind):
        return None
    if kind in _ALWAYS:
        base = _ALWAYS[kind]
        return TRIM if base == EXIT and _partial(msg, i) else base
    rule = _RULES.get(kind)
    return rule(msg, i) if rule is not None else None


_CANDIDATES = frozenset({*_ALWAYS, "RETRACT", "OFF", "LONG", "SHORT", "ENTRY", "IN", "OPEN", "TAKE", "CLOSE",
                         "OUT", "FLAT", "move", "stop"})  # fmt: skip


# ---------------------------------------------------------------- the words that are verbs only sometimes


def _side_word(msg: IndexedMessage, i: int) -> str | None:
    """ "long"/"short" open a position, unless they describe one held or name another verb's side."""
    if _before_in_clause(msg, i, 3) & _HOLDING:
        return None
    start, _ = msg.clause_span(i)
    if not _SIDED.isdisjoint(msg.kinds[start:i]):
        return None  # "entry long", "closed ... short": the side of that verb
    return OPEN


def _entry(msg: IndexedMessage, i: int) -> str | None:
    prev = msg.text(i - 1) if i else ""
    if prev in _NOUN_BEFORE or msg.kinds[i - 1 : i] in (["TO"], ["BE"]):
        return None  # "a safer entry", "from entry", "to be opened"
    clause_start, _ = msg.clause_span(i)
    if msg.text(i) == "entries" or not _ACTS_ON_ENTRY.isdisjoint(msg.kinds[clause_start:i]):
        return None  # "cancelled TSLA entry": the entry is that verb's object
    nxt = _next_content(msg, i)
    if nxt is None or msg.kinds[nxt] in ("SEP", "COMMA"):
        return OPEN if _entry_line(msg, i) else None  # "AEHL 1.44 entry", "Immediate entry"
    follower = msg.kinds[nxt]
    if follower in ("price", "NUM", "RANGE", "option", "dated", "TICKER", "FUT", "LONG", "SHORT", "MKT",
                    "HERE", "COLON", "DASH", "stop", "targets"):  # fmt: skip
        return OPEN
    tok = msg.tok(nxt)
    return OPEN if tok is not None and evidence(tok, msg.has_lower) else None


def _entry_line(msg: IndexedMessage, i: int) -> bool:
    """A line that ends with "entry": a ticker and a price before it, or nothing but words of manner."""
    start, _ = msg.sentence_span(i)
    before = [msg.kinds[j] for j in range(start, i) if msg.kinds[j] not in ("TAG", "COLON", "DASH")]
    return not _PRICED.isdisjoint(before) or _MANNER.issuperset(before)


_IN_AFTER = frozenset({"ENTRY", "TAG", "SOME", "BUY", "LONG"})


def _in(msg: IndexedMessage, i: int) -> str | None:
    """ "IN: 3635", "IN 4305 - 10 pt stop", "in at 250", "IN SPY 3/6 582C", "I'm in SPY 580C"."""
    nxt = i + 1 if i + 1 < len(msg.items) else None
    if nxt is None:
        return None
    follower = msg.kinds[nxt]
    if follower == "COLON" and nxt + 1 < len(msg.items):
        nxt, follower = nxt + 1, msg.kinds[nxt + 1]
    start, _ = msg.sentence_span(i)
    leads = _LEADERS.issuperset(msg.kinds[start:i])
    if follower in ("NUM", "RANGE"):
        after = msg.kinds[nxt + 1] if nxt + 1 < len(msg.items) else ""
        labelled = msg.kinds[i + 1] == "COLON"
        # "IN: 3635", "IN 4305 - 10 pt stop"; not "in 10 minutes", nor "IN 11090 OUT 11503" (a result)
        return OPEN if (leads or labelled) and after != "OUT" else None
    if follower == "price":
        return OPEN
    leads = (
        leads
        or msg.text(i - 1) in ("i'm", "im", "we're", "all", "got", "just")
        or msg.kinds[i - 1] in _IN_AFTER
    )
    return OPEN if leads and follower in ("option", "dated", "TICKER", "FUT") else None


def _open(msg: IndexedMessage, i: int) -> str | None:
    start, _ = msg.sentence_span(i)
    nxt = _next_content(msg, i)
    if i != start or nxt is None:
        return None
    return OPEN if msg.kinds[nxt] in ("LONG", "SHORT", "option", "TICKER", "FUT") else None


def _take(msg: IndexedMessage, i: int) -> str | None:
    """ "took qqq 276p" opens; "taking profits", "take some off", "took half" trim."""
    _, end = msg.clause_span(i)
    for j in range(i + 1, min(end, i + 6)):
        kind = msg.kinds[j]
        if kind in _CONTRACTS and not (kind == "dated" and fraction_date(msg, j)):
            return OPEN
        if kind in ("ORD", "REST"):
            continue
        tok = msg.tok(j)
        if kind == "WORD" and tok is not None and tok.text not in _SKIP_TO_OBJECT:
            return OPEN if evidence(tok, msg.has_lower) else None
        if kind in _TRIM_OBJECTS or (kind in ("SOME", "PCT") and _off_follows(msg, j, end)):
            return TRIM
        if kind == "points" and j == i + 1:
            return TRIM  # "taking 20 pts here": profit taken on part of the position
    return None


def _off_follows(msg: IndexedMessage, j: int, end: int) -> bool:
    return not _OFF_WORDS.isdisjoint(msg.kinds[j + 1 : min(end, j + 3)])


def _close(msg: IndexedMessage, i: int) -> str | None:
    text = msg.text(i)
    if text == "closes" or msg.text(i - 1) in _MARKET_CLOSE_BEFORE or msg.kinds[i - 1 : i] == ["NUM"]:
        return None
    nxt = i + 1 if i + 1 < len(msg.items) else None
    if nxt is not None:
        follower = msg.kinds[nxt]
        if (
            follower in _MARKET_CLOSE_AFTER
            or msg.text(nxt) in _MARKET_CLOSE_NOUNS
            or msg.text(nxt)
            in (
                "above",
                "below",
                "higher",
                "lower",
                "strong",
            )
        ):
            return None
        if follower == "COLON" and text == "close":
            return None  # "friday close: 21044.50": the market's close, as a label
        if follower == "TO" and nxt + 1 < len(msg.items) and msg.kinds[nxt + 1] in ("PCT", "NUM", "WORD"):
            return None  # "close to 300%", "close to the highs"
    return TRIM if _partial(msg, i) or _first_piece(msg, i) else EXIT


def _first_piece(msg: IndexedMessage, i: int) -> bool:
    """ "close your first entries", "close oldest positions", "close TP1 here": part of a position."""
    _, end = msg.clause_span(i)
    for j in range(i + 1, min(end, i + 4)):
        if msg.text(j) in ("first", "oldest", "1st", "earliest"):
            return True
        phrase = msg.items[j]
        if (
            isinstance(phrase, Phrase)
            and phrase.kind == "targets"
            and phrase.value[1]
            and not phrase.value[0]
        ):
            return True
    return False


def _particle_head(word: str) -> bool:
    """A verb "out" is the particle of, in any person: "work out", "works out", "washes out"."""
    return word in _PARTICLE_HEADS or (
        word.endswith("s") and (word[:-1] in _PARTICLE_HEADS or word[:-2] in _PARTICLE_HEADS)
    )


def _out(msg: IndexedMessage, i: int) -> str | None:
    prev = msg.text(i - 1) if i else ""
    if _particle_head(prev) or (
        msg.kinds[i - 1 : i] == ["WORD"] and prev.endswith("ing") and prev not in _PRONOUNS
    ):
        return None  # "ride it out", "check out", "playing out", "it works out"
    nxt = i + 1 if i + 1 < len(msg.items) else None
    if nxt is not None:
        if msg.text(nxt) in _NOT_EXIT_AFTER_OUT:
            return None
        if msg.text(nxt) == "of" and nxt + 1 < len(msg.items) and msg.text(nxt + 1) in _OUT_OF_IDIOMS:
            after = msg.text(nxt + 2) if nxt + 2 < len(msg.items) else ""
            if msg.text(nxt + 1) != "the" or after in _OUT_OF_IDIOMS:
                return None  # "out of the money", "out of nowhere"
    start, _ = msg.sentence_span(i)
    if any(msg.kinds[j + 1 : j + 2] == ["NUM"] for j in msg.positions("IN", start, i)):
        return None  # "IN 11090 OUT 11503": the result line of another verb
    return TRIM if _partial(msg, i) else EXIT


def _flat(msg: IndexedMessage, i: int) -> str | None:
    start, end = msg.sentence_span(i)
    if not _EXITERS.isdisjoint(msg.kinds[start:i]) or not _EXITERS.isdisjoint(msg.kinds[i + 1 : end]):
        return None  # "closed flat": the other verb acts
    nxt = i + 1 if i + 1 < end else None
    if nxt is not None and msg.text(nxt) in _POINTING and _named(msg, nxt + 1):
        nxt = None  # "flat on ES": out of ES
    if nxt is not None and msg.kinds[nxt] not in ("HERE", "SEP", "COMMA", "TICKER", "FUT", "option"):
        return None  # "flat on the day"
    clause_start, _ = msg.clause_span(i)
    before = [j for j in range(clause_start, i) if msg.kinds[j] not in ("TAG", "COLON")]
    return EXIT if all(msg.text(j) in _PRONOUNS or msg.kinds[j] == "TICKER" for j in before) else None


_POINTING = frozenset({"on", "in"})


def _named(msg: IndexedMessage, j: int) -> bool:
    tok = msg.tok(j)
    return tok is not None and tok.kind in ("TICKER", "FUT", "WORD") and evidence(tok, msg.has_lower)


def _move(msg: IndexedMessage, i: int) -> str | None:
    phrase = msg.items[i]
    assert isinstance(phrase, Phrase)
    if target_update(msg, i):
        return None
    if phrase.value is None:  # "move stop on TSLA to 245"; "trailing my stop" has no level to move it to
        return MOVE if level_after_bare_stop(msg, i) is not None else None
    return MOVE


def target_update(msg: IndexedMessage, i: int) -> bool:
    """ "PT raised to 2.80": a move of the target, which the schema cannot hold (informational)."""
    phrase = msg.items[i]
    start, _ = msg.clause_span(i)
    after_target = i > start and msg.kinds[i - 1] == "targets"
    return after_target and isinstance(phrase, Phrase) and not any(t.kind == "SL" for t in phrase.toks)


def _stop(msg: IndexedMessage, i: int) -> str | None:
    """A stop with a level after "keep", "place", "raise" (in its clause) is a stop move, as is
    "stop is now break even"; "sl here" with no level is the stop taken: an exit."""
    phrase = msg.items[i]
    assert isinstance(phrase, Phrase)
    start, _ = msg.clause_span(i)
    moved = "MOVE" in msg.kinds[start:i]
    if phrase.value is not None:
        return MOVE if moved else None
    if level_after_bare_stop(msg, i) is not None:
        return MOVE if moved or msg.kinds[i + 1 : i + 2] == ["HERE"] else None
    return EXIT if msg.text(i + 1) == "here" else None


# What may stand between a stop and its level: "stop on the rest is .40", "stop on NVDA calls to 2.00".
_FILLERS = frozenset(
    {"WORD", "REST", "SOME", "HERE", "TO", "AT", "RIGHT", "TICKER", "FUT", "TAG", "UP", "COLON"}
)


def level_after_bare_stop(msg: IndexedMessage, j: int) -> tuple[str, ...] | tuple[str, object] | None:
    """ "Stop on the rest is .40", "stop is now break even": a bare stop's level, a few filler words on."""
    _, end = msg.clause_span(j)
    for k in range(j + 1, min(end, j + 7)):
        kind = msg.kinds[k]
        if kind == "NUM":
            return ("price", msg.items[k].value)
        if kind in ("BE", "ENTRY", "FLAT"):
            return ("be",)
        if kind not in _FILLERS:
            return None
    return None


def _off(msg: IndexedMessage, i: int) -> str | None:
    """ "half off here", "1/3 off at 2.10": a share taken off is a trim, even with no verb."""
    if not i or msg.kinds[i - 1] not in ("FRAC", "SOME", "PCT"):
        return None
    nxt = msg.kinds[i + 1] if i + 1 < len(msg.items) else "SEP"
    return TRIM if nxt in ("SEP", "COMMA", "HERE", "price", "NUM", "AT") else None


_RULES = {"OFF": _off, "LONG": _side_word, "SHORT": _side_word, "ENTRY": _entry, "IN": _in, "OPEN": _open,
          "TAKE": _take, "CLOSE": _close, "OUT": _out, "FLAT": _flat, "move": _move,
          "stop": _stop}  # fmt: skip


# ---------------------------------------------------------------- helpers


def _contract_near(msg: IndexedMessage, i: int) -> bool:
    _, end = msg.clause_span(i)
    for j in range(i + 1, min(end, i + 4)):
        if msg.kinds[j] in _CONTRACTS:
            return True
        tok = msg.tok(j)
        if tok is not None and tok.kind == "WORD" and evidence(tok, msg.has_lower):
            return True
        if msg.kinds[j] not in ("NUM", "REST", "QTY"):
            return False
    return False


def _partial(msg: IndexedMessage, i: int) -> bool:
    """An exit that names part of the position ("sold half", "STC 50%", "out 2/3", "partial") is a trim."""
    _, end = msg.clause_span(i)
    for j in range(i + 1, min(end, i + 5)):
        kind = msg.kinds[j]
        if (
            kind in _PARTIAL_AFTER
            or (kind == "PCT" and j == i + 1)
            or (kind == "dated" and fraction_date(msg, j))
        ):
            return True
        if kind == "REST":
            return False  # "closed final scale", "sold the rest"
    return False


def fraction_date(msg: IndexedMessage, j: int) -> bool:
    """``1/3`` or ``2/3`` after an exit word is a share of the position, not an expiry."""
    phrase = msg.items[j]
    if not isinstance(phrase, Phrase) or phrase.kind != "dated" or phrase.value.expiry.kind != "DATE":
        return False
    month, day, year = phrase.value.expiry.value
    return year is None and month < day <= 5


def _before_in_clause(msg: IndexedMessage, i: int, count: int) -> set[str]:
    start, _ = msg.clause_span(i)
    return {msg.text(j) for j in range(max(start, i - count), i)}


def _not_a_trade_verb(msg: IndexedMessage, i: int, kind: str) -> bool:
    """Trade words in everyday sentences: "MOC imbalance 1.2B to buy", "sold my house", "exit polls",
    "stopped by to say hi", "out sick today", "cut my losses yesterday"."""
    nxt = _first_word(msg, i + 1)
    if kind in ("BUY", "SELL") and _trailing_infinitive(msg, i):
        return True  # the side of an imbalance, not an order
    if kind == "EXIT" and msg.text(i) in ("exit", "exits") and nxt in _EXIT_NOUNS:
        return True
    if kind == "STOPPED" and msg.text(i) == "stopped" and nxt in ("by", "in", "trading", "playing"):
        return True
    if kind == "OUT" and (nxt in _AWAY or (nxt == "for" and msg.text(i + 2) in _AWAY)):
        return True
    if kind in _EXITERS and kind != "OUT" and _personal_object(msg, i):
        return True
    return _long_ago(msg, i)


_EVERYDAY = frozenset({"BUY", "SELL", "EXIT", "STOPPED", "OUT", "CLOSE", "TRIM", "COVER"})
_EXIT_NOUNS = CONTEXT["exit_nouns"]
_AWAY = CONTEXT["away"]
_POSSESSIVES = CONTEXT["possessives"]
_TRADE_NOUNS = CONTEXT["trade_nouns"]
_LONG_AGO = CONTEXT["long_ago"]


def _first_word(msg: IndexedMessage, i: int) -> str:
    """The text of item ``i``, or of its first token when it is a phrase ("for" of "for lunch")."""
    if i >= len(msg.items):
        return ""
    item = msg.items[i]
    return item.toks[0].text if isinstance(item, Phrase) else msg.texts[i]


def _personal_object(msg: IndexedMessage, i: int) -> bool:
    """ "sold my house", "trimmed my beard": a possession that is plainly not a ticker."""
    if msg.text(i + 1) not in _POSSESSIVES:
        return False
    tok = msg.tok(i + 2)
    if tok is None or tok.kind != "WORD" or tok.upper or tok.text in _TRADE_NOUNS:
        return False
    return tok.text in ENGLISH and tok.text.upper() not in listed_symbols()


def _long_ago(msg: IndexedMessage, i: int) -> bool:
    """ "cut my losses too late yesterday", "sold it last week": told of a day before, in its clause."""
    start, end = msg.clause_span(i)
    return any(msg.texts[j] in _LONG_AGO for j in msg.positions("PAST", start, end))


def _trailing_infinitive(msg: IndexedMessage, i: int) -> bool:
    """ "to buy" / "to sell" ending its sentence: the verb has no object, so it orders nothing."""
    if not i or msg.kinds[i - 1] != "TO":
        return False
    nxt = _next_content(msg, i)
    return nxt is None or msg.kinds[nxt] in ("SEP", "QMARK")


def _next_content(msg: IndexedMessage, i: int) -> int | None:
    for j in range(i + 1, len(msg.items)):
        if msg.kinds[j] not in ("TAG", "DASH"):
            return j
    return None
