"""Which contract a message names: option phrases, tickers and futures roots, and where they stand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .expiry import resolve_expiry
from .message import Message, refuse
from .models import Asset, Instrument, NotASignal, Right
from .normalize import FUTURES_ROOTS
from .transform import DatedFact, Fact, OptionFact

INDEX_SYMBOLS = frozenset({"spx", "ndx", "rut", "djia", "dji", "djx", "vix", "xsp", "nya", "comp"})
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


def symbol_like(word: str) -> bool:
    return 1 <= len(word) <= 5 and word.isalnum() and word[0].isalpha() and word not in _NOT_SYMBOLS


def _skippable(fact: Fact) -> bool:
    """Words between a verb and its ticker: ``sold all NVDA``, ``adding short ES``."""
    if fact.tag == "verb":
        return bool(fact.value[0] in ("long", "short"))
    return fact.tag == "word" and fact.value in _SKIPPED_WORDS


def _bare_symbol(msg: Message, action: int, start: int) -> str | None:
    """A ticker named without a contract phrase, looked for around the action."""
    _, end = msg.sentence_span(action)
    if all(f.tag == "sep" for _, f in msg.tags(action + 1, end)) and end < len(msg.facts):
        _, end = msg.sentence_span(end)  # "Exit!! ... on CVX": the verb stands alone in its sentence
    for _, fact in msg.tags(start, end):
        if fact.tag == "ticker" and symbol_like(fact.value):
            return str(fact.value)
    j = action + 1
    while j < end and (msg.facts[j].tag in _SKIPPED or _skippable(msg.facts[j])):
        j += 1
    if j < end and msg.facts[j].tag == "word" and symbol_like(msg.facts[j].value):
        follower = msg.facts[j + 1] if j + 1 < len(msg.facts) else None
        prose = follower is not None and follower.tag == "word" and follower.value not in _FOLLOWERS
        if not prose or msg.facts[j].value in FUTURES_ROOTS:
            return str(msg.facts[j].value)
    before = [f for _, f in msg.tags(start, action) if f.tag not in ("loose", "comma")]
    if len(before) == 1 and before[0].tag == "word" and symbol_like(before[0].value):
        return str(before[0].value)
    for i, fact in msg.tags(action + 1, end - 1):
        if fact.tag == "word" and fact.value == "on" and msg.facts[i + 1].tag == "word":
            word = msg.facts[i + 1].value
            if symbol_like(word):
                return str(word)
    return None


def _option_symbol(msg: Message, at: int, option: OptionFact) -> str | None:
    if option.symbol and symbol_like(option.symbol):
        return option.symbol
    start, _ = msg.sentence_span(at)
    for i in range(at - 1, start - 1, -1):
        fact = msg.facts[i]
        if fact.tag in ("word", "ticker") and symbol_like(fact.value):
            return str(fact.value)
        if fact.tag in ("verb", "sep"):
            break
    return None


@dataclass(frozen=True)
class Contract:
    instrument: Instrument | None
    at: int | None  # index of the fact that named it, for the price that follows
    refusal: NotASignal | None = None


def find_contract(msg: Message, action: int, kind: str) -> Contract:
    start, _ = msg.sentence_span(action)
    for i, fact in msg.tags(start):
        if fact.tag == "option":
            return option_contract(msg, i, fact.value)
        if fact.tag == "dated" and (fact.value.symbol or kind in ("open", "add")):
            return _dated_contract(msg, i, fact.value, kind)
    symbol = _bare_symbol(msg, action, start)
    if symbol is None:
        return Contract(None, None)
    return _symbol_contract(msg, action, symbol, kind)


def _loose_expiry(msg: Message, at: int, option: OptionFact) -> OptionFact | NotASignal:
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


def option_contract(msg: Message, at: int, option_as_written: OptionFact) -> Contract:
    option = _loose_expiry(msg, at, option_as_written)
    if isinstance(option, NotASignal):
        return Contract(None, at, option)
    symbol = _option_symbol(msg, at, option)
    if symbol is None:
        return Contract(None, at, refuse("missing_symbol", "an option with no underlying named"))
    try:
        expiry = resolve_expiry(option.expiry, msg.now) if option.expiry else None
    except ValueError:
        return Contract(None, at, refuse("ambiguous", f"impossible expiry date {option.expiry}"))
    right = Right.CALL if option.right == "C" else Right.PUT
    inst = Instrument(
        asset=Asset.OPTION, symbol=symbol.upper(), right=right, strike=option.strike, expiry=expiry
    )
    return Contract(inst, at)


def _dated_contract(msg: Message, at: int, dated: DatedFact, kind: str) -> Contract:
    if kind in ("open", "add"):
        named = f"{(dated.symbol or '').upper()} {dated.expiry}".strip()
        return Contract(None, at, refuse("missing_right", f"{named}: an option with no call or put"))
    return Contract(Instrument(asset=None, symbol=str(dated.symbol).upper()), at)


def _symbol_contract(msg: Message, action: int, symbol: str, kind: str) -> Contract:
    at = next((i for i, f in msg.tags(action) if f.value == symbol and f.tag in ("word", "ticker")), action)
    if symbol in FUTURES_ROOTS:
        return Contract(Instrument(asset=Asset.FUTURE, symbol=symbol.upper()), at)
    if kind == "open":
        if symbol in INDEX_SYMBOLS:
            return Contract(
                None, at, refuse("unsupported_asset", f"{symbol.upper()} is an index, not tradable")
            )
        return Contract(Instrument(asset=Asset.STOCK, symbol=symbol.upper()), at)
    return Contract(Instrument(asset=None, symbol=symbol.upper()), at)


def underlying_level(value: Decimal, inst: Instrument | None) -> bool:
    """On an option, a level at half the strike or more is the underlying's price, not a premium."""
    return (
        inst is not None
        and inst.asset == Asset.OPTION
        and inst.strike is not None
        and value * 2 >= inst.strike
    )
