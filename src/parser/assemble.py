"""Assembly: a message's items -> its intents, following the labelling conventions.

1. Verbs (actions.py), each with its scope: conditional, hedged, negated, a question (scope.py).
2. Verbs about the same subject fold into instructions (instructions.py); an entry reported with
   its exit, or taken back, refuses the whole message, as does a strong recap or a spread.
3. Per instruction: the contract (contract.py), then price, size, stop, targets, fraction
   (levels.py); a plain "sell" with a stop above and targets below opens a short (forex style).
4. Plausibility (plausible.py): negative, garbled, absurd or wrong-side numbers are refused.
5. Messages with no verb: a contract (with or without a price) is an entry, a ticker and a price
   alone a stock entry, a stop level a stop move, targets alone a report; anything else is none.

Several instructions give several intents, in text order; those that are refused are left out
(the first refusal stands for the message when none is left).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from . import levels, plausible
from .actions import ADD, CANCEL, EXIT, MOVE, OPEN, TRIM, target_update, verbs
from .contract import Contract, find_contract, name_in
from .grammar import Item
from .indexed import IndexedMessage, index_items, refuse
from .instructions import Instruction, group, search_order
from .lexer import Lexed
from .models import (
    Add,
    Asset,
    Cancel,
    Exit,
    Instrument,
    MoveStop,
    NotASignal,
    Open,
    PriceStop,
    PriceTarget,
    Side,
    Trim,
)
from .scope import instruction_refusal, message_refusal, verb_scopes, verbless_reason
from .symbols import asset_of, pip_size, symbol_text

Reading = Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal

_MODELS: dict[str, Any] = {OPEN: Open, ADD: Add, EXIT: Exit, TRIM: Trim, MOVE: MoveStop}
_OPENING_SELLS = frozenset({"sell", "sell now", "selling now", "sell limit", "sell stop"})
_OPTIONS_VERBS = frozenset({"bto", "stc", "sto", "btc", "b.t.o", "s.t.c", "buy to open", "sell to close"})
_STC = frozenset({"stc", "s.t.c", "sell to close", "selling to close", "sold to close"})
_LINE_EXTRAS = frozenset({"TAG", "HERE", "SEP", "COMMA", "INFO", "ROCKET"})
_SPOT = frozenset({Asset.FOREX, Asset.CRYPTO, Asset.CFD})
_JOINERS = frozenset({"COMMA", "PLUS"})
# More instructions than this in one message is a pasted log or a list of levels, not orders to copy
# (a real one carries two or three: "trim SPY here, stop to BE on QQQ"). It also bounds the work.
MAX_INSTRUCTIONS = 8
_LIMIT = frozenset({"limit", "limit order"})
# What may stand beside a contract in a message with no verb for it to be an entry ("SPY 580C @ 1.25").
_CONTRACT_LINE = frozenset({"option", "price", "NUM", "RANGE", "TAG", "HERE", "stop", "targets", "points",
                           "qty", "QTY", "COMMA", "COLON", "DASH", "SEP", "ROCKET", "MKT", "TICKER",
                           "FUT"})  # fmt: skip


def assemble(lexed: Lexed, items: list[Item], now: datetime) -> list[Reading]:
    msg = index_items(items, lexed.has_lower, now)
    found = verbs(msg)
    if not found:
        return [_verbless(msg, lexed.struck)]
    scopes = verb_scopes(msg, found)
    grouping = group(msg, found, {at for at, why in scopes.items() if why})
    refusal = message_refusal(msg, grouping, found)
    if refusal is not None:
        return [refusal]
    if len(grouping.instructions) > MAX_INSTRUCTIONS:
        count = len(grouping.instructions)
        return [refuse("too_many_instructions", f"{count} instructions in one message: a list, not orders")]
    outcomes = [outcome for ins in grouping.instructions for outcome in _build_all(msg, ins, scopes)]
    acting: list[Reading] = [o for o in outcomes if not isinstance(o, NotASignal)]
    return acting or [outcomes[0]]


def _build_all(msg: IndexedMessage, ins: Instruction, scopes: dict[int, str | None]) -> list[Reading]:
    """One intent, or one per ticker when a management verb names several ("out of SPY and QQQ")."""
    first = _build(msg, ins, scopes)
    if (
        isinstance(first, NotASignal)
        or first.kind not in (EXIT, TRIM, MOVE, CANCEL)
        or first.instrument is None
    ):
        return [first]
    if first.instrument.asset is Asset.OPTION:
        return [first]
    more = _more_names(msg, ins, first.instrument.symbol)
    return [first, *(first.model_copy(update={"instrument": inst}) for inst in more)]


def _more_names(msg: IndexedMessage, ins: Instruction, symbol: str) -> list[Instrument]:
    start, end = msg.sentence_span(ins.head)
    found = [hit for j in range(max(start, ins.start), min(end, ins.end)) if (hit := name_in(msg, [j]))]
    names = [j for j, _ in found]
    symbols = [symbol_text(tok) for _, tok in found]
    if symbol not in symbols:
        return []
    out: list[Instrument] = []
    k = symbols.index(symbol)
    for prev, nxt, text in zip(names[k:], names[k + 1 :], symbols[k + 1 :], strict=False):
        if not all(msg.kinds[j] in _JOINERS or msg.text(j) in ("and", "&") for j in range(prev + 1, nxt)):
            break
        asset = asset_of(text, False)
        out.append(Instrument(asset=asset, symbol=text))
    return out


def _build(msg: IndexedMessage, ins: Instruction, scopes: dict[int, str | None]) -> Reading:
    refusal = instruction_refusal(msg, ins, scopes)
    if refusal is not None:
        return refusal
    head = msg.tok(ins.head)
    verb_text = head.text if head is not None else ""
    kind = OPEN if ins.kind == EXIT and _opening_sell(msg, ins, verb_text) else ins.kind
    contract = find_contract(msg, ins, kind, _coin_style(msg, ins, verb_text))
    if contract.refusal is not None:
        return contract.refusal
    inst = contract.instrument
    if kind == EXIT and verb_text in _OPENING_SELLS and inst is not None and inst.asset in _SPOT:
        kind = OPEN  # "GBP/JPY SELL 191.20": signal channels sell to open
    if kind in (OPEN, ADD) and inst is None:
        return refuse("missing_symbol", "an entry that names no contract")
    if kind == OPEN and _taken_only(msg, ins) and inst is not None and inst.asset is not Asset.OPTION:
        return refuse("incomplete", "an options entry with no strike or right")
    if kind == CANCEL:
        return Cancel(instrument=inst)
    side = _side(msg, ins, kind, verb_text)
    return _intent(msg, ins, kind, side, contract)


def _intent(
    msg: IndexedMessage, ins: Instruction, kind: str, side: Side | None, contract: Contract
) -> Reading:
    inst = contract.instrument
    buying = (kind in (OPEN, ADD)) == (side != Side.SHORT)
    price = None if kind == MOVE else levels.price(msg, ins, buying, levels.quantity_index(msg, ins))
    quantity = levels.quantity(msg, ins)
    refusal = plausible.numbers(msg, ins.head, price, quantity, inst, entry=kind in (OPEN, ADD))
    if refusal is not None:
        return refusal
    if kind in (OPEN, ADD) and price is not None and plausible.underlying_level(price, inst):
        return refuse("ambiguous", f"price {price} looks like the underlying's, not the option's premium")
    fields: dict[str, Any] = {"side": side, "instrument": inst, "price": price, "quantity": quantity}
    pip = pip_size(inst.symbol) if inst is not None and inst.asset is Asset.FOREX else None
    if kind in (OPEN, ADD, TRIM, MOVE):
        _, level = levels.stop_level(msg, ins)
        stop = levels.to_stop(level, side, price, pip)
        if isinstance(stop, PriceStop) and plausible.underlying_level(stop.price, inst):
            stop = None  # an underlying-level stop on an option cannot be held as a premium stop
        fields["stop"] = stop
    if kind in (OPEN, ADD, MOVE):
        found = levels.targets(msg, ins, side, price, pip)
        fields["targets"] = tuple(
            t for t in found if not (isinstance(t, PriceTarget) and plausible.underlying_level(t.price, inst))
        )
    if kind in (OPEN, ADD):
        refusal = plausible.sides(side, price, fields["stop"], fields["targets"])
        if refusal is not None:
            return refusal
    if kind == TRIM:
        fields["fraction"] = levels.fraction(msg, ins)
    if kind == MOVE and isinstance(fields["stop"], PriceStop) and fields["stop"].price <= 0:
        return refuse("ambiguous", "a stop at zero")
    return _MODELS[kind](**fields)  # type: ignore[no-any-return]


def _opening_sell(msg: IndexedMessage, ins: Instruction, verb_text: str) -> bool:
    """A plain "SELL" with a stop or targets written is a short entry (forex and gold channels)."""
    if verb_text not in _OPENING_SELLS:
        return False
    has_stop, level = levels.stop_level(msg, ins)
    return (has_stop and level is not None) or bool(levels.targets(msg, ins, Side.SHORT, None, None))


def _taken_only(msg: IndexedMessage, ins: Instruction) -> bool:
    """ "took SPY here" names no contract; "took a starter in $HOOD at 42" has an entry word too."""
    return all(msg.kinds[at] == "TAKE" for at in ins.verbs)


def _coin_style(msg: IndexedMessage, ins: Instruction, verb_text: str) -> bool:
    """Reads like a coin or spot-metal signal, so SOL, ETH, GOLD are the coin or metal, not the stock:
    no options verb (BTO, STC), and a limit order, no price, or a price of 100 or more."""
    if verb_text in _OPTIONS_VERBS:
        return False
    if not _LIMIT.isdisjoint(msg.texts):
        return True
    prices = [_number(msg, j) for j in range(ins.start, ins.end) if msg.kinds[j] in ("NUM", "price", "RANGE")]
    prices = [p for p in prices if p > 0]
    return not prices or prices[0] >= 100


def _number(msg: IndexedMessage, j: int) -> Decimal:
    item = msg.items[j]
    level = getattr(item, "value", None)
    if msg.kinds[j] == "NUM":
        return Decimal(level)  # type: ignore[arg-type]
    if msg.kinds[j] == "price" and level is not None and level[0] in ("price", "range"):
        return Decimal(level[-1])
    if msg.kinds[j] == "RANGE":
        return Decimal(max(level))  # type: ignore[arg-type]
    return Decimal(0)


def _side(msg: IndexedMessage, ins: Instruction, kind: str, verb_text: str) -> Side | None:
    head_kind = msg.kinds[ins.head]
    if kind == OPEN:
        if head_kind == "SHORT" or (head_kind == "SELL" and ins.kind == EXIT):
            return Side.SHORT
        if head_kind in ("BUY", "LONG"):
            return Side.LONG
        return levels.side_word(msg, ins, near=False) or Side.LONG
    if kind == ADD:
        return levels.side_word(msg, ins, near=False) or Side.LONG
    if kind in (EXIT, TRIM):
        if any(msg.text(v) in _STC for v in ins.verbs):
            return Side.LONG
        if any(msg.kinds[v] == "COVER" for v in ins.verbs):
            return Side.SHORT
        return levels.side_word(msg, ins, near=True)
    return None


# ---------------------------------------------------------------- messages with no verb


def _verbless(msg: IndexedMessage, struck: bool) -> Reading:
    reason = verbless_reason(msg)
    if reason is not None:
        return refuse(reason, "not an instruction")
    n = len(msg.items)
    option = msg.first(frozenset({"option"}), 0, n)
    if option is not None and _contract_line(msg, option):  # "spy 364p @ .71", "SPY 10/3 500C"
        return _build(msg, _whole(msg, OPEN, option), {})
    line = _ticker_and_price(msg)
    if line is not None:  # "HCAI 10.45", "HAO .046 Lotto"
        return _build(msg, _whole(msg, OPEN, line), {})
    stop = msg.first(frozenset({"stop", "move"}), 0, n)
    if stop is not None and target_update(msg, stop):
        return refuse("informational", "a target moved: not an order the schema can hold")
    if stop is not None and levels.stop_level(msg, _whole(msg, MOVE, stop))[1] is not None:
        return _build(msg, _whole(msg, MOVE, stop), {})
    if "targets" in msg.kinds:
        return refuse("informational", "a status or level report that needs no action")
    if struck:
        return refuse("retracted", "the alert was struck through")
    return refuse("commentary", "no trade instruction")


def _whole(msg: IndexedMessage, kind: str, at: int) -> Instruction:
    """An instruction with no verb of its own, covering the whole message from the item at ``at``."""
    ins = Instruction(kind, [at], 0, len(msg.items))
    ins.order = search_order(msg, ins)
    return ins


def _contract_line(msg: IndexedMessage, at: int) -> bool:
    """The contract's sentence holds nothing but the contract, its price and levels, and tags: a
    contract mentioned in a sentence of prose ("in the money on SPY 580C now") is not an entry."""
    start, end = msg.sentence_span(at)
    for j in range(start, end):
        if msg.kinds[j] in _CONTRACT_LINE:
            continue
        tok = msg.tok(j)
        if tok is None or tok.kind != "WORD" or name_in(msg, [j]) is None:
            return False
    return True


def _ticker_and_price(msg: IndexedMessage) -> int | None:
    """A message that is only a ticker (with evidence) and then a price: a stock entry at that price."""
    kept = [j for j in range(len(msg.items)) if msg.kinds[j] not in _LINE_EXTRAS]
    if len(kept) != 2 or msg.kinds[kept[1]] not in ("NUM", "RANGE", "price"):
        return None
    if msg.kinds[kept[1]] == "price" and msg.items[kept[1]].value is None:
        return None  # "NVDA at": no price written
    named = name_in(msg, kept[:1])
    if named is None or (named[1].kind == "WORD" and not named[1].upper):
        return None
    return kept[0]
