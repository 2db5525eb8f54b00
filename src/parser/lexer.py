"""The lexer: a raw channel message -> the tokens the grammar reads.

fold (unicode to plain letters, quotes and dashes) -> chunks.py (words, numbers, contracts, dates,
punctuation; Discord markup dropped) -> classes.py (each word's vocabulary class, from
data/vocabulary.toml, and the readings that need a neighbour).

Every token keeps whether it was written in capitals: that is evidence for a ticker (symbols.py).
Letters of other scripts are never folded into ASCII: a word holding one is ``FOREIGN``, so "$МU"
with a Cyrillic М can never become the ticker U.
"""

from __future__ import annotations

import unicodedata

from .chunks import chunk, number, read
from .classes import classify
from .tokens import Lexed, Tok

__all__ = ["Lexed", "Tok", "fold", "lex", "number", "reading"]

_TRANSLATE = str.maketrans(
    {
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"',
        "\u201d": '"', "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
        "\ufe0f": "", "\ufe0e": "", "\u00a0": " ", "\u3000": " ",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """NFKC (fancy letters and digits to plain ones), ASCII dashes, quotes and spaces, no zero-widths."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATE)


def lex(raw: str) -> Lexed:
    folded = fold(raw)
    low = folded.lower()
    cased = folded if len(folded) == len(low) else low  # a fold that changed lengths loses case evidence
    chunks, struck = chunk(low, cased)
    return Lexed(classify(read(chunks)), cased.upper() != cased, struck)


def reading(raw: str) -> str:
    """How the lexer reads a message, for ``autoscalper parse``: ``BUY(bto) WORD(spy) STRIKE(580c) ...``."""
    return " ".join(f"{tok.kind}({tok.text})" for tok in lex(raw).tokens)
