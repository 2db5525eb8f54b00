"""Normalisation: a raw channel message -> the canonical lower-case text the grammar reads.

The grammar stays small because this pass folds the dialects of real channels into one vocabulary:

* Discord syntax (mentions, custom emoji, markdown, snowflakes, links), emoji and other non-ASCII
  symbols go; unicode dashes and quotes become ASCII; everything is lower case.
* numbers: ``$2.50`` -> ``2.50``, ``.90`` -> ``0.90``, ``1,61`` -> ``1.61``, ``@c1.3`` -> ``@ 1.3``,
  ``/92`` -> ``0.92``, ``10 pt`` -> ``10pts``, ``25 %`` -> ``25%``, ``1.20 - 1.30`` -> ``1.20-1.30``.
* prices: ``@ 1.25`` / ``at 1.25`` / ``for 1.25`` / ``here 1.25`` / ``price: 1.25`` -> ``@ 1.25``;
  ``@m`` / ``at market`` -> ``@ mkt``.
* contracts: ``580 call`` / ``580 C`` / ``C-580`` -> ``580c``; ``21 Mar`` / ``Mar 21st`` /
  ``Aug 4 2023`` / ``May15'20`` -> ``3/21`` style dates; ``weeklies`` / ``this week`` -> ``weekly``;
  ``/ES`` -> ``es``; tickers written ``$SPY`` keep their ``$`` as a ticker mark.
* verbs: ``BOUGHT`` / ``buy`` / ``sell to open`` / ``closed short`` / ``stopped out`` / ``taking 25% off``
  and friends -> ``bto sto stc btc long short entry exit trim add avg cancel move``.
* levels: ``stop loss`` / ``stop`` / ``s/l`` -> ``sl``; ``tp1`` / ``target`` / ``pt2:`` -> ``pt``;
  ``break even`` / ``b/e`` / ``to entry`` / ``to flat`` -> ``be``; ``TS30%`` -> ``trail 30%``.
* markers the assembler uses to refuse trades: ``if`` (conditionals), ``intent`` (may, looking,
  planning...), ``watch``, ``recap``, ``info``, ``discretionary``, ``spread``, ``unsupported``, ``?``.
* sentence ends (``.``, ``!``, newline, ``|``) become `` . ``; commas and brackets become `` , ``.

Pure and deterministic. Every rule is a (pattern, replacement) pair applied in order; order matters
and each group says why it sits where it does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from re import Match

Replacement = str | Callable[[Match[str]], str]
# (pattern, replacement, guards): the rule runs only when one of its guard substrings is in the text.
# A guard is a literal the pattern cannot match without; it saves most of the regex passes.
Rule = tuple[re.Pattern[str], Replacement, re.Pattern[str] | None]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_RE = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\.?"
)
_MONTH_GUARD = "jan feb mar apr may jun jul aug sep oct nov dec"
FUTURES_ROOTS = frozenset({"es", "mes", "nq", "mnq", "rty", "m2k", "ym", "cl", "gc"})
_CURRENCIES = r"(?:eur|usd|gbp|jpy|aud|nzd|cad|chf|xau|xag)"

_TRANSLATE = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00a0": " ",
    }
)


def _month_day(match: Match[str]) -> str:
    """``21 mar`` / ``mar 21st 2024`` / ``may15'20`` -> ``3/21`` or ``3/21/2024``."""
    groups = {k: v for k, v in match.groupdict().items() if v}
    month = _MONTHS[(groups.get("mon1") or groups["mon2"])[:3]]
    day = groups.get("day1") or groups["day2"]
    year = groups.get("year1") or groups.get("year2")
    text = f"{month}/{int(day)}"
    if year:
        year = year.lstrip("'")
        text += f"/{year if len(year) == 4 else '20' + year}"
    return f" {text} "


def _strike(match: Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)[0]}"


def _cents(match: Match[str]) -> str:
    """Czech ``za 332`` quotes the per-contract value in dollars: a premium of 3.32."""
    cents = int(match.group(1))
    return f"@ {cents // 100}.{cents % 100:02d}"


def _spread_or_date(match: Match[str]) -> str:
    """``100/110c`` is a vertical spread; ``11/20c`` is a date with a stray right letter."""
    first, right, second = match.group(1), match.group(2), match.group(3)
    looks_like_date = not right and "." not in first + second and int(first) <= 12 and int(second) <= 31
    return f" {first}/{second} " if looks_like_date else " spread "


def _futures_root(match: Match[str]) -> str:
    root = match.group(1)
    return f" {root} " if root in FUTURES_ROOTS else " unsupported "


_TEMPLATE_KEY = re.compile(
    r"^\s*(?:ticker|symbol|strike|exp\w*|entry|price|stop(?:\s*loss)?|sl|targets?|tp\d?|pt\d?|qty|"
    r"quantity|contracts?|size|side|direction|action)\s*[:=-]",
    re.MULTILINE,
)


def _join_template(text: str) -> str:
    """An embed-style template (one ``Key: value`` per line) is one sentence, not several."""
    if len(_TEMPLATE_KEY.findall(text)) < 2:
        return text
    text = re.sub(r"\b(?:ticker|symbol)\s*[:=-]\s*\$?", " $", text)
    text = re.sub(r"\b(?:strike|side|direction|action|size)\s*[:=-]", " ", text)
    return re.sub(r"\s*\n\s*", " ", text)


def _rules(*specs: tuple[str, Replacement] | tuple[str, Replacement, str]) -> list[Rule]:
    rules = []
    for spec in specs:
        guard = re.compile("|".join(map(re.escape, spec[2].split(" ")))) if len(spec) == 3 else None
        rules.append((re.compile(spec[0], re.MULTILINE), spec[1], guard))
    return rules


# -- 1. Discord syntax, links, times and ids: noise that would otherwise look like numbers or words.
_DISCORD = _rules(
    (r"<a?:\w+:\d+>", " ", "<"),
    (r"<[@#][!&]?\d+>", " ", "<"),
    (r"&\d{6,}", " ", "&"),
    (r"@(?:everyone|here)\b", " ", "@"),
    (r"https?://\S+|\w+\.(?:com|gg|io)/\S*", " ", "http .com .gg .io"),
    (r"(?<!\w):[a-z0-9_+-]{2,40}:(?!\w)", " ", ":"),
    (r"^\s*[\w.]+#\d{4}\s*:", " ", "#"),
    (r"\b\d{15,21}\b", " "),
    (r"\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?z?", " ", ":"),
    (r"\b\d{1,2}:\d{2}\s*(?:[ap]m|et|est|edt)?\b", " ", ":"),
    (r"\b\d{1,2}\s*[ap]m\b", " ", "am pm"),
    (r"\*\*|__|~~|`+|\|\|", " ", "** __ ~~ ` ||"),
    (r"^\s*>+ ?", " ", ">"),
    (r"[*_]", " ", "* _"),
    (r"@(?!\s*(?:\$?\d|\.\d|m\b|mkt\b|market\b|c\d|c\.\d|\$|hk\b))[a-z][\w.]*", " ", "@"),
    (r"\b(?:per|via|from)\s*@\S*", " ", "@"),
)

# -- 2. Numbers: fix the typos traders make before anything reads a price.
_NUMBERS = _rules(
    (r"\$\s*(?=[\d.])", "", "$"),
    (r"(?<![\w.%-])[+-]\d+(?:\.\d+)?%?(?![\w./%-])", " ", "+ -"),
    (r"\bin\s*:?\s*\d+(?:\.\d+)?\s+out\s*:?\s*(\d+(?:\.\d+)?)", r" @ \1 ", "out"),
    (r"@\s*c(?=\.?\d)", "@ ", "@"),
    (r"@\s*hk\s+", "@ ", "@"),
    (r"@\s*\.(\d+\.\d+)", r"@ \1", "@"),
    (r"(\d),(\d{3})(?!\d)", r"\1\2", ","),
    (r"(\d),(\d{1,2})(?!\d)", r"\1.\2", ","),
    (r"(\d+)\s+\.(\d{2})\b", r"\1.\2", "."),
    (r"(?<![\w.])\.(\d)", r"0.\1", "."),
    (r"(?<=\s)/(\d{2})(?![\d/])", r"0.\1", "/"),
    (r"\bza\s+(\d{3,5})\b", _cents, "za"),
    (r"\b(\d+(?:\.\d+)?)\s*(?:pts?|points?|handles?)\b(?!\s*[:=]?\s*\.?\d)", r"\1pts", "pt point handle"),
    (r"\b(\d+(?:\.\d+)?)\s*%", r"\1%", "%"),
    (r"(?:(?<=\d)|\b)ts\s*(\d+(?:\.\d+)?%)", r" trail \1", "%"),
    (r"\bup\s+\d+(?:\.\d+)?\s*%", " recap ", "%"),
    (r"\b\d+(?:\.\d+)?%\s*(?:sz|size|pos|position|of\s+(?:port|portfolio|account))\b", " ", "%"),
    (r"(\d\.\d+)\s*/\s*(?=\d)", r"\1 ", "/"),
)

# -- 3. Contracts: dates, strikes with their right, futures roots, unsupported assets.
_CONTRACTS = _rules(
    (
        r"\b(?P<day1>\d{1,2})(?:st|nd|rd|th)?\s*" + _MONTH_RE.replace("(jan", "(?P<mon1>jan") + r"(?!\w)"
        r"(?:\s*(?P<year1>'\d{2}|(?:19|20)\d{2}(?!\d)|\d{2}(?=\s+\d+(?:\.\d+)?\s*[cp]\b)))?",
        _month_day,
        _MONTH_GUARD,
    ),
    (
        r"\b" + _MONTH_RE.replace("(jan", "(?P<mon2>jan") + r"\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?![\d.])"
        r"(?:,?\s*(?P<year2>'\d{2}|(?:19|20)\d{2}(?!\d)))?",
        _month_day,
        _MONTH_GUARD,
    ),
    (r"\b(\d{1,2}/\d{1,2}(?:/\d{2,4})?)[cp](?=\s+\d+(?:\.\d+)?\s*[cp]\b)", r"\1", "/"),
    (r"\b([cp])\s*-\s*(\d+(?:\.\d+)?)\b", r"\2\1", "-"),
    (r"\b(\d+(?:\.\d+)?)([cp]?)\s*/\s*(\d+(?:\.\d+)?)\s*[cp]\b", _spread_or_date, "/"),
    (
        r"\b(?:spreads?|verticals?|iron\s+condors?|condors?|straddles?|strangles?|butterfly|flies)\b",
        " spread ",
        "spread vertical condor straddle strangle butterfl flies",
    ),
    (r"(?<![\w/.])(\d+(?:\.\d+)?)\s*(calls?|puts?|c|p)\b", _strike),
    (r"\b(?:weeklies|weekly|weeklys|this\s+week'?s?|eow)\b", " weekly ", "week eow"),
    (r"\b(?:0\s*dte|zero\s*dte|odte|same\s+day)\b", " 0dte ", "dte same"),
    (r"\b(?:exp|expiration|expiring|expiry|expires)\b|\bcontract\s*:", " ", "exp contract"),
    (r"(?<![\w/])/([a-z][a-z0-9]{0,3})\b", _futures_root, "/"),
    (r"\b" + _CURRENCIES + _CURRENCIES + r"\b", " unsupported "),
    (r"\b[a-z]{2,6}\s*/\s*usdt?\b", " unsupported ", "usd"),
    (
        r"\b(?:us30|nas100|ger30|ger40|spx500|us500|us100|uk100|btcusdt?|ethusdt?|\w+usdt)\b",
        " unsupported ",
        "us30 nas100 ger30 ger40 spx500 us500 us100 uk100 usd",
    ),
    (r"\$(?:btc|eth|sol|xrp|doge)\b", " unsupported ", "$"),
)

# -- 4. Phrases that must be read before single words are mapped (order: longest meaning first).
_PHRASES = _rules(
    (r"\bsell(?:ing)?\s+to\s+open\b", " sto ", "open"),
    (r"\bbuy(?:ing)?\s+to\s+open\b", " bto ", "open"),
    (r"\bsell(?:ing)?\s+to\s+close\b", " stc ", "close"),
    (r"\bbuy(?:ing)?\s+to\s+close\b", " btc ", "close"),
    (r"\b(?:closed|closing|close|exit(?:ed|ing)?)\s+(?:the\s+|my\s+|our\s+)?short\b", " btc ", "short"),
    (r"\b(?:covered|covering|cover)\b", " btc ", "cover"),
    (r"\b(?:closed|closing|close)\s+(?:the\s+|my\s+)?long\b", " stc ", "long"),
    (r"\b(?:short|long)[\s-]+term\b", " term ", "term"),
    (r"\bout\s+of\s+the\s+money\b|\botm\b", " otm ", "otm money"),
    (r"\bwatch\s+out\b", " watch ", "watch"),
    (
        r"\bif\s+(?:you'?d\s+like|you\s+want|you\s+like)\b|\bup\s+to\s+you\b|\byour\s+call\b",
        " discretionary ",
        "you",
    ),
    (r"\b(?:in\s+case|incase)\b", " ", "case"),
    (r"\bfeel\s+free\b", " discretionary ", "free"),
    (
        r"\b(?:i'?m|im|i\s+am|we'?re|we\s+are|still|remain|remaining|staying|stay|holding|been|am)\s+(?:long|short)\b",
        " holding ",
        "long short",
    ),
    (r"\btake[\s-]*profits?\s*(?:@|at|:|=)?\s*(?=\.?\d)", " pt ", "take"),
    (r"\b(?:sold|sell|selling)\s+(?:what\s+(?:i|we)\s+added|the\s+adds?)\b", " trim ", "add"),
    (
        r"\b(?:stop(?:ped)?\s+out|stopped|(?:stop|sl|stop\s*loss)\s+(?:hit|triggered|got\s+hit))\b",
        " exit ",
        "stop sl",
    ),
    (r"\bflat\s+stopped\b|\bstopped\s+flat\b", " exit ", "stopped"),
    (r"\b(?:i'?m|im|i\s+am|all|we'?re|we\s+are|sold|got|get|getting|and)\s+out\b", " exit ", "out"),
    (r"(?:^|(?<=\.\s))\s*out\b", " exit ", "out"),
    (r"\b(?:close|closing|take|taking|took)\s+(?:tp|pt|target)\s*1\b", " trim ", "tp pt target"),
    (r"\b(?:close|closing)\s+(?:your\s+|the\s+)?(?:first|oldest|1st)\b", " trim ", "first oldest 1st"),
    (
        r"\b(?:take|taking|took|takin)\s+(?:some\s+)?(?:partials?|profits?|gains?|some)\b",
        " trim ",
        "tak took",
    ),
    (r"\b(?:take|taking|took)\s+(\d+(?:\.\d+)?%)\s+off\b", r" trim \1 ", "off"),
    (r"\b(?:scal(?:e|ed|ing)\s+out|closed\s+\d?\w*\s+scale|scale)\b", " trim ", "scal"),
    (
        r"\b(?:averag(?:e|ed|ing)|avg'?d?|dca)\s+down\b|\baveraging\b|\baccumulating\b|\badd-on\b",
        " add ",
        "averag avg dca accumulat add-on",
    ),
    (r"\b(?:no\s+fill|not\s+filled|didn'?t\s+fill|unfilled)\b", " cancel ", "fill"),
    (r"\b(?:risk[\s-]*free|zero\s+risk|0%\s+risk|no\s+risk)\b", " sl to be ", "risk"),
    (r"\b(?:break[\s-]*even|b/e|b\.e\.?)(?!\w)", " be ", "break b/e b.e"),
    (r"\bsl\s*be\b|\bslbe\b", " sl be ", "sl"),
    (r"\b(?:to|at|@)\s+(?:entry|flat|flt|cost|even)\b", " to be ", "entry flat flt cost even"),
    (r"\b(?:stop[\s-]*loss(?:es)?|stoploss|stops?|s/l|sl)\b", " sl ", "stop sl s/l"),
    (r"\bset\s+be\b", " sl to be ", "set"),
    (r"\b(?:make|set|put)\s+sl\b", " move sl ", "sl"),
    (r"\b(?:daily|weekly|hourly|candle|\d+\s*m(?:in)?|\d+\s*h)\s+close\b", " barclose ", "close"),
    # "the close" as the market's: a time, not an order ("1 hour to close", "earnings after close").
    (
        r"\b(?:after|before|into|near|till|until|til|market|mkt)\s+(?:the\s+)?close\b"
        r"|\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|h|m)\s+(?:to|till|until|before|from)\s+(?:the\s+)?close\b",
        " mktclose ",
        "close",
    ),
    (r"\b(?:take|took)\s+profits?\b", " pt ", "profit"),
    (r"\b(?:profit|price)\s+targets?\b", " pt ", "target"),
    (r"\b(?:pt|tp|targets?|tgts?)\s*(?:\d(?=\s*[:=]|\s+\d))?\s*[:=]?\s*(?=\d)", " pt ", "pt tp target tgt"),
    (r"\b(?:pt|tp|targets?|tgts?)\d?\b", " pt ", "pt tp target tgt"),
    (r"\b(?:best|better|my|your|our|avg|average|the|same)\s+entr(?:y|ies)\b", " cost ", "entr"),
    (r"\b(?:new|long|re-?)\s*entry\b", " entry ", "entry"),
    (r"\bentry\s+(long|short)\b", r" \1 ", "entry"),
    (r"\b(?:in|entry|entered)\s*:?\s*(?=@|\d)", " entry @ ", "in entr"),
    (r"(?:^|(?<=\.\s))\s*in\s*:", " entry ", "in"),
    (r"\b(?:at|for|around|near|here|price\s*:?|filled\s+at|fill)\s*(?=\d)", " @ "),
    (r"\b(sl|pt)\s*@\s*", r" \1 ", "@"),
    (
        r"@\s*(?:m|mkt|market)\b|\b(?:at|@)\s+(?:the\s+)?(?:market|mkt)\b|\bmarket\s+order\b",
        " @ mkt ",
        "@ market mkt",
    ),
    (
        r"\b(\d+)\s*(?:x|contracts?|cons|cts|lots?|shares?|kontrakty?)\b",
        r" qty \1 ",
        "x con ct lot share kontrakt",
    ),
    (r"\b(?:x|qty)\s*(\d+)\b", r" qty \1 ", "x qty"),
    (r"\b(?:half|small|smaller|full|starter)\s+(?:size|sz|pos|position|sizing)\b", " ", "size sz pos sizing"),
    (r"\b(?:1/2|one\s+half)\b(?!/)", " half ", "1/2 half"),
    (r"\b(?:1/3(?:rd)?|one\s+third|a\s+third)\b(?!/)", " third ", "1/3 third"),
    (r"\b(?:1/4(?:th)?|one\s+quarter|a\s+quarter)\b(?!/)", " quarter ", "1/4 quarter"),
    (r"\b(\d)/(\d)(?:rd|th|nd)\b", r" \1of\2 ", "/"),
    (r"(?<=\d)\s*-\s*(?=\d)(?![\d.]+pts)", "-", "-"),
    (
        r"\b(?:not|don'?t|dont|won'?t|wont|never|no\s+longer|shouldn'?t|avoid)\b",
        " neg ",
        "not don won never no longer shouldn avoid",
    ),
)

# -- 5. Single words -> canonical vocabulary.
_WORDS: dict[str, str] = {}
for _canon, _words in {
    "bto": "bto buy bought buying buys",
    "entry": "entry opening opened entering entered",
    "exit": "exit exited exiting close closed closing sold sell selling sells",
    "trim": "trim trims trimmed trimming trimmin partial partials partially",
    "add": "add added adding adds",
    "cancel": "cancel cancels cancelled canceled cancelling canceling",
    "move": "move moved moving raise raised raising adjust adjusted adjusting adj bump bumped "
    "lower lowered tighten tightened",
    "if": "if when whenever once unless",
    "break": "break breaks breaking breakout breakdown reclaim reclaims",
    "intent": "may might could would should maybe possibly potential potentially looking plan "
    "planning thinking considering wanna gonna eyeing",
    "watch": "watch watching watchlist wl radar",
    "recap": "paid printed gains flawless nice congrats congratulations winner winners banked booked recap",
    "info": "hit smashed secured running edited",
    "half": "half",
    "third": "third",
    "quarter": "quarter",
    "": "the a an my your our his her their this that these those it its some of again "
    "alert alerts position positions pos trade",
}.items():
    for _w in _words.split():
        _WORDS[_w] = _canon
_WORD_RE = re.compile(r"(?<![$a-z])[a-z][a-z']*")

# -- 6. Final tokenisation: sentence ends, clause marks, stray punctuation.
_TOKENS = _rules(
    (r"\s*\n\s*|\|", " . ", "\n |"),
    (r"([a-z%)\]'\"])[.!]+(?=\s+[a-z(\"]|\s*$)", r"\1 . ", ". !"),
    (r"(\d)[.!]+(?=\s+[a-z(]|\s*$)", r"\1 . ", ". !"),
    (r"[!;]+", " . ", "! ;"),
    (r"\?+", " ? ", "?"),
    (r"[,()\[\]{}]", " , ", ", ( ) [ ] { }"),
    (r"(?<![\d\s])\.(?!\d)|(?<=\s)\.(?=[a-z])", " ", "."),
    (r"[:=+#~^\"'<>\\]", " "),
    (r"(?<![\d\s])/|/(?![\d])", " ", "/"),
    (r"(?<=\s)-(?=[a-z])|(?<=[a-z])-(?=\s)", " - ", "-"),
    (r"(?<=[a-z])-(?=[a-z])", "", "-"),
    (r"\$(?![a-z])", " ", "$"),
)
_SPACES = re.compile(r"\s+")
_SLASHED = re.compile(r"\S*/\S*")
_DATE_OR_FRACTION = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?")
_STRAY = re.compile(r"[^a-z0-9.,@$%?/ -]")
_PERCENTISH = re.compile(r"\S*%\S*")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")


def _keep_percents(match: Match[str]) -> str:
    """Only a number keeps its percent sign (``ta6%`` is noise, not 6 %)."""
    token = match.group(0)
    return token if _PERCENT.fullmatch(token) else token.replace("%", " ")


def _keep_dates(match: Match[str]) -> str:
    """Only a date keeps its slashes; any other slash (5800/5780, a/b) separates words."""
    token = match.group(0)
    return token if _DATE_OR_FRACTION.fullmatch(token) else token.replace("/", " ")


def _apply(rules: list[Rule], text: str) -> str:
    for pattern, replacement, guard in rules:
        if guard is None or guard.search(text):
            text = pattern.sub(replacement, text)
    return text


def _map_word(match: Match[str]) -> str:
    word = match.group(0)
    canon = _WORDS.get(word.replace("'", ""))
    return word if canon is None else canon


def fold_unicode(text: str) -> str:
    """NFKC (folds fancy letters), ASCII dashes and quotes, no zero-width marks, lower case."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower()
    return text.encode("ascii", "ignore").decode("ascii")


def normalize(text: str) -> str:
    """Return the canonical token text for ``text`` (tokens separated by single spaces)."""
    return normalize_folded(fold_unicode(text))


def normalize_folded(text: str) -> str:
    """``normalize`` for text already passed through ``fold_unicode`` (the parser folds once)."""
    text = _join_template(text)
    for group in (_DISCORD, _NUMBERS, _CONTRACTS, _PHRASES):
        text = _apply(group, text)
    text = _apply(_TOKENS, text)
    text = _SLASHED.sub(_keep_dates, _STRAY.sub(" ", text))
    text = _PERCENTISH.sub(_keep_percents, text)
    text = _WORD_RE.sub(_map_word, text)
    return _SPACES.sub(" ", text).strip(" .,")
