"""The LALR(1) parser for alerts.lark: lark builds the tables, a small driver runs them.

lark compiles the grammar; its own parse loop builds a token object, a lexer thread and a parser
state per message, which cost more than the whole message's work here. The tables themselves are
cached as JSON in ``$XDG_CACHE_HOME/autoscalper`` (else ``~/.cache/autoscalper``), keyed by the
grammar's text and lark's version: reading them back takes a fraction of lark's own cache (about
0.2 s), which matters to ``autoscalper parse`` starting in well under half a second.
The driver below runs the same tables over the lexer's tokens with one shift/reduce loop, and
hands each phrase rule's tokens to its builder in phrases.py. A token that can only ever be an
item on its own (most chatter words) is appended without the three reductions the tables would
make for it: ``_fast_kinds`` proves from the tables, once, that this gives the same result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .lexer import Tok
from .phrases import BUILDERS, Phrase

Item = Tok | Phrase
_END = "$END"


GRAMMAR = Path(__file__).with_name("alerts.lark")
_CACHE_FORMAT = 2
_KEYS = frozenset({"actions", "defaults", "rules", "start", "end", "top", "fast", "terminals"})


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
    # state -> the reduction it makes on any symbol not in its row. Most states reduce by one rule
    # whatever comes next: keeping that once instead of per symbol keeps 1,000 entries of 80,000.
    defaults: dict[int, int] = field(default_factory=dict)
    terminals: frozenset[str] = frozenset()  # every token kind the grammar reads


_TABLES: Tables | None = None


def tables() -> Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _build_tables()
    return _TABLES


def _build_tables() -> Tables:
    raw = _load_cached() or _compile()
    return Tables(
        actions={int(state): row for state, row in raw["actions"].items()},
        rules=tuple(_rule(origin, size) for origin, size in raw["rules"]),
        start=raw["start"],
        end=raw["end"],
        top=raw["top"],
        fast=frozenset(raw["fast"]),
        defaults={int(state): action for state, action in raw["defaults"].items()},
        terminals=frozenset(raw["terminals"]),
    )


def _default_reductions(
    actions: dict[int, dict[str, int]],
) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Each state's most common reduction becomes its default. The grammar accepts every sequence
    of its tokens (a property test checks it), so reducing before looking further never changes a
    parse; a token kind the grammar lacks still fails, at the next shift."""
    rows: dict[int, dict[str, int]] = {}
    defaults: dict[int, int] = {}
    for state, row in actions.items():
        reductions = Counter(action for action in row.values() if action < 0)
        if not reductions:
            rows[state] = row
            continue
        default = reductions.most_common(1)[0][0]
        defaults[state] = default
        rows[state] = {sym: action for sym, action in row.items() if action != default}
    return rows, defaults


def _compile() -> dict[str, Any]:
    """lark's LALR tables for alerts.lark, as plain data (and stored for the next start)."""
    from lark import Lark
    from lark.lexer import Lexer

    class NoLexer(Lexer):  # the grammar's terminals are declared; lexer.py makes the tokens
        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
            return iter(())

    table = Lark(
        GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer=NoLexer
    ).parser.parser.parser.parse_table
    rules: list[tuple[str, int]] = []
    index: dict[Any, int] = {}

    def rule(r: Any) -> int:
        if r not in index:
            index[r] = len(rules)
            rules.append((str(r.origin.name), len(r.expansion)))
        return ~index[r]

    actions = {
        state: {sym: (arg if act.name == "Shift" else rule(arg)) for sym, (act, arg) in row.items()}
        for state, row in table.states.items()
    }
    start, end = table.start_states["start"], table.end_states["start"]
    top = actions[start][next(sym for sym in actions[start] if sym.startswith("__start_star"))]
    full = Tables(actions, tuple(_rule(o, n) for o, n in rules), start, end, top, frozenset())
    rows, defaults = _default_reductions(actions)
    raw = {
        "actions": rows,
        "defaults": defaults,
        "rules": rules,
        "start": start,
        "end": end,
        "top": top,
        "fast": sorted(_fast_kinds(full)),  # proved on the full rows
        "terminals": sorted({sym for row in actions.values() for sym in row if sym.isupper()}),
    }
    _store(raw)
    return raw


def _cache_path() -> Path:
    from importlib.metadata import version  # lark's version without importing lark

    key = hashlib.sha256(GRAMMAR.read_bytes() + version("lark").encode()).hexdigest()[:16]
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "autoscalper" / f"grammar-v{_CACHE_FORMAT}-{key}.json"


def _load_cached() -> dict[str, Any] | None:
    try:
        raw = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or not raw.keys() >= _KEYS:
        return None
    return raw


def _store(raw: dict[str, Any]) -> None:
    """Atomically (a concurrent reader sees no file or a whole one); a cache that cannot be written
    only costs the next start the compilation."""
    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
            json.dump(raw, out, separators=(",", ":"))
        os.replace(out.name, path)
    except OSError:
        return


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
    actions, rules, top, start, fast, defaults = t.actions, t.rules, t.top, t.start, t.fast, t.defaults
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
                action = defaults.get(state)
                if action is None or (kind not in t.terminals and kind != _END):
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
