"""Several verbs, one or several instructions: which verbs fold into one intent, and what each covers.

Verbs about the same subject fold: "trim + stop to BE" is one trim carrying a breakeven stop,
"BTO ... added. new avg 1.42" one add, "Long Entry: ..." one open. A verb that names another
subject starts a new instruction ("trim SPY here, stop to BE on QQQ" is two). An entry followed by
an exit of the same subject is a recap ("BTO ... stopped out"); an entry followed by a cancel was
taken back ("... (cancelled)"). A hedged verb ("i plan on adding") never folds into the one before.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from .actions import ADD, CANCEL, EXIT, MOVE, OPEN, TRIM, Verb
from .indexed import IndexedMessage
from .phrases import Phrase
from .symbols import attached_evidence, evidence, symbol_text

_FOLDS = {
    (OPEN, OPEN): OPEN, (OPEN, ADD): ADD, (ADD, ADD): ADD, (ADD, OPEN): ADD, (OPEN, MOVE): OPEN,
    (ADD, MOVE): ADD, (EXIT, EXIT): EXIT, (EXIT, TRIM): TRIM, (TRIM, EXIT): TRIM, (TRIM, TRIM): TRIM,
    (TRIM, MOVE): TRIM, (MOVE, TRIM): TRIM, (MOVE, MOVE): MOVE, (CANCEL, CANCEL): CANCEL,
}  # fmt: skip
_NAMES = frozenset({"TICKER", "FUT", "WORD"})
_NAMED = frozenset({"TICKER", "FUT", "option", "dated"})
_LAYOUT = frozenset({"SEP", "COMMA", "COLON", "DASH", "TAG"})


@dataclass
class Instruction:
    kind: str
    verbs: list[int]
    start: int = 0  # the items this instruction covers: [start, end)
    end: int = 0
    hedged: bool = False
    head: int = -1  # its first verb
    order: list[int] = field(default_factory=list)  # where to look for its contract and numbers
    headers: set[int] = field(default_factory=set)  # the header lines before its verb's sentence

    def __post_init__(self) -> None:
        self.head = self.verbs[0]


@dataclass
class Grouping:
    instructions: list[Instruction] = field(default_factory=list)
    recap: bool = False  # an entry reported with its exit
    retracted: bool = False  # an entry taken back by a cancel


def group(msg: IndexedMessage, found: list[Verb], hedged_at: set[int]) -> Grouping:
    """``hedged_at``: the verbs under a condition, an intention, a negation ... (scope.py)."""
    out = Grouping()
    at = frozenset(verb.at for verb in found)
    for verb in found:
        cur = out.instructions[-1] if out.instructions else None
        hedged = verb.at in hedged_at
        if (
            cur is not None
            and not hedged
            and not cur.hedged
            and _same_subject(msg, cur.verbs[-1], verb.at, at)
        ):
            folded = _FOLDS.get((cur.kind, verb.kind))
            if folded is not None:
                cur.kind = folded
                cur.verbs.append(verb.at)
                continue
            if cur.kind == OPEN and verb.kind in (EXIT, TRIM):
                out.recap = True
            if cur.kind in (OPEN, ADD) and verb.kind == CANCEL:
                out.retracted = True
        out.instructions.append(Instruction(verb.kind, [verb.at], hedged=hedged))
    _spans(msg, out.instructions)
    for ins in out.instructions:
        if ins.kind == OPEN and _new_average(msg, ins):
            ins.kind = ADD  # "BTO SRNE @ 9.5 avg 9.509": buying again at a new average is an add
    return out


def _new_average(msg: IndexedMessage, ins: Instruction) -> bool:
    return any(msg.kinds[j + 1 : j + 2] == ["NUM"] for j in msg.positions("AVG", ins.head, ins.end))


def subject(msg: IndexedMessage, at: int, verb_at: frozenset[int] = frozenset()) -> str | None:
    """The contract or ticker a verb names, as a comparable key (None when it names none): looked
    for after the verb up to the next verb in its clause, else before it back to the previous one."""
    start, end = msg.clause_span(at)
    after = next((j for j in range(at + 1, end) if j in verb_at), end)
    before = next((j for j in range(at - 1, start - 1, -1) if j in verb_at), start - 1)
    for j in [*range(at + 1, after), *range(at - 1, before, -1)]:
        key = _name_key(msg, j)
        if key is not None:
            return key
    return None


def _name_key(msg: IndexedMessage, j: int) -> str | None:
    item = msg.items[j]
    if isinstance(item, Phrase):
        if item.kind == "option":
            value = item.value
            named = value.before or value.after
            return symbol_text(named) if named is not None else f"{value.strike}{value.right}"
        symbol = item.value.symbol if item.kind == "dated" else None
        if symbol is not None and attached_evidence(symbol, msg.has_lower):
            return symbol_text(symbol)
        return None
    if item.kind in _NAMES and evidence(item, msg.has_lower):
        return symbol_text(item)
    return None


def _same_subject(msg: IndexedMessage, earlier: int, later: int, verb_at: frozenset[int]) -> bool:
    first, second = subject(msg, earlier, verb_at), subject(msg, later, verb_at)
    return first is None or second is None or first == second


def ordered(msg: IndexedMessage, ins: Instruction, kinds: frozenset[str]) -> list[int]:
    """The positions of items of these kinds, in the instruction's search order."""
    where = msg.where
    first, last = ins.order[0] if ins.order else 0, ins.end
    inside: list[int] = []
    before: list[int] = []
    headers = ins.headers if ins.start < first else None
    for kind in kinds.intersection(where):
        found = where[kind]  # in order: a slice each, so a long message costs no more per instruction
        low = bisect_left(found, first)
        inside += found[low : bisect_left(found, last, low)]
        if headers:
            before += [j for j in found[bisect_left(found, ins.start, 0, low) : low] if j in headers]
    if len(kinds) > 1:
        inside.sort()
        before.sort()
    return inside + before if before else inside


def search_order(msg: IndexedMessage, ins: Instruction) -> list[int]:
    """Where to look for the instruction's contract and numbers: from its verb's sentence to its end,
    then the header lines before it ("GBPJPY\nBUY LIMIT @ 150.70", "SPX 5800C\nImmediate entry")."""
    start, _ = msg.sentence_span(ins.head)
    start = max(start, ins.start)
    order = list(range(start, ins.end))
    line = start
    while line > ins.start:
        line_start, _ = msg.sentence_span(line - 1)
        line_start = max(line_start, ins.start)
        if _header(msg, line_start, line):
            order.extend(range(line_start, line))
            ins.headers.update(range(line_start, line))
        line = line_start
    return order


def _header(msg: IndexedMessage, start: int, end: int) -> bool:
    content = [j for j in range(start, end) if msg.kinds[j] not in _LAYOUT]
    if not content or len(content) > 4:
        return False
    return any(msg.kinds[j] in _NAMED or _named_word(msg, j) for j in content)


def _named_word(msg: IndexedMessage, j: int) -> bool:
    tok = msg.tok(j)
    return tok is not None and tok.kind == "WORD" and evidence(tok, msg.has_lower)


def _spans(msg: IndexedMessage, instructions: list[Instruction]) -> None:
    """Each instruction covers from its first verb's clause (its sentence, for the first one, and
    the message's header lines before it) up to where the next one starts."""
    n = len(msg.items)
    for k, ins in enumerate(instructions):
        if k == 0:
            ins.start = 0
            continue
        clause_start, _ = msg.clause_span(ins.head)
        previous = instructions[k - 1].verbs[-1]
        # a verb of its own clause starts there ("TSLA out, NVDA stop to 130"); a second verb in the
        # same clause starts at itself ("moved stop to 1.10 on SPY and trimmed QQQ")
        ins.start = clause_start if clause_start > previous else ins.head
    for k, ins in enumerate(instructions):
        ins.end = instructions[k + 1].start if k + 1 < len(instructions) else n
        ins.order = search_order(msg, ins)
