"""One message's items (phrases and lone tokens) with their sentence and clause, for look-ups."""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from typing import NamedTuple

from .grammar import Item
from .lexer import Tok
from .models import NotASignal

SENTENCE_ENDS = frozenset({"SEP", "QMARK"})
CLAUSE_ENDS = frozenset({"COMMA"})


class IndexedMessage(NamedTuple):
    """Items with their positions precomputed: every look-up the assembler makes is O(1) or a slice."""

    items: list[Item]
    kinds: list[str]  # each item's kind: a token class (upper case) or a phrase (lower case)
    texts: list[str]  # each token's text ("" for a phrase)
    sentences: list[tuple[int, int]]  # the (start, end) of each item's sentence
    clauses: list[tuple[int, int]]  # the (start, end) of each item's clause
    where: dict[str, list[int]]  # kind -> the positions of the items of that kind, in order
    has_lower: bool  # written partly in lower case: a word in capitals stands out as a ticker
    now: datetime

    def sentence_span(self, i: int) -> tuple[int, int]:
        return self.sentences[min(i, len(self.items) - 1)] if self.items else (0, 0)

    def clause_span(self, i: int) -> tuple[int, int]:
        return self.clauses[min(i, len(self.items) - 1)] if self.items else (0, 0)

    def positions(self, kind: str, start: int = 0, end: int | None = None) -> list[int]:
        found = self.where.get(kind, _NONE)
        stop = len(self.items) if end is None else end
        low = bisect_left(found, start)
        return found[low : bisect_left(found, stop, low)]

    def first(self, kinds: frozenset[str] | set[str], start: int, end: int) -> int | None:
        kinds_at = self.kinds
        for i in range(start, min(end, len(kinds_at))):
            if kinds_at[i] in kinds:
                return i
        return None

    def text(self, i: int) -> str:
        return self.texts[i] if 0 <= i < len(self.texts) else ""

    def tok(self, i: int) -> Tok | None:
        if 0 <= i < len(self.items) and self.kinds[i].isupper():
            return self.items[i]  # type: ignore[return-value]
        return None


_NONE: list[int] = []


def index_items(items: list[Item], has_lower: bool, now: datetime) -> IndexedMessage:
    kinds = [item[0] for item in items]
    texts = [item[1] if kind.isupper() else "" for item, kind in zip(items, kinds, strict=True)]
    where: dict[str, list[int]] = {}
    sentences: list[tuple[int, int]] = []
    clauses: list[tuple[int, int]] = []
    sentence_start = clause_start = 0
    n = len(items)
    for i, kind in enumerate(kinds):
        where.setdefault(kind, []).append(i)
        if kind in SENTENCE_ENDS or kind in CLAUSE_ENDS or i == n - 1:
            clauses.extend([(clause_start, i + 1)] * (i + 1 - clause_start))
            clause_start = i + 1
        if kind in SENTENCE_ENDS or i == n - 1:
            sentences.extend([(sentence_start, i + 1)] * (i + 1 - sentence_start))
            sentence_start = i + 1
    return IndexedMessage(items, kinds, texts, sentences, clauses, where, has_lower, now)


def refuse(reason: str, detail: str) -> NotASignal:
    return NotASignal(reason=reason, detail=detail)
