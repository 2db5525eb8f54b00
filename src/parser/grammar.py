"""The LALR(1) parser for alerts.lark: lark builds the tables, a small driver runs them.

lark compiles the grammar (and caches it on disk); its own parse loop builds a token object, a
lexer thread and a parser state per message, which cost more than the whole message's work here.
The driver below runs the same tables over the lexer's tokens with one shift/reduce loop, and
hands each phrase rule's tokens to its builder in phrases.py. A token that can only ever be an
item on its own (most chatter words) is appended without the three reductions the tables would
make for it: ``_fast_kinds`` proves from the tables, once, that this gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from lark import Lark
from lark.lexer import Lexer

from .lexer import Tok
from .phrases import BUILDERS, Phrase

Item = Tok | Phrase
_END = "$END"


class _NoLexer(Lexer):
    """The grammar's terminals are declared; lexer.py makes the tokens."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - the driver feeds tokens
        return iter(())


class ParseError(ValueError):
    """The tokens do not fit the grammar (never for lexer output: a property test checks it)."""


# How a reduction builds its value.
_BUILD, _LIST, _PASS, _START, _SPLICE = range(5)


class _Rule(NamedTuple):
    size: int
    origin: str
    mode: int
    build: Any  # the phrase builder (mode _BUILD)


@dataclass(frozen=True)
class Tables:
    # state -> symbol -> action: a state number >= 0 to shift (or go) to, or ~rule to reduce by rules[rule]
    actions: dict[int, dict[str, int]]
    rules: tuple[_Rule, ...]
    start: int
    end: int
    top: int  # the state after one or more items: where every next item starts
    fast: frozenset[str]  # tokens that are always an item on their own


_TABLES: Tables | None = None


def tables() -> Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _build_tables()
    return _TABLES


def _build_tables() -> Tables:
    lark = Lark.open("alerts.lark", rel_to=__file__, parser="lalr", lexer=_NoLexer, cache=True)
    table = lark.parser.parser.parser.parse_table
    rules: list[_Rule] = []
    index: dict[Any, int] = {}

    def rule(r: Any) -> int:
        if r not in index:
            index[r] = len(rules)
            rules.append(_rule(str(r.origin.name), len(r.expansion)))
        return ~index[r]

    actions = {
        state: {sym: (arg if act.name == "Shift" else rule(arg)) for sym, (act, arg) in row.items()}
        for state, row in table.states.items()
    }
    start, end = table.start_states["start"], table.end_states["start"]
    top = actions[start][next(sym for sym in actions[start] if sym.startswith("__start_star"))]
    partial = Tables(actions, tuple(rules), start, end, top, frozenset())
    return Tables(actions, tuple(rules), start, end, top, _fast_kinds(partial))


def _rule(origin: str, size: int) -> _Rule:
    if origin in BUILDERS:
        return _Rule(size, origin, _BUILD, BUILDERS[origin])
    if origin.startswith("__start_star"):
        return _Rule(size, origin, _LIST, None)
    if origin in ("item", "_token"):
        return _Rule(size, origin, _PASS, None)
    if origin == "start":
        return _Rule(size, origin, _START, None)
    return _Rule(size, origin, _SPLICE, None)  # an inlined helper rule (_level, _tlevel, list tails)


def parse_items(tokens: list[Tok]) -> list[Item]:
    """The message's items in order: phrases (``Phrase``) and the tokens that are none (``Tok``)."""
    t = _TABLES or tables()
    actions, rules, top, start, fast = t.actions, t.rules, t.top, t.start, t.fast
    items: list[Item] = []
    states = [start]
    values: list[Any] = []
    # One LALR driver loop for the whole message (a call per token costs more than the parse).
    for tok in (*tokens, None):
        kind = tok[0] if tok is not None else _END
        while True:
            state = states[-1]
            if kind in fast and state in (top, start):
                items.append(tok)  # type: ignore[arg-type]  # what shift and three reductions would do
                if state == start:
                    states[:] = [start, top]
                    values[:] = [items]
                break
            action = actions[state].get(kind)
            if action is None:
                raise ParseError(f"unexpected {kind} at {tok.pos if tok else 'end'}")
            if action >= 0:
                states.append(action)
                values.append(tok)
                break
            size, origin, mode, build = rules[~action]
            if size:
                children = values[-size:]
                del values[-size:]
                del states[-size:]
            else:
                children = []
            if mode == _BUILD:
                value = build(_flat(children))
            elif mode == _LIST:
                items.append(children[-1])
                value = items
            elif mode == _PASS:
                value = children[0]
            elif mode == _START:
                return items
            else:
                value = _Splice(_flat(children))
            states.append(actions[states[-1]][origin])
            values.append(value)
    return items


class _Splice(list[Any]):
    """Children of an inlined helper rule, spliced into the phrase that holds them."""


def _flat(children: list[Any]) -> list[Tok]:
    if not any(type(child) is _Splice for child in children):
        return children
    out: list[Tok] = []
    for child in children:
        if type(child) is _Splice:
            out.extend(child)
        else:
            out.append(child)
    return out


def _fast_kinds(t: Tables) -> frozenset[str]:
    """Terminals that, shifted where an item starts, can only be reduced into the item list next
    (whatever follows): so appending them to the list directly is the same parse."""
    fast = set()
    for kind, action in t.actions[t.top].items():
        if not kind.isupper() or action < 0 or t.actions[t.start].get(kind, -1) < 0:
            continue
        after_top, after_start = t.actions[action], t.actions[t.actions[t.start][kind]]
        if all(_reduces_to_list(t, row) for row in (after_top, after_start)):
            fast.add(kind)
    return frozenset(fast)


def _reduces_to_list(t: Tables, row: dict[str, int]) -> bool:
    return all(action < 0 and t.rules[~action].mode == _LIST for action in row.values())
