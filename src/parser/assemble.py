"""Assembly: the grammar's facts -> one intent, following the labelling conventions.

The conventions (shared/corpus/README.md) in the order this module applies them:

1. Refusals first. An unsupported asset (forex, crypto, CFDs, unknown futures roots) or a spread
   anywhere in the message -> ``none``. A question in the action's sentence, a conditional word
   (if, when, once, unless, above, below, over, under, breaks) before the action in its sentence or
   after it in its clause (before any stop or target), an intention (may, looking, planning...) or a
   watchlist mark before the action, or discretionary wording -> ``none``.
2. The action is the first verb (or stop move) in text order. Folds: an entry that also reports an
   add or a new average is an ``add``; an exit with a fraction or a "partial" is a ``trim``; a trim
   with a stop move is one ``trim`` carrying the stop; a stop move followed by a trim is that trim.
3. The contract (contract.py) is looked for from the action's sentence onwards: an option phrase first, then a
   ``$TICKER``, the word right after the verb, the word that opens the sentence before the verb, or
   ``on WORD``. A word counts as a symbol only when it looks like one (no common English word, no
   alert tag) and is not followed by more prose. Futures roots are futures; an entry naming only a
   ticker is a stock (an index name is refused); management naming only a ticker has asset None.
4. Price: the first ``@`` price, else the first bare number after the contract. A range gives the
   bound that fills across the zone: the upper for a buy, the lower for a sell. ``@ mkt`` and no
   price mean a market order (price None).
5. Stops: a premium stop at or above a long option's entry is an underlying level and is dropped;
   for stocks and futures a stop on the wrong side of the entry is ``ambiguous``. Points become a
   price from the entry (none without one). Percent and breakeven stay as written.
6. Targets: every ``pt`` level in order; points become prices; an option target at or below a long's
   entry is an underlying level and is dropped.
7. Messages with no verb: an option with a price is an entry; a stop level (with or without targets)
   is a stop move; targets alone are informational; recaps, info and chatter are ``none``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .contract import Contract, find_contract, option_contract, underlying_level
from .message import Message, index_facts, next_tag, refuse
from .models import (
    Add,
    Asset,
    BreakevenStop,
    Cancel,
    Exit,
    Instrument,
    MoveStop,
    NotASignal,
    Open,
    PercentStop,
    PercentTarget,
    PriceStop,
    PriceTarget,
    Side,
    Stop,
    Target,
    Trim,
)
from .transform import Fact, Level

_CONDITIONAL = frozenset({"if", "break", "above", "below", "over", "under"})
_OPEN_VERBS = {"bto": Side.LONG, "long": Side.LONG, "sto": Side.SHORT, "short": Side.SHORT, "entry": None}
_EXIT_SIDES = {"stc": Side.LONG, "btc": Side.SHORT, "exit": None}
_BUY_SIDES = {(True, Side.LONG), (False, Side.SHORT)}


# ---------------------------------------------------------------- refusals


def _global_refusal(msg: Message) -> NotASignal | None:
    markers = {f.value for f in msg.facts if f.tag == "marker"}
    if "unsupported" in markers:
        return refuse("unsupported_asset", "names a forex pair, crypto, CFD or futures root we do not trade")
    if "spread" in markers:
        return refuse("unsupported_spread", "a multi-leg spread cannot be copied as one bracket")
    return None


def _veto(msg: Message, action: int) -> NotASignal | None:
    """Refuse when the action is asked about, hedged, conditional or left to the reader."""
    start, end = msg.sentence_span(action)
    if any(f.tag == "marker" and f.value == "qmark" for _, f in msg.tags(start, end)):
        return refuse("question", "the alert is a question")
    first_level = next(
        (i for i, f in msg.tags(action + 1, end) if f.tag in ("stop", "targets", "move", "points")), end
    )
    for i, fact in msg.tags(start, end):
        if fact.tag != "marker":
            continue
        if fact.value == "discretionary":
            return refuse("discretionary", "left to the follower's discretion")
        before = i < action
        same_clause_after = action < i < first_level and msg.clause[i] == msg.clause[action]
        if fact.value in _CONDITIONAL and (before or same_clause_after):
            return refuse("conditional", "the action depends on a condition that has not happened")
        if fact.value == "intent" and before:
            return refuse("commentary", "talks about a possible trade, not an instruction")
        if fact.value == "neg" and before:
            return refuse("negated", "says not to do it")
        if fact.value == "watch" and before:
            return refuse("watchlist", "a watchlist mention, not an instruction")
    return None


# ---------------------------------------------------------------- numbers


def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _quantity_index(msg: Message, action: int) -> int | None:
    """``BTO 5 QQQ ...``: a whole number right after the verb and before the contract is a size."""
    nxt = action + 1
    whole = nxt < len(msg.facts) and msg.facts[nxt].tag == "number" and "." not in msg.facts[nxt].value
    return nxt if whole and next_tag(msg, nxt) in ("word", "ticker", "option", "dated") else None


def _quantity(msg: Message, action: int) -> int | None:
    for _, fact in msg.tags(action):
        if fact.tag == "qty" and fact.value:
            return int(fact.value)
    at = _quantity_index(msg, action)
    value = int(msg.facts[at].value) if at is not None else 0
    return value if value > 0 else None


def _range_bound(level: Level, buying: bool) -> Decimal:
    return Decimal(level[2] if buying else level[1])


def _price(msg: Message, action: int, contract: Contract, buying: bool) -> Decimal | None:
    """The first ``@`` price from the action's sentence on, else the first bare number after it."""
    start, _ = msg.sentence_span(action)
    for _, fact in msg.tags(start):
        if fact.tag == "price" and fact.value is not None:
            level = fact.value
            if level[0] == "range":
                return _range_bound(level, buying)
            return Decimal(level[1]) if level[0] == "price" else None
    _, end = msg.sentence_span(action)
    skip = _quantity_index(msg, action)
    for i, fact in msg.tags(action + 1, end):
        if fact.tag == "number" and i != skip:
            return _decimal(fact.value)
        if fact.tag == "range" and fact.value is not None:
            return _range_bound(fact.value, buying)
    return None


def _offset(price: Decimal | None, points: Decimal, sign: int) -> Decimal | None:
    return None if price is None else price + sign * points


def _stop(level: Level | None, side: Side | None, price: Decimal | None) -> Stop | None:
    if level is None:
        return None
    kind = level[0]
    if kind == "be":
        return BreakevenStop()
    if kind == "percent":
        return PercentStop(percent=level[1])
    if kind == "points":
        value = _offset(price, level[1], -1 if side != Side.SHORT else 1)
        return None if value is None else PriceStop(price=value)
    if kind == "range":
        return PriceStop(price=level[1] if side != Side.SHORT else level[2])
    return PriceStop(price=level[1])


def _targets(levels: Iterable[Level], side: Side | None, price: Decimal | None) -> list[Target]:
    out: list[Target] = []
    sign = -1 if side == Side.SHORT else 1
    for level in levels:
        if level[0] == "percent":
            out.append(PercentTarget(percent=level[1]))
        elif level[0] == "points":
            value = _offset(price, level[1], sign)
            if value is not None:
                out.append(PriceTarget(price=value))
        elif level[0] == "range":
            out.append(PriceTarget(price=level[1] if sign > 0 else level[2]))
        elif level[0] == "price":
            out.append(PriceTarget(price=level[1]))
    return out


# ---------------------------------------------------------------- the action


@dataclass(frozen=True)
class _Action:
    kind: str
    side: Side | None
    fraction: Decimal | None = None
    stop_level: Level | None = None
    has_stop: bool = False


_ENTRY_FOLLOWERS = frozenset(
    {"price", "number", "range", "option", "dated", "ticker", "word", "loose", "verb", "marker"}
)


def _is_action(msg: Message, i: int) -> bool:
    """``entry`` is a verb where it opens a sentence or heads a price; "from entry" is a noun."""
    fact = msg.facts[i]
    if fact.tag == "move":
        return True
    if fact.tag != "verb":
        return False
    if fact.value[0] != "entry":
        return True
    start, _ = msg.sentence_span(i)
    opens_sentence = all(f.tag in ("loose", "marker", "comma") for _, f in msg.tags(start, i))
    follower = next_tag(msg, i)
    return (opens_sentence and follower is not None and follower in _ENTRY_FOLLOWERS) or follower == "price"


def _first_action(msg: Message) -> int | None:
    return next((i for i in range(len(msg.facts)) if _is_action(msg, i)), None)


def _later_add(msg: Message, action: int) -> bool:
    for i, fact in msg.tags(action + 1):
        if fact.tag == "avg" or (fact.tag == "verb" and fact.value[0] == "add"):
            start, _ = msg.sentence_span(i)
            hedged = any(f.tag == "marker" and f.value in ("intent", "if") for _, f in msg.tags(start, i))
            if not hedged:
                return True
    return False


def _fraction(msg: Message, action: int) -> Decimal | None:
    verb = msg.facts[action]
    if verb.tag == "verb" and verb.value[1] is not None:
        return min(Decimal(verb.value[1]) / 100, Decimal(1))
    start, end = msg.sentence_span(action)
    for _, fact in msg.tags(start, end):
        if fact.tag == "fraction":
            return fact.value  # type: ignore[no-any-return]
    return None


def _message_stop(msg: Message, tags: tuple[str, ...]) -> tuple[bool, Level | None]:
    for _, fact in msg.tags():
        if fact.tag in tags:
            return True, fact.value
    return False, None


def _classify(msg: Message, action: int) -> _Action:
    fact = msg.facts[action]
    if fact.tag == "move":
        return _classify_move(msg, action)
    verb = fact.value[0]
    if verb in _OPEN_VERBS:
        side = _OPEN_VERBS[verb] or _side_word(msg)
        kind = "add" if _later_add(msg, action) else "open"
        has_stop, level = _message_stop(msg, ("stop",))
        return _Action(kind, side, stop_level=level, has_stop=has_stop)
    if verb in _EXIT_SIDES or verb == "trim":
        return _classify_exit(msg, action, verb)
    if verb == "add":
        has_stop, level = _message_stop(msg, ("stop",))
        return _Action("add", _side_word(msg) or Side.LONG, stop_level=level, has_stop=has_stop)
    return _Action("cancel", None)


def _side_word(msg: Message) -> Side | None:
    for _, fact in msg.tags():
        if fact.tag == "verb" and fact.value[0] in ("short", "sto"):
            return Side.SHORT
    return Side.LONG


def _classify_exit(msg: Message, action: int, verb: str) -> _Action:
    side = _EXIT_SIDES.get(verb)
    fraction = _fraction(msg, action)
    partial = verb == "trim" or fraction is not None or _trim_follows(msg, action)
    if not partial:
        return _Action("exit", side)
    if fraction is None:
        fraction = next((Decimal(f.value) for _, f in msg.tags(action) if f.tag == "fraction"), None)
    has_stop, level = _message_stop(msg, ("move", "stop"))
    return _Action("trim", side, fraction=fraction, stop_level=level, has_stop=has_stop)


def _trim_follows(msg: Message, action: int) -> bool:
    return any(f.tag == "verb" and f.value[0] == "trim" for _, f in msg.tags(action + 1))


def _classify_move(msg: Message, action: int) -> _Action:
    for i, fact in msg.tags(action + 1):
        if fact.tag == "verb" and fact.value[0] in ("trim", "exit", "stc", "btc"):
            folded = _classify_exit(msg, i, fact.value[0])
            if folded.kind == "trim":
                return _Action("trim", folded.side, folded.fraction, msg.facts[action].value, True)
    return _Action("move_stop", None, stop_level=msg.facts[action].value, has_stop=True)


# ---------------------------------------------------------------- building intents


_MODELS: dict[str, Any] = {"open": Open, "add": Add, "exit": Exit, "trim": Trim, "move_stop": MoveStop}


def _build(
    msg: Message, action: int, act: _Action
) -> Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal:
    contract = find_contract(msg, action, act.kind)
    if contract.refusal is not None:
        return contract.refusal
    inst = contract.instrument
    if act.kind in ("open", "add") and inst is None:
        return refuse("missing_symbol", "an entry that names no contract")
    buying = (act.kind in ("open", "add"), act.side or Side.LONG) in _BUY_SIDES
    price = _price(msg, action, contract, buying)
    if act.kind in ("open", "add") and price is not None and underlying_level(price, inst):
        return refuse("ambiguous", f"price {price} looks like the underlying's, not the option's premium")
    fields: dict[str, Any] = {"side": act.side, "instrument": inst, "price": price}
    fields["quantity"] = _quantity(msg, action)
    if act.kind == "cancel":
        return Cancel(instrument=inst)
    if act.kind in ("open", "add", "trim", "move_stop"):
        stop = _stop(act.stop_level, act.side, price)
        refusal = _check_stop(stop, act, inst, price)
        if isinstance(refusal, NotASignal):
            return refusal
        fields["stop"] = None if refusal == "drop" else stop
    if act.kind in ("open", "add", "move_stop"):
        fields["targets"] = tuple(_option_targets(msg, act, inst, price))
    if act.kind == "trim":
        if act.fraction is not None and act.fraction <= 0:
            return refuse("ambiguous", "a trim of nothing (0%)")
        fields["fraction"] = act.fraction
    model = _MODELS[act.kind]
    return model(**fields)  # type: ignore[no-any-return]


def _check_stop(stop: Stop | None, act: _Action, inst: Instrument | None, price: Decimal | None) -> Any:
    """``"drop"`` for an underlying-level stop on an option, a refusal for a stop on the wrong side."""
    if not isinstance(stop, PriceStop) or act.kind not in ("open", "add"):
        return None
    if underlying_level(stop.price, inst):
        return "drop"
    if price is None:
        return None
    wrong_side = stop.price >= price if act.side != Side.SHORT else stop.price <= price
    if wrong_side:
        return refuse("ambiguous", f"stop {stop.price} is on the wrong side of the entry {price}")
    return None


def _option_targets(
    msg: Message, act: _Action, inst: Instrument | None, price: Decimal | None
) -> list[Target]:
    """Targets as written; on options, underlying-level or wrong-side levels are dropped."""
    levels = [level for _, f in msg.tags() if f.tag == "targets" for level in f.value]
    targets = _targets(levels, act.side, price)
    if inst is None or inst.asset != Asset.OPTION:
        return targets
    kept: list[Target] = []
    for target in targets:
        if isinstance(target, PriceTarget):
            if underlying_level(target.price, inst):
                continue
            if price is not None and (
                target.price <= price if act.side != Side.SHORT else target.price >= price
            ):
                continue
        kept.append(target)
    return kept


# ---------------------------------------------------------------- messages with no verb


def _without_verb(msg: Message) -> Open | MoveStop | NotASignal:
    markers = {f.value for f in msg.facts if f.tag == "marker"}
    for marker, reason in (("qmark", "question"), ("discretionary", "discretionary"), ("neg", "negated")):
        if marker in markers:
            return refuse(reason, "not an instruction")
    if "if" in markers:
        return refuse("conditional", "the message depends on a condition")
    if markers:  # a verbless message that hedges, reports or talks about levels is never an order
        return _chatter(msg, markers)
    entry = _verbless_entry(msg)
    if entry is not None:
        return entry
    has_stop, level = _message_stop(msg, ("stop",))
    if has_stop and level is not None and level[0] != "points":
        act = _Action("move_stop", None, stop_level=level, has_stop=True)
        fields = {"stop": _stop(level, None, None), "targets": tuple(_option_targets(msg, act, None, None))}
        return MoveStop(**fields)
    return _chatter(msg, markers)


def _verbless_entry(msg: Message) -> Open | NotASignal | None:
    """``$AI 29c 10/18 at 0.16``: a contract and a price with no verb is an entry."""
    at = next((i for i, f in enumerate(msg.facts) if f.tag == "option"), None)
    if at is None:
        return None
    act = _Action("open", Side.LONG, stop_level=_message_stop(msg, ("stop",))[1])
    contract = option_contract(msg, at, msg.facts[at].value)
    if contract.refusal is not None or contract.instrument is None:
        return contract.refusal
    price = _price(msg, at, contract, buying=True)
    if price is None:
        return None
    return _build(msg, at, act)  # type: ignore[return-value]


def _chatter(msg: Message, markers: set[str]) -> NotASignal:
    if "recap" in markers:
        return refuse("recap", "reports a result after the fact")
    if "info" in markers or any(f.tag == "targets" for f in msg.facts):
        return refuse("informational", "a status or level report that needs no action")
    if "watch" in markers:
        return refuse("watchlist", "a watchlist mention, not an instruction")
    return refuse("commentary", "no trade instruction")


def assemble(facts: list[Fact], now: datetime) -> Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal:
    msg = index_facts(facts, now)
    refusal = _global_refusal(msg)
    if refusal is not None:
        return refusal
    action = _first_action(msg)
    if action is None:
        return _without_verb(msg)
    refusal = _veto(msg, action)
    if refusal is not None:
        return refusal
    return _build(msg, action, _classify(msg, action))
