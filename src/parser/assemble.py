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
3. The contract is looked for from the action's sentence onwards: an option phrase first, then a
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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .expiry import resolve_expiry
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
    Right,
    Side,
    Stop,
    Target,
    Trim,
)
from .normalize import FUTURES_ROOTS
from .transform import DatedFact, Fact, Level, OptionFact

INDEX_SYMBOLS = frozenset({"spx", "ndx", "rut", "djia", "dji", "djx", "vix", "xsp", "nya", "comp"})
_CONDITIONAL = frozenset({"if", "break", "above", "below", "over", "under"})
_OPEN_VERBS = {"bto": Side.LONG, "long": Side.LONG, "sto": Side.SHORT, "short": Side.SHORT, "entry": None}
_EXIT_SIDES = {"stc": Side.LONG, "btc": Side.SHORT, "exit": None}
_NOT_SYMBOLS = frozenset(
    """
    a about above add after again ah all also already am an and another any are as at away back bad be
    been before being below big bit both but buy by call calls can close could current day did do does
    done down each eh either else er every everyone few final first for from get gl go going gone good
    got great green guys had has have he heavy her here high him his hod how i if im in into is it its
    itm just last lets light like little ll lod lol looks lot lots lotto low ma macd market me more most
    much my new next nhod nice nlod no not notes now ok okay on one only or order orders other otm our
    out over pm position price profit profits put puts re red remaining rest risk risky room runner
    runners s same scalp scalps second set setup shares she should size small so some still stop
    support swing swinging t than that the them then there these they third this those too trade trades
    trading two under up us ve very via vwap was way we well were what when where which while who why
    will with would yes yet you your
    """.split()
)

_SKIPPED = frozenset({"number", "qty", "loose", "fraction"})
_SKIPPED_WORDS = frozenset({"all", "rest", "remaining", "remainder", "runners", "runner", "more", "on", "in"})
_FOLLOWERS = frozenset(
    {"calls", "puts", "call", "put", "shares", "order", "orders", "limit", "position", "here", "now", "too"}
)
_BUY_SIDES = {(True, Side.LONG), (False, Side.SHORT)}


@dataclass(frozen=True)
class _Message:
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


def _index(facts: list[Fact], now: datetime) -> _Message:
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
    return _Message(facts, sentence, clause, spans, now)


def refuse(reason: str, detail: str) -> NotASignal:
    return NotASignal(reason=reason, detail=detail)


# ---------------------------------------------------------------- refusals


def _global_refusal(msg: _Message) -> NotASignal | None:
    markers = {f.value for f in msg.facts if f.tag == "marker"}
    if "unsupported" in markers:
        return refuse("unsupported_asset", "names a forex pair, crypto, CFD or futures root we do not trade")
    if "spread" in markers:
        return refuse("unsupported_spread", "a multi-leg spread cannot be copied as one bracket")
    return None


def _veto(msg: _Message, action: int) -> NotASignal | None:
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


# ---------------------------------------------------------------- symbols and contracts


def _symbol_like(word: str) -> bool:
    return 1 <= len(word) <= 5 and word.isalnum() and word[0].isalpha() and word not in _NOT_SYMBOLS


def _skippable(fact: Fact) -> bool:
    """Words between a verb and its ticker: ``sold all NVDA``, ``adding short ES``."""
    if fact.tag == "verb":
        return bool(fact.value[0] in ("long", "short"))
    return fact.tag == "word" and fact.value in _SKIPPED_WORDS


def _next_tag(msg: _Message, i: int) -> str | None:
    return msg.facts[i + 1].tag if i + 1 < len(msg.facts) else None


def _bare_symbol(msg: _Message, action: int, start: int) -> str | None:
    """A ticker named without a contract phrase, looked for around the action."""
    _, end = msg.sentence_span(action)
    if all(f.tag == "sep" for _, f in msg.tags(action + 1, end)) and end < len(msg.facts):
        _, end = msg.sentence_span(end)  # "Exit!! ... on CVX": the verb stands alone in its sentence
    for _, fact in msg.tags(start, end):
        if fact.tag == "ticker" and _symbol_like(fact.value):
            return str(fact.value)
    j = action + 1
    while j < end and (msg.facts[j].tag in _SKIPPED or _skippable(msg.facts[j])):
        j += 1
    if j < end and msg.facts[j].tag == "word" and _symbol_like(msg.facts[j].value):
        follower = msg.facts[j + 1] if j + 1 < len(msg.facts) else None
        prose = follower is not None and follower.tag == "word" and follower.value not in _FOLLOWERS
        if not prose or msg.facts[j].value in FUTURES_ROOTS:
            return str(msg.facts[j].value)
    before = [f for _, f in msg.tags(start, action) if f.tag not in ("loose", "comma")]
    if len(before) == 1 and before[0].tag == "word" and _symbol_like(before[0].value):
        return str(before[0].value)
    for i, fact in msg.tags(action + 1, end - 1):
        if fact.tag == "word" and fact.value == "on" and msg.facts[i + 1].tag == "word":
            word = msg.facts[i + 1].value
            if _symbol_like(word):
                return str(word)
    return None


def _option_symbol(msg: _Message, at: int, option: OptionFact) -> str | None:
    if option.symbol and _symbol_like(option.symbol):
        return option.symbol
    start, _ = msg.sentence_span(at)
    for i in range(at - 1, start - 1, -1):
        fact = msg.facts[i]
        if fact.tag in ("word", "ticker") and _symbol_like(fact.value):
            return str(fact.value)
        if fact.tag in ("verb", "sep"):
            break
    return None


@dataclass(frozen=True)
class _Contract:
    instrument: Instrument | None
    at: int | None  # index of the fact that named it, for the price that follows
    refusal: NotASignal | None = None


def _find_contract(msg: _Message, action: int, kind: str) -> _Contract:
    start, _ = msg.sentence_span(action)
    for i, fact in msg.tags(start):
        if fact.tag == "option":
            return _option_contract(msg, i, fact.value)
        if fact.tag == "dated" and (fact.value.symbol or kind in ("open", "add")):
            return _dated_contract(msg, i, fact.value, kind)
    symbol = _bare_symbol(msg, action, start)
    if symbol is None:
        return _Contract(None, None)
    return _symbol_contract(msg, action, symbol, kind)


def _loose_expiry(msg: _Message, at: int, option: OptionFact) -> OptionFact | NotASignal:
    """``SPY 580C, 3/20`` or ``SPY 582C @ 0DTE``: one expiry written apart from its option joins it."""
    if option.expiry is not None:
        return option
    start, end = msg.sentence_span(at)
    dated = [f.value for _, f in msg.tags(start, end) if f.tag == "dated"]
    if not dated:
        if any(f.tag == "dated" for f in msg.facts):
            return refuse("ambiguous", "an expiry is written apart from the contract it belongs to")
        return option
    if len(dated) > 1:
        return refuse("ambiguous", "several expiries written for one option")
    return option._replace(expiry=dated[0].expiry, symbol=option.symbol or dated[0].symbol)


def _option_contract(msg: _Message, at: int, option_as_written: OptionFact) -> _Contract:
    option = _loose_expiry(msg, at, option_as_written)
    if isinstance(option, NotASignal):
        return _Contract(None, at, option)
    symbol = _option_symbol(msg, at, option)
    if symbol is None:
        return _Contract(None, at, refuse("missing_symbol", "an option with no underlying named"))
    try:
        expiry = resolve_expiry(option.expiry, msg.now) if option.expiry else None
    except ValueError:
        return _Contract(None, at, refuse("ambiguous", f"impossible expiry date {option.expiry}"))
    right = Right.CALL if option.right == "C" else Right.PUT
    inst = Instrument(
        asset=Asset.OPTION, symbol=symbol.upper(), right=right, strike=option.strike, expiry=expiry
    )
    return _Contract(inst, at)


def _dated_contract(msg: _Message, at: int, dated: DatedFact, kind: str) -> _Contract:
    if kind in ("open", "add"):
        named = f"{(dated.symbol or '').upper()} {dated.expiry}".strip()
        return _Contract(None, at, refuse("missing_right", f"{named}: an option with no call or put"))
    return _Contract(Instrument(asset=None, symbol=str(dated.symbol).upper()), at)


def _symbol_contract(msg: _Message, action: int, symbol: str, kind: str) -> _Contract:
    at = next((i for i, f in msg.tags(action) if f.value == symbol and f.tag in ("word", "ticker")), action)
    if symbol in FUTURES_ROOTS:
        return _Contract(Instrument(asset=Asset.FUTURE, symbol=symbol.upper()), at)
    if kind == "open":
        if symbol in INDEX_SYMBOLS:
            return _Contract(
                None, at, refuse("unsupported_asset", f"{symbol.upper()} is an index, not tradable")
            )
        return _Contract(Instrument(asset=Asset.STOCK, symbol=symbol.upper()), at)
    return _Contract(Instrument(asset=None, symbol=symbol.upper()), at)


# ---------------------------------------------------------------- numbers


def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _quantity_index(msg: _Message, action: int) -> int | None:
    """``BTO 5 QQQ ...``: a whole number right after the verb and before the contract is a size."""
    nxt = action + 1
    whole = nxt < len(msg.facts) and msg.facts[nxt].tag == "number" and "." not in msg.facts[nxt].value
    return nxt if whole and _next_tag(msg, nxt) in ("word", "ticker", "option", "dated") else None


def _quantity(msg: _Message, action: int) -> int | None:
    for _, fact in msg.tags(action):
        if fact.tag == "qty" and fact.value:
            return int(fact.value)
    at = _quantity_index(msg, action)
    value = int(msg.facts[at].value) if at is not None else 0
    return value if value > 0 else None


def _range_bound(level: Level, buying: bool) -> Decimal:
    return Decimal(level[2] if buying else level[1])


def _price(msg: _Message, action: int, contract: _Contract, buying: bool) -> Decimal | None:
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


def _is_action(msg: _Message, i: int) -> bool:
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
    follower = _next_tag(msg, i)
    return (opens_sentence and follower is not None and follower in _ENTRY_FOLLOWERS) or follower == "price"


def _first_action(msg: _Message) -> int | None:
    return next((i for i in range(len(msg.facts)) if _is_action(msg, i)), None)


def _later_add(msg: _Message, action: int) -> bool:
    for i, fact in msg.tags(action + 1):
        if fact.tag == "avg" or (fact.tag == "verb" and fact.value[0] == "add"):
            start, _ = msg.sentence_span(i)
            hedged = any(f.tag == "marker" and f.value in ("intent", "if") for _, f in msg.tags(start, i))
            if not hedged:
                return True
    return False


def _fraction(msg: _Message, action: int) -> Decimal | None:
    verb = msg.facts[action]
    if verb.tag == "verb" and verb.value[1] is not None:
        return min(Decimal(verb.value[1]) / 100, Decimal(1))
    start, end = msg.sentence_span(action)
    for _, fact in msg.tags(start, end):
        if fact.tag == "fraction":
            return fact.value  # type: ignore[no-any-return]
    return None


def _message_stop(msg: _Message, tags: tuple[str, ...]) -> tuple[bool, Level | None]:
    for _, fact in msg.tags():
        if fact.tag in tags:
            return True, fact.value
    return False, None


def _classify(msg: _Message, action: int) -> _Action:
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


def _side_word(msg: _Message) -> Side | None:
    for _, fact in msg.tags():
        if fact.tag == "verb" and fact.value[0] in ("short", "sto"):
            return Side.SHORT
    return Side.LONG


def _classify_exit(msg: _Message, action: int, verb: str) -> _Action:
    side = _EXIT_SIDES.get(verb)
    fraction = _fraction(msg, action)
    partial = verb == "trim" or fraction is not None or _trim_follows(msg, action)
    if not partial:
        return _Action("exit", side)
    if fraction is None:
        fraction = next((Decimal(f.value) for _, f in msg.tags(action) if f.tag == "fraction"), None)
    has_stop, level = _message_stop(msg, ("move", "stop"))
    return _Action("trim", side, fraction=fraction, stop_level=level, has_stop=has_stop)


def _trim_follows(msg: _Message, action: int) -> bool:
    return any(f.tag == "verb" and f.value[0] == "trim" for _, f in msg.tags(action + 1))


def _classify_move(msg: _Message, action: int) -> _Action:
    for i, fact in msg.tags(action + 1):
        if fact.tag == "verb" and fact.value[0] in ("trim", "exit", "stc", "btc"):
            folded = _classify_exit(msg, i, fact.value[0])
            if folded.kind == "trim":
                return _Action("trim", folded.side, folded.fraction, msg.facts[action].value, True)
    return _Action("move_stop", None, stop_level=msg.facts[action].value, has_stop=True)


# ---------------------------------------------------------------- building intents


_MODELS: dict[str, Any] = {"open": Open, "add": Add, "exit": Exit, "trim": Trim, "move_stop": MoveStop}


def _build(
    msg: _Message, action: int, act: _Action
) -> Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal:
    contract = _find_contract(msg, action, act.kind)
    if contract.refusal is not None:
        return contract.refusal
    inst = contract.instrument
    if act.kind in ("open", "add") and inst is None:
        return refuse("missing_symbol", "an entry that names no contract")
    buying = (act.kind in ("open", "add"), act.side or Side.LONG) in _BUY_SIDES
    price = _price(msg, action, contract, buying)
    if act.kind in ("open", "add") and price is not None and _underlying_level(price, inst):
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


def _underlying_level(value: Decimal, inst: Instrument | None) -> bool:
    """On an option, a level at half the strike or more is the underlying's price, not a premium."""
    return (
        inst is not None
        and inst.asset == Asset.OPTION
        and inst.strike is not None
        and value * 2 >= inst.strike
    )


def _check_stop(stop: Stop | None, act: _Action, inst: Instrument | None, price: Decimal | None) -> Any:
    """``"drop"`` for an underlying-level stop on an option, a refusal for a stop on the wrong side."""
    if not isinstance(stop, PriceStop) or act.kind not in ("open", "add"):
        return None
    if _underlying_level(stop.price, inst):
        return "drop"
    if price is None:
        return None
    wrong_side = stop.price >= price if act.side != Side.SHORT else stop.price <= price
    if wrong_side:
        return refuse("ambiguous", f"stop {stop.price} is on the wrong side of the entry {price}")
    return None


def _option_targets(
    msg: _Message, act: _Action, inst: Instrument | None, price: Decimal | None
) -> list[Target]:
    """Targets as written; on options, underlying-level or wrong-side levels are dropped."""
    levels = [level for _, f in msg.tags() if f.tag == "targets" for level in f.value]
    targets = _targets(levels, act.side, price)
    if inst is None or inst.asset != Asset.OPTION:
        return targets
    kept: list[Target] = []
    for target in targets:
        if isinstance(target, PriceTarget):
            if _underlying_level(target.price, inst):
                continue
            if price is not None and (
                target.price <= price if act.side != Side.SHORT else target.price >= price
            ):
                continue
        kept.append(target)
    return kept


# ---------------------------------------------------------------- messages with no verb


def _without_verb(msg: _Message) -> Open | MoveStop | NotASignal:
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


def _verbless_entry(msg: _Message) -> Open | NotASignal | None:
    """``$AI 29c 10/18 at 0.16``: a contract and a price with no verb is an entry."""
    at = next((i for i, f in enumerate(msg.facts) if f.tag == "option"), None)
    if at is None:
        return None
    act = _Action("open", Side.LONG, stop_level=_message_stop(msg, ("stop",))[1])
    contract = _option_contract(msg, at, msg.facts[at].value)
    if contract.refusal is not None or contract.instrument is None:
        return contract.refusal
    price = _price(msg, at, contract, buying=True)
    if price is None:
        return None
    return _build(msg, at, act)  # type: ignore[return-value]


def _chatter(msg: _Message, markers: set[str]) -> NotASignal:
    if "recap" in markers:
        return refuse("recap", "reports a result after the fact")
    if "info" in markers or any(f.tag == "targets" for f in msg.facts):
        return refuse("informational", "a status or level report that needs no action")
    if "watch" in markers:
        return refuse("watchlist", "a watchlist mention, not an instruction")
    return refuse("commentary", "no trade instruction")


def assemble(facts: list[Fact], now: datetime) -> Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal:
    msg = _index(facts, now)
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
