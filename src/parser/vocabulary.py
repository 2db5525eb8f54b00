"""The parser's word tables, read once from ``data/``: vocabulary classes, assets, tickers, English.

``vocabulary.toml`` maps words and phrases to the token classes the grammar reads; ``assets.toml``
says what a futures root, index, currency or coin is; ``symbols.txt`` lists US tickers and
``english.txt`` common English words (both rebuilt by scripts/refresh_symbols.py).
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

_DATA = resources.files(__package__) / "data"


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((_DATA / name).read_text(encoding="utf-8"))


def _lines(name: str) -> frozenset[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


class Entry(NamedTuple):
    kind: str
    value: Any


class Phrase(NamedTuple):
    rest: tuple[str, ...]  # the words after the first
    entry: Entry


class FutureSpec(NamedTuple):
    exchange: str
    multiplier: Decimal
    tick: Decimal


_VOCABULARY = _toml("vocabulary.toml")
_ASSETS = _toml("assets.toml")


def _entries() -> dict[str, Entry]:
    """Every word or phrase (space-separated) -> its class; a fraction carries its value."""
    table = {text: Entry(kind, None) for kind, texts in _VOCABULARY["classes"].items() for text in texts}
    table.update({text: Entry("FRAC", Decimal(value)) for text, value in _VOCABULARY["fractions"].items()})
    return table


ENTRIES = _entries()
# Named lists of plain words that decide whether a trade word near them is one (see [context]).
CONTEXT: dict[str, frozenset[str]] = {
    name: frozenset(words) for name, words in _VOCABULARY["context"].items()
}
WORDS: dict[str, Entry] = {text: entry for text, entry in ENTRIES.items() if " " not in text}


def _phrases() -> dict[str, tuple[Phrase, ...]]:
    """First word -> the phrases it starts, longest first."""
    starts: dict[str, list[Phrase]] = {}
    for text, entry in ENTRIES.items():
        words = text.split(" ")
        if len(words) > 1:
            starts.setdefault(words[0], []).append(Phrase(tuple(words[1:]), entry))
    return {first: tuple(sorted(found, key=lambda p: -len(p.rest))) for first, found in starts.items()}


PHRASES = _phrases()


def _phrase_table() -> dict[str, tuple[int, dict[tuple[str, ...], Entry]]]:
    """First word -> (the longest rest, {the words after it: the entry}); company names included."""
    table: dict[str, tuple[int, dict[tuple[str, ...], Entry]]] = {}
    pairs = [(p.rest, p.entry, first) for first, found in PHRASES.items() for p in found]
    pairs += [
        (tuple(name.split(" ")[1:]), Entry("WORD", name), name.split(" ")[0])
        for name in ALIAS_PHRASES.values()
    ]
    for rest, entry, first in pairs:
        longest, options = table.get(first, (0, {}))
        options[rest] = entry
        table[first] = (max(longest, len(rest)), options)
    return table


NOT_SYMBOLS = frozenset(_VOCABULARY["words"]["not_symbols"])
FUNCTION_WORDS = frozenset(_VOCABULARY["words"]["function_words"])
ALWAYS_SYMBOLS = frozenset(_VOCABULARY["words"]["always_symbols"])
ALIASES: dict[str, str] = dict(_VOCABULARY["aliases"])
ALIAS_PHRASES = {name.split(" ")[0]: name for name in ALIASES if " " in name}
PHRASE_TABLE = _phrase_table()

FUTURES: dict[str, FutureSpec] = {
    root: FutureSpec(exchange, Decimal(multiplier), Decimal(tick))
    for root, (exchange, multiplier, tick) in _ASSETS["futures"].items()
}
INDEXES = frozenset(_ASSETS["assets"]["index"])
CFDS = frozenset(_ASSETS["assets"]["cfd"])
CURRENCIES = frozenset(_ASSETS["assets"]["currencies"])
METALS = frozenset(_ASSETS["assets"]["metals"])
METAL_NAMES = frozenset(_ASSETS["assets"]["metal_names"])
CRYPTO = frozenset(_ASSETS["assets"]["crypto"])
CRYPTO_QUOTES = frozenset(_ASSETS["assets"]["crypto_quotes"])

ENGLISH = _lines("english.txt")


@cache
def listed_symbols() -> frozenset[str]:
    """US tickers (about 54,000), loaded the first time a bare word needs the list's evidence."""
    return _lines("symbols.txt")
