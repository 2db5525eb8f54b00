"""Which contract an instruction names: an option phrase, an incomplete one, or a ticker with evidence."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .expiry import message_day, resolve_expiry
from .indexed import IndexedMessage, refuse
from .instructions import Instruction, ordered
from .lexer import Tok
from .models import Asset, Instrument, NotASignal, Right
from .phrases import OptionValue, Phrase
from .symbols import (
    asset_of,
    attached_evidence,
    common_word,
    evidence,
    pair_asset,
    shaped,
    strong,
    symbol_text,
)
from .vocabulary import CURRENCIES

_OPTION = frozenset({"option"})
_DATED = frozenset({"dated"})
_NAMES = frozenset({"TICKER", "FUT", "WORD", "dated"})
_LABELS = frozenset(
    {"ticker", "symbol", "underlying", "pair", "asset", "coin", "instrument", "contract", "stock"}
)
_DETERMINERS = frozenset(
    {"a", "an", "the", "this", "that", "my", "your", "our", "some", "any", "every", "no"}
)
_POINTERS = frozenset({"on", "of", "in", "for"})
_KEYWORD_TICKERS = frozenset({"REST", "BE", "PT", "WORD", "OPEN", "HERE", "TO", "IN", "RIGHT"})
_MONTH_CODES = "FGHJKMNQUVXZ"
_FRONT_MONTHS = 3  # a month code further out than this is not the front contract


class Contract(NamedTuple):
    instrument: Instrument | None
    at: int | None  # the item that named it
    refusal: NotASignal | None = None


def find_contract(msg: IndexedMessage, ins: Instruction, kind: str, coin_style: bool) -> Contract:
    options = ordered(msg, ins, _OPTION)
    if options:
        if kind in ("open", "add") and _several_contracts(msg, ins, options):
            return Contract(None, options[0], refuse("ambiguous", "several contracts in one entry"))
        return option_contract(msg, ins, options[0], msg.items[options[0]].value)
    for j in ordered(msg, ins, _DATED):
        phrase = msg.items[j]
        assert isinstance(phrase, Phrase)
        if not _fraction_of(msg, ins, j):
            named = dated_name(msg, phrase)
            if named is not None or kind in ("open", "add"):
                return _dated_contract(msg, j, named, phrase.value.expiry, kind, coin_style)
    found = name_in(msg, ordered(msg, ins, _NAMES), ins.start, ins.end)
    if found is None:
        return Contract(None, None)
    at, tok = found
    return _symbol_contract(msg, at, tok, kind, coin_style)


def _several_contracts(msg: IndexedMessage, ins: Instruction, options: list[int]) -> bool:
    """Two different strikes in the entry's own sentence: which one the price is for is a guess."""
    sentence = msg.sentence_span(ins.head)
    same = [j for j in options if sentence[0] <= j < sentence[1]]
    return len({(msg.items[j].value.strike, msg.items[j].value.right) for j in same}) > 1


def _fraction_of(msg: IndexedMessage, ins: Instruction, j: int) -> bool:
    from .actions import fraction_date

    return ins.kind in ("trim", "exit") and fraction_date(msg, j)


# ---------------------------------------------------------------- options


def option_contract(msg: IndexedMessage, ins: Instruction, at: int, value: OptionValue) -> Contract:
    if value.strike <= 0 or _signed_before(msg, at):
        return Contract(None, at, refuse("ambiguous", "a strike that is zero or negative"))
    expiry_tok = value.expiry or _loose_expiry(msg, ins, at) or _header_expiry(msg, ins)
    if isinstance(expiry_tok, NotASignal):
        return Contract(None, at, expiry_tok)
    symbol = _option_symbol(msg, ins, at, value)
    if isinstance(symbol, NotASignal):
        return Contract(None, at, symbol)
    if symbol is None:
        return Contract(None, at, refuse("missing_symbol", "an option with no underlying named"))
    expiry = None
    if expiry_tok is not None:
        try:
            expiry = resolve_expiry(expiry_tok, msg.now)
        except ValueError:
            return Contract(None, at, refuse("ambiguous", f"impossible expiry date {expiry_tok.text}"))
    right = Right.CALL if value.right == "C" else Right.PUT
    inst = Instrument(asset=Asset.OPTION, symbol=symbol, right=right, strike=value.strike, expiry=expiry)
    return Contract(inst, at)


def _signed_before(msg: IndexedMessage, at: int) -> bool:
    return at > 0 and msg.kinds[at - 1] == "SIGN" and msg.text(at - 1) == "-"


def _option_symbol(
    msg: IndexedMessage, ins: Instruction, at: int, value: OptionValue
) -> str | NotASignal | None:
    if value.before is not None and attached_evidence(value.before, msg.has_lower):
        return symbol_text(value.before)
    after = value.after  # "30C 1/9 SOFI": the rarer order, so an English word there is not a ticker
    if after is not None and attached_evidence(after, msg.has_lower) and not common_word(after):
        return symbol_text(after)
    before = msg.tok(at - 1)  # "BTO ALL 3/21 100C": a keyword written in capitals against the contract
    if before is not None and before.kind in _KEYWORD_TICKERS and before.upper and shaped(before.text):
        return before.text.upper()
    start, end = msg.sentence_span(at)
    foreign = msg.first(frozenset({"FOREIGN"}), start, end)
    if foreign is not None:
        return refuse("ambiguous", f"a ticker written with letters of another script: {msg.text(foreign)}")
    near = name_in(msg, [*range(at - 1, max(start, ins.start) - 1, -1)])
    if near is None and ins.headers:  # "#SPX 0DTE" on the line above "Buy 6050C"
        near = name_in(msg, sorted(ins.headers, reverse=True))
    if near is not None:
        return symbol_text(near[1])
    for j in range(at + 1, end - 1):
        if msg.text(j) in _POINTERS:
            tok = msg.tok(j + 1)
            if tok is not None and tok.kind in ("WORD", "TICKER") and evidence(tok, msg.has_lower):
                return symbol_text(tok)
    label = _label(msg, ins.start, ins.end)
    return symbol_text(label[1]) if label is not None else None


def _header_expiry(msg: IndexedMessage, ins: Instruction) -> Tok | None:
    """The expiry of a header line's dated contract ("SPX 0DTE" above "Buy 6050C")."""
    for j in sorted(ins.headers, reverse=True):
        item = msg.items[j]
        if isinstance(item, Phrase) and item.kind == "dated":
            return item.value.expiry  # type: ignore[no-any-return]
    return None


def dated_name(msg: IndexedMessage, phrase: Phrase) -> Tok | None:
    """The ticker written against a date ("SPY 3/20"), when it is one ("3/20 or 3/27" has none)."""
    symbol = phrase.value.symbol
    return symbol if symbol is not None and attached_evidence(symbol, msg.has_lower) else None


def _loose_expiry(msg: IndexedMessage, ins: Instruction, at: int) -> Tok | NotASignal | None:
    """``SPY 580C, 3/20`` or a card's ``Exp: 3/20`` line: one expiry written apart joins the option."""
    loose = [
        item
        for item in msg.items[ins.start : ins.end]
        if isinstance(item, Phrase) and item.kind == "dated" and dated_name(msg, item) is None
    ]
    if len(loose) > 1:
        return refuse("ambiguous", "several expiries written for one option")
    return loose[0].value.expiry if loose else None


# ---------------------------------------------------------------- tickers


def name_in(msg: IndexedMessage, order: list[int], start: int = -1, end: int = -1) -> tuple[int, Tok] | None:
    """The first ticker with evidence, in the given order of items (a card label in [start, end) wins)."""
    if start < 0:
        start, end = min(order, default=0), max(order, default=-1) + 1
    label = _label(msg, start, end)
    if label is not None:
        return label
    for j in order:
        item = msg.items[j]
        if isinstance(item, Phrase) and item.kind == "dated" and dated_name(msg, item) is not None:
            return j, item.value.symbol  # "sold 1/3 NVDA": the date is a share, the word a ticker
        tok = msg.tok(j)
        if tok is None or tok.kind not in ("TICKER", "FUT", "WORD"):
            continue
        pair = _spaced_pair(msg, j)
        if pair is not None:
            return j, pair
        if not evidence(tok, msg.has_lower):
            continue
        if strong(tok) or msg.text(j - 1) not in _DETERMINERS:
            return j, tok
    return None


def _label(msg: IndexedMessage, start: int, end: int) -> tuple[int, Tok] | None:
    """A card's ``Ticker: KO`` / ``Symbol: $KO`` line."""
    if _LABELS.isdisjoint(msg.texts[start:end]):
        return None
    for j in range(start, min(end, len(msg.items)) - 2):
        if msg.text(j) in _LABELS and msg.kinds[j + 1] == "COLON":
            tok = msg.tok(j + 2)
            if (
                tok is not None
                and tok.kind in ("WORD", "TICKER", "FUT")
                and shaped(tok.text.replace("/", ""))
            ):
                return j + 2, tok._replace(kind="TICKER")
    return None


def _spaced_pair(msg: IndexedMessage, j: int) -> Tok | None:
    """``NZD USD``: two currency codes in a row are one forex pair."""
    first, second = msg.tok(j), msg.tok(j + 1)
    if first is None or second is None or first.kind != "WORD" or second.kind != "WORD":
        return None
    if first.text.upper() in CURRENCIES and second.text.upper() in CURRENCIES:
        return first._replace(text=first.text + second.text, kind="TICKER")
    return None


def _dated_contract(
    msg: IndexedMessage, at: int, name: Tok | None, expiry: Tok, kind: str, coin_style: bool
) -> Contract:
    if kind in ("open", "add"):
        named = f"{symbol_text(name) if name is not None else ''} {expiry.text}".strip()
        return Contract(None, at, refuse("missing_right", f"{named}: an option with no call or put"))
    assert name is not None
    return _symbol_contract(msg, at, name, kind, coin_style)


def _symbol_contract(msg: IndexedMessage, at: int, tok: Tok, kind: str, coin_style: bool) -> Contract:
    if tok.kind == "FUT":
        return _future(msg, at, tok)
    symbol = symbol_text(tok)
    asset = asset_of(symbol, coin_style)
    if asset is Asset.FUTURE:
        return Contract(Instrument(asset=asset, symbol=symbol), at)
    if asset is None and pair_asset(symbol) is None and kind == "open":
        asset = Asset.STOCK
    return Contract(Instrument(asset=asset, symbol=symbol), at)


def _future(msg: IndexedMessage, at: int, tok: Tok) -> Contract:
    """``/ES`` or ``ESZ6``: the front month. A later month is refused rather than traded as the front."""
    root, month_code, year = tok.value
    if month_code is not None:
        months = _months_ahead(message_day(msg.now), month_code, year)
        if not 0 <= months <= _FRONT_MONTHS:
            detail = f"{tok.text.upper()} is not the front contract month of {root}"
            return Contract(None, at, refuse("ambiguous", detail))
    return Contract(Instrument(asset=Asset.FUTURE, symbol=root), at)


def _months_ahead(today: date, month_code: str, year: int) -> int:
    month = _MONTH_CODES.index(month_code) + 1
    full = 2000 + year if year >= 10 else today.year - today.year % 10 + year
    if year < 10 and full * 12 + month < today.year * 12 + today.month:
        full += 10
    return (full - today.year) * 12 + (month - today.month)
