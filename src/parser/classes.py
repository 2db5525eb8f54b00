"""The lexer's second pass: words -> their vocabulary classes, and the readings that need a neighbour.

Words are looked up in data/vocabulary.toml, longest phrase first ("stop loss" before "stop").
The neighbour rules: an ordinal before a target word ("1st TP"); four digits MMDD against a strike
(its expiry); "1/3" after a selling verb (a share, not a date); "TGT" in capitals before a contract
(the ticker, not "target"); "dca .62" (an average, not an add); "🛑 stop" (one word written twice);
a card's "notes:" line (dropped: commentary never changes the trade); separators inside a target
list ("PT 1.60, 2.00, 2.50" is one list).
"""

from __future__ import annotations

import re
from decimal import Decimal

from .tokens import Tok
from .tokens import tok as make
from .vocabulary import FUTURES, PHRASE_TABLE, PHRASES, WORDS, Entry


def classify(raw: list[Tok]) -> list[Tok]:
    """The neighbour rules, over tokens whose words already have their classes (see ``word``)."""
    return _second_pass(raw)


def context_free(text: str) -> bool:
    """The word's class depends on no other word: not a phrase's first word, nor written as two."""
    return text not in PHRASE_TABLE and text not in _EXPANSIONS


def word(chunks: list[tuple[str, str, int, int, bool]], i: int, out: list[Tok]) -> int:
    """Append the class of the word (or the vocabulary phrase) at ``chunks[i]``; the index after it."""
    _, text, start, _, upper = chunks[i]
    expanded = _EXPANSIONS.get(text)
    if expanded is not None:  # "slbe": stop to breakeven, written as one word
        out.extend(make(kind, text, None, upper, start) for kind in expanded)
        return i + 1
    if text in PHRASE_TABLE:
        entry, used = _phrase_at(chunks, i)
    else:
        entry, used = WORDS.get(text), 1
    if entry is None:
        out.append(_plain_word(text, upper, start))
        return i + 1
    if entry.kind == "GLUE":  # "is", "expiration": words that carry nothing
        return i + used
    if used > 1:
        words = chunks[i : i + used]
        out.append(
            make(entry.kind, " ".join(c[1] for c in words), entry.value, all(c[4] for c in words), start)
        )
    else:
        out.append(make(entry.kind, text, entry.value, upper, start))
    return i + used


def keeps_slash(text: str) -> bool:
    """A slashed word that is one word: ``b/e``, ``s/l`` (vocabulary) or a pair (``usd/cad``)."""
    if text in WORDS or text in PHRASES:
        return True
    from .symbols import pair_asset  # symbols.py classifies; the lexer only keeps the pair whole

    parts = text.split("/")
    return len(parts) == 2 and all(len(p) >= 3 for p in parts) and pair_asset(parts[0] + parts[1]) is not None


def _second_pass(raw: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    append = out.append
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        kind = tok[0]
        i += 1
        if kind not in _CONTEXTUAL:
            append(tok)
            continue
        prev = out[-1] if out else None
        previous = prev[0] if prev is not None else ""
        if kind == "COLON" and previous == "NOTES":
            out.pop()
            i = _skip_line(raw, i)  # a card's notes: commentary, never the trade
            continue
        if kind == "NUM" and previous == "PT" and prev.value is None and _ordinal_label(raw, i - 1):  # type: ignore[union-attr]
            out[-1] = prev._replace(value=int(tok.value))  # type: ignore[union-attr]  # "Take Profit 2: 242"
            continue
        if kind == "NUM" and previous in _SHARE_VERBS and _share_of(raw, i - 1):
            part, whole = tok.value, raw[i + 1].value  # "sold 2 of 4 contracts": half, not 4 contracts
            append(make("FRAC", tok.text, (part / whole).quantize(Decimal("0.01")), False, tok.pos))
            i += 2
            continue
        if kind == "NUM":
            tok = _number_in_context(raw, i - 1, out)
        elif kind == "DATE" and previous in _SHARE_VERBS and _share(tok):
            month, day, _ = tok.value  # "sold 1/3 NVDA", "STC 1/2 SPY 580c": a share, not an expiry
            tok = make(
                "FRAC", tok.text, (Decimal(month) / Decimal(day)).quantize(Decimal("0.01")), False, tok.pos
            )
        elif kind == "PT" and previous == "ORD":
            out[-1] = tok._replace(value=int(prev.value))  # type: ignore[union-attr]  # "1st TP", "2nd target"
            continue
        elif kind == "PT" and tok.upper and tok.value is None and _contract_follows(raw, i - 1, previous):
            tok = tok._replace(kind="WORD")  # "BTO TGT 3/20 150C": the ticker TGT, not "target"
        elif kind == "WORD" and previous == "SLASHES" and tok.text in ("pips", "pip"):
            tok = tok._replace(kind="PIPS")  # "TP 30/60 pips": the list's unit
        elif kind == "STRIKE" and _pips_after_level_word(tok, out):
            tok = make("PIPS", tok.text, tok.value[0], False, tok.pos)  # "SL 30p", "TP: 50p": pips, not a put
        elif kind == "COVER" and tok.text == "btc" and (previous in _OPENING or _side_follows(raw, i)):
            tok = tok._replace(kind="WORD")  # "Long BTC 62000", "BTC long 96500": the coin
        if kind in ("SL", "PT") and previous == kind and prev.value is None:  # type: ignore[union-attr]
            out.pop()  # "🛑 stop:", "🎯 target", "🛑 slbe": one word written twice
        append(tok)
    return _join_target_lists(out)


_CONTEXTUAL = frozenset({"COLON", "NUM", "DATE", "PT", "SL", "COVER", "STRIKE", "WORD"})
_GLUED_P = re.compile(r"\d+(?:\.\d+)?p")


def _pips_after_level_word(tok: Tok, out: list[Tok]) -> bool:
    """``30p`` right after a stop or target word (perhaps with a colon) is a distance in pips: a
    stop is never written as a put contract."""
    if not _GLUED_P.fullmatch(tok.text):
        return False
    back = len(out) - 1
    if back >= 0 and out[back].kind == "COLON":
        back -= 1
    return back >= 0 and out[back].kind in ("SL", "PT")


def _number_in_context(raw: list[Tok], i: int, out: list[Tok]) -> Tok:
    tok = raw[i]
    prev = out[-1] if out else None
    if prev is not None and prev[0] == "WORD" and prev.text == "za":
        out[-1] = make("AT", prev.text, None, False, prev.pos)  # Czech "za 332": 3.32 a contract
        return tok._replace(value=tok.value / 100)
    if prev is not None and prev[0] == "ADD" and prev.text in ("dca", "avg"):
        out[-1] = prev._replace(kind="AVG")  # "dca is .62": the average, not an add
    if _mmdd_next_to_strike(raw, i):
        return make("DATE", tok.text, (int(tok.text[:2]), int(tok.text[2:]), None), False, tok.pos)
    return tok


_OPENING = frozenset({"BUY", "LONG", "SHORT", "SELL"})


_SHARE_VERBS = frozenset({"SELL", "CLOSE", "EXIT", "OUT", "TRIM", "TAKE", "COVER"})


def _ordinal_label(tokens: list[Tok], i: int) -> bool:
    """``1`` in ``Take Profit 1: 235``: a small whole number with a colon or dash after it."""
    value = tokens[i].value
    after = tokens[i + 1].kind if i + 1 < len(tokens) else ""
    return value is not None and value == int(value) and 1 <= value <= 5 and after in ("COLON", "DASH")


def _side_follows(tokens: list[Tok], i: int) -> bool:
    return i < len(tokens) and tokens[i].kind in _OPENING


def _share_of(tokens: list[Tok], i: int) -> bool:
    """``2 of 4`` (contracts): a whole number of a larger whole number."""
    if i + 2 >= len(tokens) or tokens[i + 1].text != "of" or tokens[i + 2].kind not in ("NUM", "QTY"):
        return False
    part, whole = tokens[i].value, tokens[i + 2].value
    return (
        part is not None
        and whole is not None
        and part == int(part)
        and whole == int(whole)
        and 0 < part < whole
    )


def _share(tok: Tok) -> bool:
    month, day, year = tok.value
    return year is None and 0 < month < day <= 5


def _contract_follows(tokens: list[Tok], i: int, previous: str) -> bool:
    """A strike (perhaps after a date) comes next. A glued ``50p`` with no date after it names a
    ticker's put only right after a verb or at the start ("BTO TGT 150P") in a message naming no
    forex pair or metal; otherwise it is pips ("SL 30p TP 50p", "EURUSD BUY NOW TP 50P")."""
    kinds = [t[0] for t in tokens[i + 1 : i + 3]]
    if kinds == ["DATE", "STRIKE"]:
        return True
    if kinds[:1] != ["STRIKE"]:
        return False
    if not _GLUED_P.fullmatch(tokens[i + 1].text) or kinds[1:] == ["DATE"]:
        return True
    return (previous in _OPENING or previous in ("", "SEP")) and not _names_spot(tokens)


def _names_spot(tokens: list[Tok]) -> bool:
    """The message names a forex pair or spot metal (``EURUSD``, ``GOLD``): its "TP 50p" is pips."""
    from .models import Asset
    from .symbols import pair_asset  # symbols.py classifies; asked only in this rare case
    from .vocabulary import METAL_NAMES

    return any(
        t.kind == "WORD" and (pair_asset(t.text) is Asset.FOREX or t.text.upper() in METAL_NAMES)
        for t in tokens
    )


def _skip_line(tokens: list[Tok], i: int) -> int:
    while i < len(tokens) and not (tokens[i].kind == "SEP" and tokens[i].text == "\n"):
        i += 1
    return i


def _mmdd_next_to_strike(tokens: list[Tok], i: int) -> bool:
    """``spx 0109 5900c`` / ``5850c 0116``: four digits MMDD against a strike are its expiry."""
    text = tokens[i].text
    if not (len(text) == 4 and text.isdigit() and 1 <= int(text[:2]) <= 12 and 1 <= int(text[2:]) <= 31):
        return False
    before = tokens[i - 1].kind if i else ""
    after = tokens[i + 1].kind if i + 1 < len(tokens) else ""
    return "STRIKE" in (before, after)


_LEVELS = frozenset({"NUM", "PCT", "PTS", "RANGE", "SLASHES", "DATE"})
_LIST_SEPARATORS = frozenset({"COMMA", "SEP", "DASH", "PLUS"})


def _join_target_lists(tokens: list[Tok]) -> list[Tok]:
    """``PT 1.60, 2.00, 2.50`` / ``Tp 1.11\\n1.3\\n1.48``: the separators inside a list of levels go."""
    out: list[Tok] = []
    in_targets = False
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind == "PT":
            in_targets = True
        elif in_targets and kind in _LIST_SEPARATORS:
            prev = out[-1].kind if out else ""
            nxt = tokens[i + 1].kind if i + 1 < len(tokens) else ""
            if prev in _LEVELS and nxt in _LEVELS:
                continue
        elif kind not in _LEVELS and kind not in ("COLON", "SIGN", "ROCKET"):
            in_targets = False
        out.append(tok)
    return out


def _phrase_at(chunks: list[tuple[str, str, int, int, bool]], i: int) -> tuple[Entry | None, int]:
    """The longest vocabulary phrase starting at ``i`` (or the single word's entry), and its length."""
    first = chunks[i][1]
    longest, options = PHRASE_TABLE[first]
    following: list[str] = []
    for k in range(i + 1, min(len(chunks), i + 1 + longest)):
        if chunks[k][0] != "w":
            break
        following.append(chunks[k][1])
    for size in range(len(following), 0, -1):
        entry = options.get(tuple(following[:size]))
        if entry is not None:
            return entry, size + 1
    return WORDS.get(first), 1


_EXPANSIONS = {"slbe": ("SL", "BE"), "sltobe": ("SL", "BE")}


def _plain_word(text: str, upper: bool, start: int) -> Tok:
    """A word outside the vocabulary: ``x3`` (a size), ``esz6`` (a futures contract month), or a word."""
    if text[0] == "x" and text[1:].isdigit():
        return make("QTY", text, Decimal(text[1:]), upper, start)
    future = future_code(text) if len(text) <= 6 and text[-1:].isdigit() else None
    if future is not None:
        return make("FUT", text, future, upper, start)
    return make("WORD", text, None, upper, start)


_FUTURE_MONTH = re.compile(r"([a-z0-9]{1,3}?)([fghjkmnquvxz])(\d{1,2})")


def future_code(text: str) -> tuple[str, str | None, int | None] | None:
    """``es`` -> (ES, None, None); ``esz6`` / ``mesz26`` -> (ES, "Z", 6) / (MES, "Z", 26)."""
    if text.upper() in FUTURES:
        return (text.upper(), None, None)
    coded = _FUTURE_MONTH.fullmatch(text)
    if coded is not None and coded.group(1).upper() in FUTURES:
        return (coded.group(1).upper(), coded.group(2).upper(), int(coded.group(3)))
    return None
