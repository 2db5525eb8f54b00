"""The lexer's first pass: the folded text -> words, numbers, contracts, dates and punctuation.

One small regex cuts the text into chunks (a word, a number-like run, a $ticker, one punctuation
mark); Discord markup, links and tags are dropped there. Each chunk is then read by its shape, and
the few readings that span chunks are joined: "580 call", "10 pts", "25 %", "Mar 20 2026",
"20th March", "1.20 - 1.30", "TP 1 -", "C - 200", "@ mkt", "-5" as a sign, "/ES" as a future.
Words are left as ``WORD`` here; their vocabulary class is classes.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .classes import context_free, future_code, keeps_slash, word
from .tokens import Tok, tok

Chunk = tuple[str, str, int, int, bool]  # (shape, text, start, end, written in capitals)

_CHUNK = re.compile(
    r"([^\S\n]*)(?:"
    r"(<[^<>\s]*>|https?://\S+|(?<![\w:]):[a-z0-9_+-]{2,40}:(?!\w)|(?:per|via|cc|by)\s*@\S+"
    r"|@(?:everyone|here)\b|@(?!(?:m|mkt|market|hk)\b|c\.?\d)[a-z_][\w.]*)"
    r"|(~~[^~]+~~)"
    r"|([^\W\d_][\w']*(?:[./-][^\W\d_][\w']*)*)"
    r"|([$.]?\d[\w.,/:$%'~-]*)"
    r"|(\$[^\W\d_][\w.]*)"
    r"|(\n|-+>|=>|[.!;|\u2022]+|\?+|-+|\S)"
    r")",
    re.DOTALL,
)
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:,\d{1,2}(?![\d,]))?)(?:\.\d+)?|\.\d+"
_NUMERIC = re.compile(
    r"(?P<skip>\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?z?|\d{1,2}:\d{2}(?::\d{2})?(?:[ap]m)?"
    r"|\d{1,2}[ap]m|\d{15,21})"
    r"|(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<garbled>\d+(?:\.\d+)?e[+-]?\d+|\d+(?:\.\d+){2,})"
    r"|\.(?P<typo>\d+\.\d+)"
    r"|(?P<slashes>\$?\d+(?:\.\d+)?[cp]?(?:/\$?\d+(?:\.\d+)?[cp]?)+)(?P<sx>rds?|ths?|nds?|sts?)?"
    r"|(?P<range>\$?(?:" + _NUMBER + r")[-~]\$?(?:" + _NUMBER + r"))"
    r"|(?P<num>\$?(?:" + _NUMBER + r"))(?P<sfx>[a-z%]+)?"
)
_PREFIX = re.compile(r"\$?(?:" + _NUMBER + r")")
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
_MONTH_WORD = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\.?"
)
_MONTH_GLUED = re.compile(_MONTH_WORD.pattern + r"(\d{1,2})(?:st|nd|rd|th)?(?:'(\d{2})|((?:19|20)\d{2}))?")
_OCC = re.compile(r"([a-z]{1,6})(\d{6})([cp])(\d{8})")
_STRIKE_DASH = re.compile(r"([cp])-(\d+(?:\.\d+)?)")
_PT_ORDINAL = re.compile(r"(?:pt|tp|tgt|target|t\.p)s?([1-9])")
_TRAIL_GLUED = re.compile(r"ts(\d+(?:\.\d+)?)")

# What is glued to a number (580c, 10pts, 2x, 1st ...) or follows it as a word ("580 call", "10 pts").
_SUFFIXES = {
    "c": "STRIKE", "p": "STRIKE", "call": "STRIKE", "calls": "STRIKE", "put": "STRIKE", "puts": "STRIKE",
    "pt": "PTS", "pts": "PTS", "point": "PTS", "points": "PTS", "handle": "PTS", "handles": "PTS",
    "tick": "PTS", "ticks": "PTS", "pip": "PIPS", "pips": "PIPS", "x": "QTY", "contract": "QTY",
    "contracts": "QTY", "cons": "QTY", "cts": "QTY", "lot": "QTY", "lots": "QTY", "share": "QTY",
    "shares": "QTY", "%": "PCT", "st": "ORD", "nd": "ORD", "rd": "ORD", "th": "ORD", "dte": "DTE",
}  # fmt: skip
# A level name or a time after a number: "200ema", "5m", "2pm", "25k": not a number of the trade.
_NOISE = frozenset({"ema", "emas", "sma", "smas", "dma", "ma", "vwap", "min", "mins", "m", "hr", "hrs", "h",
                   "d", "w", "wk", "mo", "yr", "y", "k", "b", "bps", "am", "pm"})  # fmt: skip
_SPACED_NOISE = frozenset(
    {"ema", "emas", "sma", "smas", "vwap", "am", "pm", "a.m", "p.m", "et", "est", "edt"}
)
_SIZE_WORDS = frozenset({"sz", "size", "pos", "position"})
_PUNCT = {"\n": "SEP", ",": "COMMA", "(": "COMMA", ")": "COMMA", "[": "COMMA", "]": "COMMA", "{": "COMMA",
          "}": "COMMA", ":": "COLON", "=": "COLON", "@": "AT", "+": "PLUS", "\U0001f6d1": "SL",
          "\u26d4": "SL", "\U0001f3af": "PT", "\U0001f680": "ROCKET", "\u2705": "INFO", "\u2714": "INFO",
          "\u2192": "ARROW", "\u27a1": "ARROW", "\u21d2": "ARROW", "\u2022": "SEP"}  # fmt: skip
_TRAILING = ".,:;'/-_$"
_RUNS = re.compile(r"\.+|-+|.")


def number(text: str) -> Decimal:
    """``1,250`` -> 1250, ``1,61`` -> 1.61, ``.90`` -> 0.90, ``$2.50`` -> 2.50."""
    text = text.strip().lstrip("$").strip()
    if "," in text:
        head, _, tail = text.partition(",")
        text = text.replace(",", "") if len(tail.split(".")[0]) == 3 else f"{head}.{tail}"
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def chunk(low: str, cased: str) -> tuple[list[Chunk], bool]:
    """The message cut into chunks, and whether any text was struck through (and dropped)."""
    out: list[Chunk] = []
    append = out.append
    struck = False
    pos = 0
    for space, markup, strike, letters, numeric, ticker, punct in _CHUNK.findall(low):
        start = pos + len(space)
        if letters:
            shape, text = "w", letters
        elif punct:
            pos = start + len(punct)
            append(("p", punct, start, pos, False))
            continue
        elif numeric:
            shape, text = "n", numeric
        elif ticker:
            shape, text = "t", ticker
        else:
            struck = struck or bool(strike)
            pos = start + len(markup or strike)
            continue
        end = pos = start + len(text)
        if text[-1] in _TRAILING:
            stripped = text.rstrip(_TRAILING)
            cut = start + len(stripped)
            if stripped:
                append((shape, stripped, start, cut, cased[start:cut].isupper()))
            for run in _RUNS.finditer(low, cut, end):  # "here." "wo..." "11505-"
                append(("p", run.group(), run.start(), run.end(), False))
            continue
        append((shape, text, start, end, shape != "n" and cased[start:end].isupper()))
    return out, struck


def read(chunks: list[Chunk]) -> list[Tok]:
    """Tokens, with the readings that span chunks joined (see the module's doc)."""
    out: list[Tok] = []
    i = 0
    while i < len(chunks):  # a number glued to more grows the list (_numeric_prefix)
        shape = chunks[i][0]
        if shape == "w":
            i = _word(chunks, i, out)
        elif shape == "n":
            i = _numeric(chunks, i, out)
        elif shape == "t":
            _, text, start, _, _ = chunks[i]
            out.append(tok("FOREIGN" if not text.isascii() else "TICKER", text[1:], None, True, start))
            i += 1
        else:
            i = _punct(chunks, i, out)
    return out


# ---------------------------------------------------------------- words


_WORD_CACHE: dict[tuple[str, bool], Tok | None] = {}
_WORD_CACHE_SIZE = 20_000


def _word(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    _, text, start, _, upper = chunks[i]
    key = (text, upper)
    if key in _WORD_CACHE:  # a word whose class needs no neighbour, read before
        cached = _WORD_CACHE[key]
        if cached is not None:
            out.append(cached)
        return i + 1
    if text.isalpha():
        if not text.isascii():
            out.append(tok("FOREIGN", text, None, upper, start))
            return i + 1
        if text[:3] in _MONTHS and _MONTH_WORD.fullmatch(text):
            used = _month_first(chunks, i, out)
            if used:
                return i + used
        if text in _PT_WORDS:
            used = _target_ordinal(chunks, i, out)
            if used:
                return i + used
        if text in ("c", "p") and _strike_dash(chunks, i, out):
            return i + 3
        if (
            text[:3] not in _MONTHS
            and text not in _PT_WORDS
            and text not in ("c", "p")
            and context_free(text)
        ):
            return _remember(chunks, i, out, key)
        return word(chunks, i, out)
    if not text.isascii():
        out.append(tok("FOREIGN", text, None, upper, start))
        return i + 1
    nxt = chunks[i + 1] if i + 1 < len(chunks) else None
    if nxt is not None and nxt[2] == chunks[i][3] and nxt[1][:1] == "." and _PT_ORDINAL.fullmatch(text):
        out.append(tok("PT", text[:-1], None, False, start))  # "tp1.80": a target of 1.80, not TP1
        chunks[i + 1] = ("n", text[-1] + nxt[1], nxt[2] - 1, nxt[3], False)
        return i + 1
    reader = _shaped_word(text)
    if reader is not None:
        reader(text, start, upper, out)
        return i + 1
    if ("/" in text and not keeps_slash(text)) or "_" in text:
        pieces = [
            ("w", piece, start + offset, start + offset + len(piece), upper) for piece, offset in _split(text)
        ]
        for k in range(len(pieces)):
            word(pieces, k, out)
        return i + 1
    return word(chunks, i, out)


_PT_WORDS = frozenset({"pt", "tp", "tgt", "target", "t.p", "pts", "tps", "tgts", "targets"})


def _remember(chunks: list[Chunk], i: int, out: list[Tok], key: tuple[str, bool]) -> int:
    """Read a word whose class depends on nothing around it, and keep the reading for next time."""
    before = len(out)
    after = word(chunks, i, out)
    if len(_WORD_CACHE) >= _WORD_CACHE_SIZE:
        _WORD_CACHE.clear()
    _WORD_CACHE[key] = out[-1]._replace(pos=0) if len(out) > before else None
    return after


def _shaped_word(text: str) -> Callable[[str, int, bool, list[Tok]], None] | None:
    """A word with digits or dots that is really a contract, a date, an ordinal target or a trail."""
    if _OCC.fullmatch(text):
        return _occ
    if _STRIKE_DASH.fullmatch(text):
        return _glued_strike_dash
    if _PT_ORDINAL.fullmatch(text):
        return _glued_ordinal
    if _TRAIL_GLUED.fullmatch(text):
        return _glued_trail
    if text[:3] in _MONTHS and _MONTH_GLUED.fullmatch(text):
        return _glued_month
    return None


def _occ(text: str, start: int, upper: bool, out: list[Tok]) -> None:
    """An OCC option symbol: ``spy261218c00600000`` is SPY 2026-12-18 600 C."""
    match = _OCC.fullmatch(text)
    assert match is not None
    symbol, stamp, right, strike = match.groups()
    out.append(tok("WORD", symbol, None, True, start))
    out.append(tok("DATE", stamp, (int(stamp[2:4]), int(stamp[4:6]), 2000 + int(stamp[:2])), False, start))
    out.append(tok("STRIKE", right + strike, (Decimal(strike) / 1000, right.upper()), False, start))


def _glued_strike_dash(text: str, start: int, upper: bool, out: list[Tok]) -> None:
    right, strike = text.split("-")
    out.append(tok("STRIKE", text, (number(strike), right.upper()), False, start))


def _glued_ordinal(text: str, start: int, upper: bool, out: list[Tok]) -> None:
    out.append(tok("PT", text, int(text[-1]), False, start))


def _glued_trail(text: str, start: int, upper: bool, out: list[Tok]) -> None:
    out.append(tok("TRAIL", "ts", None, False, start))
    out.append(tok("NUM", text[2:], number(text[2:]), False, start + 2))


def _glued_month(text: str, start: int, upper: bool, out: list[Tok]) -> None:
    match = _MONTH_GLUED.fullmatch(text)
    assert match is not None
    month, day, short_year, long_year = match.groups()
    year = 2000 + int(short_year) if short_year else (int(long_year) if long_year else None)
    out.append(tok("DATE", text, (_MONTHS[month], int(day), year), False, start))


def _split(text: str) -> list[tuple[str, int]]:
    """``spy/qqq`` is two words; ``b/e``, ``s/l``, ``usd/cad`` and ``btc/usdt`` stay one."""
    if "/" in text and keeps_slash(text):
        return [(text, 0)]
    out, offset = [], 0
    for part in re.split(r"[/_]", text):
        if part:
            out.append((part, offset))
        offset += len(part) + 1
    return out


def _month_first(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    """``Mar 20``, ``Mar 20th``, ``Aug 4 2023``, ``Mar 20, 2026``: how many chunks the date took."""
    day = _day(chunks, i + 1)
    if day is None:
        return 0
    used, year = 2, None
    j = i + 2
    if j < len(chunks) and chunks[j][1] == "," and j + 1 < len(chunks):
        j += 1
    year_used = _year(chunks, j, glued_strike_follows=False)
    if year_used:
        year, extra = year_used
        used = j - i + extra
    month = _MONTHS[chunks[i][1][:3]]
    out.append(
        tok("DATE", " ".join(c[1] for c in chunks[i : i + used]), (month, day, year), False, chunks[i][2])
    )
    return used


def _day_then_month(chunks: list[Chunk], i: int, day: int, out: list[Tok]) -> int:
    """``20 Mar``, ``20th March``, ``15 mar 24 $167.5c``: how many chunks the date took (0 if none)."""
    j = i + 1
    if j >= len(chunks) or chunks[j][0] != "w" or not _MONTH_WORD.fullmatch(chunks[j][1]):
        return 0
    used, year = 2, None
    year_used = _year(chunks, j + 1, glued_strike_follows=True)
    if year_used:
        year, extra = year_used
        used += extra
    month = _MONTHS[chunks[j][1][:3]]
    out.append(
        tok("DATE", " ".join(c[1] for c in chunks[i : i + used]), (month, day, year), False, chunks[i][2])
    )
    return used


def _day(chunks: list[Chunk], j: int) -> int | None:
    """A day of the month written as its own chunk: ``20``, ``20th``, ``4`` (not ``20%``, ``20.5``)."""
    if j >= len(chunks) or chunks[j][0] != "n":
        return None
    text = chunks[j][1].rstrip("stndrh")
    if not text.isdigit() or len(text) > 2 or not 1 <= int(text) <= 31:
        return None
    if j + 1 < len(chunks) and chunks[j + 1][1] in ("%", ":"):
        return None
    return int(text)


def _year(chunks: list[Chunk], j: int, glued_strike_follows: bool) -> tuple[int, int] | None:
    """(year, chunks used) for ``2026`` or ``'26`` (or ``26`` right before a strike, day-first)."""
    if j >= len(chunks):
        return None
    text = chunks[j][1]
    if chunks[j][0] == "n" and len(text) == 4 and text.isdigit() and text[:2] in ("19", "20"):
        return int(text), 1
    if text == "'" and j + 1 < len(chunks) and len(chunks[j + 1][1]) == 2 and chunks[j + 1][1].isdigit():
        return 2000 + int(chunks[j + 1][1]), 2
    if glued_strike_follows and chunks[j][0] == "n" and len(text) == 2 and text.isdigit():
        after = chunks[j + 1][1] if j + 1 < len(chunks) else ""
        if after.lstrip("$")[:1].isdigit() and after[-1:] in ("c", "p"):
            return 2000 + int(text), 1
    return None


def _target_ordinal(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    """``TP 1 - 31.40``, ``target 1: $64``, ``TP 2 151.35``: the target's number, not a level."""
    j = i + 1
    if j + 1 >= len(chunks) or chunks[j][0] != "n" or len(chunks[j][1]) != 1 or chunks[j][1] == "0":
        return 0
    follower = chunks[j + 1]
    if follower[1] not in (":", "=", ")", "-") and follower[0] != "n" and not follower[1].startswith("$"):
        return 0
    out.append(tok("PT", f"{chunks[i][1]} {chunks[j][1]}", int(chunks[j][1]), False, chunks[i][2]))
    return 2


def _strike_dash(chunks: list[Chunk], i: int, out: list[Tok]) -> bool:
    """``C - 200``: a right, a dash and a strike."""
    if i + 2 >= len(chunks) or chunks[i + 1][1] != "-" or chunks[i + 2][0] != "n":
        return False
    strike = chunks[i + 2][1]
    if not _PREFIX.fullmatch(strike):
        return False
    out.append(
        tok("STRIKE", f"{chunks[i][1]}-{strike}", (number(strike), chunks[i][1].upper()), False, chunks[i][2])
    )
    return True


# ---------------------------------------------------------------- numbers


def _numeric(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    _, text, start, _, _ = chunks[i]
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return _numeric_prefix(chunks, i, out)
    group = match.lastgroup
    if group == "num" or group == "sfx":
        return _plain_number(chunks, i, out, match.group("num"), match.group("sfx"))
    if group == "skip":
        return _skip_time_words(chunks, i + 1)
    if group == "slashes" or group == "sx":
        return _slashes_chunk(chunks, i, out, match.group("slashes"), match.group("sx"))
    if group == "range":
        return _range(chunks, i, out, text)
    if group == "iso":
        year, month, day = (int(p) for p in text.split("-"))
        out.append(tok("DATE", text, (month, day, year), False, start))
    elif group == "garbled":
        out.append(tok("GARBLED", text, None, False, start))
    elif group == "typo":  # "@ .1.01": a stray leading dot
        out.append(tok("NUM", match.group("typo"), number(match.group("typo")), False, start + 1))
    return i + 1


def _numeric_prefix(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    """``3.5ts30%``, ``1.60,2.00``: a number glued to more; read the number, then the rest."""
    _, text, start, _, _ = chunks[i]
    prefix = _PREFIX.match(text)
    if prefix is None or prefix.end() == len(text):
        out.append(tok("GARBLED", text, None, False, start))
        return i + 1
    cut = prefix.end()
    rest, _ = chunk(text[cut:], text[cut:])
    replaced = [("n", text[:cut], start, start + cut, False)] + [
        (s, t, start + cut + a, start + cut + b, u) for s, t, a, b, u in rest
    ]
    chunks[i : i + 1] = replaced
    return _numeric(chunks, i, out)


def _plain_number(chunks: list[Chunk], i: int, out: list[Tok], digits: str, glued: str | None) -> int:
    start = chunks[i][2]
    value = number(digits)
    if glued is not None:
        if glued in _NOISE:
            return i + 1
        if glued in ("st", "nd", "rd", "th") and digits.isdigit() and 1 <= value <= 31:
            used = _day_then_month(chunks, i, int(value), out)  # "20th Mar"
            if used:
                return i + used
        if glued == "%" and _size_tag(chunks, i + 1):
            return i + 1 + _size_tag(chunks, i + 1)
        kind = _SUFFIXES.get(glued) or ("QTY" if glued.startswith("kontrakt") else "")
        if not kind:  # "2210top", "6BTO": a missing space; the number, then the word
            out.append(tok("NUM", digits, value, False, start))
            cut = start + len(digits)
            chunks[i] = ("w", glued, cut, chunks[i][3], chunks[i][4])
            return i
        _suffixed(out, kind, chunks[i][1], value, glued, start)
        return i + 1
    day = value if digits.isdigit() and 1 <= value <= 31 else None
    if day is not None:
        used = _day_then_month(chunks, i, int(day), out)
        if used:
            return i + used
    following = _spaced_suffix(chunks, i)
    if following is not None:
        kind, suffix = following
        if kind == "NOISE":
            return i + 2
        if kind == "PCT" and _size_tag(chunks, i + 2):
            return i + 2 + _size_tag(chunks, i + 2)
        _suffixed(out, kind, f"{digits} {suffix}", value, suffix, start)
        return i + 2
    if _spaced_range(chunks, i):
        return _range(chunks, i, out, f"{digits}-{chunks[i + 2][1]}", used=3)
    if _spaced_slashes(chunks, i):
        return _spaced_list(chunks, i, out)
    out.append(tok("NUM", digits, value, False, start))
    return i + 1


def _suffixed(out: list[Tok], kind: str, text: str, value: Decimal, suffix: str, start: int) -> None:
    if kind == "STRIKE":
        out.append(tok("STRIKE", text, (value, suffix[0].upper()), False, start))
    elif kind == "DTE":
        if value == 0:
            out.append(tok("ODTE", "0dte", None, False, start))
    else:
        out.append(tok(kind, text, value, False, start))


def _spaced_suffix(chunks: list[Chunk], i: int) -> tuple[str, str] | None:
    """(kind, word) when the chunk after a number is its unit: ``580 call``, ``10 pts``, ``25 %``."""
    if i + 1 >= len(chunks):
        return None
    shape, text = chunks[i + 1][0], chunks[i + 1][1]
    after = chunks[i + 2][1] if i + 2 < len(chunks) else ""
    after_shape = chunks[i + 2][0] if i + 2 < len(chunks) else ""
    if text == "%":
        return ("PCT", "%")
    if shape != "w":
        return None
    if text in _SPACED_NOISE:
        return ("NOISE", text)
    if text in ("c", "p"):
        next_is_number = (after_shape == "n" and not _MONTH_DAY.fullmatch(after)) or (
            after in ("-", "/") and i + 3 < len(chunks) and chunks[i + 3][0] == "n"
        )
        return None if next_is_number else ("STRIKE", text)  # "600 C 12/20" but not "5 c 1.20"
    if text == "pts":
        return None if _number_follows(chunks, i + 2) else ("PTS", text)
    if text == "pt":
        return ("PTS", text) if after in _PT_ENDERS or after == "" else None
    if text == "x":
        return None if after_shape == "n" else ("QTY", text)
    kind = _SUFFIXES.get(text) or ("QTY" if text.startswith("kontrakt") else None)
    return (kind, text) if kind is not None and kind not in ("ORD", "PCT") else None


_MONTH_DAY = re.compile(r"(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])(?:/\d{2,4})?")
_PT_ENDERS = frozenset(
    {"stop", "sl", "s/l", "target", "tgt", "tp", "stoploss", ",", ".", ";", ")", "stop-loss"}
)


def _number_follows(chunks: list[Chunk], j: int) -> bool:
    """``PTs 1.60``: a number (perhaps after ``:`` or a sign) comes next."""
    while j < len(chunks) and chunks[j][1] in (":", "=", "+", "-", "$"):
        j += 1
    return j < len(chunks) and chunks[j][0] == "n"


def _size_tag(chunks: list[Chunk], j: int) -> int:
    """``5% sz``, ``2% of account``: a position size, not a number of the trade (chunks used)."""
    if j < len(chunks) and chunks[j][1] in _SIZE_WORDS:
        return 1
    if (
        j + 1 < len(chunks)
        and chunks[j][1] == "of"
        and chunks[j + 1][1].startswith(("port", "account", "acct"))
    ):
        return 2
    return 0


def _spaced_range(chunks: list[Chunk], i: int) -> bool:
    """``1.20 - 1.30``: two numbers around a dash, and no unit after the second (``4000 - 15 pt stop``)."""
    if i + 2 >= len(chunks) or chunks[i + 1][1] not in ("-", "~") or chunks[i + 2][0] != "n":
        return False
    second = chunks[i + 2][1]
    if not _PREFIX.fullmatch(second):
        return False
    unit = _spaced_suffix(chunks, i + 2)
    return unit is None or unit[0] == "NOISE"


def _spaced_slashes(chunks: list[Chunk], i: int) -> bool:
    """``2.10 / 2.60``: numbers separated by slashes with spaces."""
    return (
        i + 2 < len(chunks)
        and chunks[i + 1][1] == "/"
        and chunks[i + 2][0] == "n"
        and bool(_PREFIX.fullmatch(chunks[i + 2][1]))
    )


def _spaced_list(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    parts = [chunks[i][1]]
    j = i
    while _spaced_slashes(chunks, j):
        parts.append(chunks[j + 2][1])
        j += 2
    text = "/".join(parts)
    _slash_reading(out, text, [p.lstrip("$") for p in parts], None, chunks[i][2])
    return j + 1


def _range(chunks: list[Chunk], i: int, out: list[Tok], text: str, used: int = 1) -> int:
    left, right = re.split(r"[-~]", text, maxsplit=1)
    out.append(tok("RANGE", text, (number(left), number(right)), False, chunks[i][2]))
    return i + used


def _slashes_chunk(chunks: list[Chunk], i: int, out: list[Tok], body: str, suffix: str | None) -> int:
    parts = [p.lstrip("$") for p in body.split("/")]
    _slash_reading(out, chunks[i][1], parts, suffix, chunks[i][2])
    return i + 1


def _slash_reading(out: list[Tok], text: str, parts: list[str], suffix: str | None, start: int) -> None:
    """``3/20`` a date, ``1/3rd`` a share, ``11/20c`` a date with a stray right, ``100/110c`` strikes,
    ``10/12/14`` or ``4.18/4.64`` a list of levels."""
    date = _date_parts(parts)
    if suffix and len(parts) == 2 and date is not None and int(parts[0]) < int(parts[1]):
        share = (Decimal(int(parts[0])) / Decimal(int(parts[1]))).quantize(Decimal("0.01"))
        out.append(tok("FRAC", text, share, False, start))
        return
    if date is not None:
        out.append(tok("DATE", text, date, False, start))
        return
    rights = [p for p in parts if p[-1:] in ("c", "p")]
    if len(parts) == 2 and len(rights) == 1 and parts[1][-1:] in ("c", "p"):
        date = _date_parts([parts[0], parts[1][:-1]])
        if date is not None:  # "11/20c 18c": a date with a stray right letter
            out.append(tok("DATE", text, date, False, start))
            return
    values = tuple(number(p.rstrip("cp")) for p in parts)
    out.append(tok("SLASHES", text, (values, bool(rights)), False, start))


def _date_parts(parts: list[str]) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) when ``parts`` read as m/d or m/d/y; else None."""
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    month, day = int(parts[0]), int(parts[1])
    if not (1 <= month <= 12 and 1 <= day <= 31 and len(parts[0]) <= 2 and len(parts[1]) <= 2):
        return None
    if len(parts) == 2:
        return (month, day, None)
    year = parts[2]
    if len(year) not in (2, 4):
        return None
    return (month, day, int(year) + 2000 if len(year) == 2 else int(year))


def _skip_time_words(chunks: list[Chunk], j: int) -> int:
    """After a clock time, its ``am``/``pm``/``ET``."""
    while j < len(chunks) and chunks[j][1] in _SPACED_NOISE:
        j += 1
    return j


# ---------------------------------------------------------------- punctuation


def _punct(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    _, text, start, end, _ = chunks[i]
    first = text[0]
    nxt = chunks[i + 1] if i + 1 < len(chunks) else None
    if first in "+-" and len(text) == 1 and nxt is not None and nxt[0] == "n" and nxt[2] == end:
        prev_end = chunks[i - 1][3] if i else -1
        if prev_end < start or chunks[i - 1][0] == "p":  # "-5", "+20%"; not "1.20-1.30"
            out.append(tok("SIGN", text, None, False, start))
            return i + 1
    if first == "@":
        return _at(chunks, i, out)
    if first == "/" and nxt is not None and nxt[2] == end:
        return _slash(chunks, i, out)
    if first == "%" and out and out[-1][0] == "NUM" and i and chunks[i - 1][3] == start:
        previous = out.pop()  # "ts30%": the number read before its percent sign
        out.append(tok("PCT", previous.text + "%", previous.value, False, previous.pos))
    elif _bullet(text, out, nxt):
        pass  # "➡️ Entry 355": an arrow that starts a line before a word is a bullet, not "-> 1.80"
    elif len(text) > 1 and text.endswith(">"):
        out.append(tok("ARROW", text, None, False, start))
    elif first in ".!;|":
        out.append(tok("SEP", text, None, False, start))
    elif first == "?":
        out.append(tok("QMARK", text, None, False, start))
    elif first == "-":
        out.append(tok("DASH", text, None, False, start))
    else:
        kind = _PUNCT.get(first)
        if kind is not None:
            out.append(tok(kind, text, None, False, start))
    return i + 1


def _bullet(text: str, out: list[Tok], nxt: Chunk | None) -> bool:
    arrow = text.endswith(">") or _PUNCT.get(text[0]) == "ARROW"
    return arrow and (not out or out[-1][0] == "SEP") and nxt is not None and nxt[0] == "w"


def _at(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    """``@ 1.25``; ``@m`` / ``@ mkt`` is a market price; ``@c1.3`` and ``@ hk 2.50`` are typos of ``@``."""
    start = chunks[i][2]
    out.append(tok("AT", "@", None, False, start))
    if i + 1 >= len(chunks) or chunks[i + 1][0] != "w":
        return i + 1
    word = chunks[i + 1][1]
    if word in ("m", "mkt", "market"):
        out.append(tok("MKT", word, None, False, chunks[i + 1][2]))
        return i + 2
    if word == "hk":
        return i + 2
    if word[0] == "c" and word[1:2].isdigit():  # "@c1.3": a stray c; the rest is read as a number
        _, _, start_word, end_word, _ = chunks[i + 1]
        digits = word[1:]
        if i + 2 < len(chunks) and chunks[i + 2][2] == end_word and chunks[i + 2][0] == "n":
            digits += chunks[i + 2][1]
            end_word = chunks[i + 2][3]
            del chunks[i + 2]
        chunks[i + 1] = ("n", digits, start_word + 1, end_word, False)
    return i + 1


def _slash(chunks: list[Chunk], i: int, out: list[Tok]) -> int:
    """``/ES`` (a futures root), ``/92`` (a premium typed with a slash), ``/alert`` (a bot command)."""
    _, _, start, _, _ = chunks[i]
    shape, text, _, _, _ = chunks[i + 1]
    before_space = i == 0 or chunks[i - 1][3] < start
    if shape == "w" and before_space:
        future = future_code(text)
        if future is not None:
            out.append(tok("FUT", text, future, True, start))
        return i + 2  # any other /word is a bot command (/alert, /trade): skipped
    if shape == "n" and before_space and len(text) == 2 and text.isdigit():
        out.append(tok("NUM", "/" + text, Decimal("0." + text), False, start))
        return i + 2
    return i + 1
