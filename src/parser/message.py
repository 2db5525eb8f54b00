"""One message's facts with their sentence and clause positions, for the assembler's look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .models import NotASignal
from .transform import Fact


@dataclass(frozen=True)
class Message:
    facts: list[Fact]
    sentence: list[int]
    clause: list[int]
    spans: list[tuple[int, int]]  # (start, end) of each sentence
    now: datetime

    def tags(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, Fact]]:
        end = len(self.facts) if stop is None else stop
        for i in range(start, end):
            yield i, self.facts[i]

    def sentence_span(self, i: int) -> tuple[int, int]:
        return self.spans[self.sentence[i]]


def index_facts(facts: list[Fact], now: datetime) -> Message:
    sentence, clause, spans = [], [], []
    s = c = start = 0
    for i, fact in enumerate(facts):
        sentence.append(s)
        clause.append(c)
        if fact.tag == "sep":
            spans.append((start, i + 1))
            start = i + 1
            s += 1
            c += 1
        elif fact.tag == "comma":
            c += 1
    spans.append((start, len(facts)))
    return Message(facts, sentence, clause, spans, now)


def refuse(reason: str, detail: str) -> NotASignal:
    return NotASignal(reason=reason, detail=detail)


def next_tag(msg: Message, i: int) -> str | None:
    return msg.facts[i + 1].tag if i + 1 < len(msg.facts) else None
