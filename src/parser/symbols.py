"""Which words are tickers, and what kind of thing a ticker names.

A word becomes a symbol only with evidence (the README's parse section lists these rules):

* strong: a ``$`` or ``/`` prefix, a card's ``Ticker:`` label, a futures root with its month code, a
  company name traders write ("apple" is AAPL), a forex or crypto pair, an index or CFD name;
* attached: it stands right against an option contract ("COIN 150c"), where even an English word
  counts, but never a function word written in lower case ("these 150c", "the 395c");
* listed: it is in data/symbols.txt (US tickers) and is neither a common English word nor chat jargon;
* capitals: it is written in capitals in a message otherwise written in lower case ("selling NET").

A one-letter ticker (F, T, X ...) and a common English or function word need ``$`` or a contract.
A word holding letters of another script is never folded into a ticker: the lexer marks it FOREIGN.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from .models import Asset
from .tokens import Tok
from .vocabulary import (
    ALIASES,
    ALWAYS_SYMBOLS,
    CFDS,
    CRYPTO,
    CRYPTO_QUOTES,
    CURRENCIES,
    ENGLISH,
    FUNCTION_WORDS,
    FUTURES,
    INDEXES,
    METAL_NAMES,
    METALS,
    NOT_SYMBOLS,
    listed_symbols,
)

# Bare futures roots a trader writes without "/" (others, like SI or NG, need the slash or capitals).
_BARE_ROOTS = frozenset({"ES", "MES", "NQ", "MNQ", "RTY", "M2K", "YM", "MYM", "CL", "MCL", "GC", "MGC"})
_NAMED_KINDS = ("WORD", "TICKER", "FUT")


def symbol_text(tok: Tok) -> str:
    """The ticker a token would name, upper case, without ``$``/``/`` or a pair's slash."""
    if tok.kind == "FUT":
        return str(tok.value[0])
    text = tok.text
    alias = ALIASES.get(text)
    if alias is not None:
        return alias
    return text.replace("/", "").replace("$", "").upper()


def shaped(text: str) -> bool:
    """1-6 ASCII letters or digits starting with a letter (BRK.B and M2K included)."""
    bare = text.replace(".", "", 1)
    return 1 <= len(bare) <= 7 and bare.isascii() and bare.isalnum() and bare[0].isalpha()


def strong(tok: Tok) -> bool:
    """Evidence that needs no context: $TICKER, /ES and ESZ6, a company name, a pair, an index."""
    if tok.kind in ("TICKER", "FUT"):
        return True
    if tok.kind != "WORD":
        return False
    text = tok.text
    if text in ALIASES or text in ALWAYS_SYMBOLS:
        return True
    upper = text.upper()
    if (
        upper in INDEXES
        or upper in CFDS
        or upper in METAL_NAMES
        or pair_asset(upper.replace("/", "")) is not None
    ):
        return True
    if upper in CRYPTO:  # a coin's name: "near", "op", "sol" are words first
        return tok.upper or text not in ENGLISH
    return upper in _BARE_ROOTS and (tok.upper or text not in ENGLISH)


def evidence(tok: Tok, has_lower: bool, attached: bool = False) -> bool:
    """The token may be read as a ticker here (see the module's rules)."""
    if tok.kind not in _NAMED_KINDS and not (attached and tok.upper):
        return False
    return _evidence(tok.kind, tok.text, tok.upper, has_lower, attached)


@lru_cache(maxsize=8192)
def _evidence(kind: str, text: str, upper: bool, has_lower: bool, attached: bool) -> bool:
    tok = Tok(kind, text, None, upper, 0)
    if strong(tok):
        return True
    text = tok.text
    if not shaped(text):
        return False
    if attached:
        return tok.upper or text not in FUNCTION_WORDS
    if len(text) == 1 or text in FUNCTION_WORDS or text in NOT_SYMBOLS:
        return False
    capitals = tok.upper and has_lower
    if text in ENGLISH:
        return capitals
    return capitals or text.upper() in listed_symbols()


def common_word(tok: Tok) -> bool:
    """A common English word written in lower case ("today", "here"), not a company's name."""
    return tok.kind == "WORD" and not tok.upper and tok.text in ENGLISH and tok.text not in ALIASES


def attached_evidence(tok: Tok, has_lower: bool) -> bool:
    """Evidence for a word against a contract or a date: any ticker-shaped word, but never a
    function word or chat jargon written in lower case ("these 150c", "the 395c")."""
    if tok.kind == "WORD" and not tok.upper and (tok.text in FUNCTION_WORDS or tok.text in NOT_SYMBOLS):
        return False
    return evidence(tok, has_lower, attached=True)


_FOREX_BASES = CURRENCIES | METALS
_QUOTES = tuple(sorted(CRYPTO_QUOTES, key=len, reverse=True))


def pair_asset(text: str) -> Asset | None:
    """EURUSD / XAUUSD -> forex; BTCUSDT / ETHUSD -> crypto; else None."""
    text = text.upper()
    if len(text) == 6 and text[:3] in _FOREX_BASES and text[3:] in CURRENCIES:
        return Asset.FOREX
    if len(text) < 5 or not text.endswith(_QUOTES):
        return None
    for quote in _QUOTES:
        base = text[: -len(quote)]
        if text.endswith(quote) and base in CRYPTO and base != quote:
            return Asset.CRYPTO
    return None


# A pip as forex and gold channels count it: the fourth decimal, the second for yen quotes; spot
# gold and platinum in tenths of a dollar, silver in cents (the two-decimal metal quotes' convention).
_PIP = Decimal("0.0001")
_YEN_PIP = Decimal("0.01")
_METAL_PIPS = {"XAU": Decimal("0.1"), "XAG": Decimal("0.01"), "XPT": Decimal("0.1"), "XPD": Decimal("0.1")}
# Spot metals by the names signal channels use, as the dollar pairs they are.
SPOT_PAIRS = {"GOLD": "XAUUSD", "SILVER": "XAGUSD"}


def pip_size(symbol: str) -> Decimal | None:
    """The price of one pip for a forex pair or spot metal (``EURUSD`` 0.0001, ``USDJPY`` 0.01,
    ``XAUUSD`` or ``GOLD`` 0.1); None for anything else."""
    pair = SPOT_PAIRS.get(symbol.upper(), symbol.upper())
    if pair_asset(pair) is not Asset.FOREX:
        return None
    if pair[:3] in _METAL_PIPS:
        return _METAL_PIPS[pair[:3]]
    return _YEN_PIP if pair.endswith("JPY") else _PIP


def asset_of(symbol: str, crypto_style: bool) -> Asset | None:
    """The asset a symbol names on its own, or None for a stock-like ticker (its context decides).

    ``crypto_style``: the alert reads like a coin or spot-metal signal (no options verb, and a stop,
    a target, a limit order or a price of 100 or more), so SOL, ETH or GOLD are the coin or the
    metal, not the stocks of those names.
    """
    if symbol in FUTURES:
        return Asset.FUTURE
    if symbol in INDEXES:
        return Asset.INDEX
    if symbol in CFDS:
        return Asset.CFD
    pair = pair_asset(symbol)
    if pair is not None:
        return pair
    if symbol in METAL_NAMES and crypto_style:
        return Asset.FOREX
    if symbol in CRYPTO and (crypto_style or symbol not in listed_symbols()):
        return Asset.CRYPTO
    return None


def is_coin_or_metal(symbol: str) -> bool:
    return symbol in CRYPTO or symbol in METAL_NAMES
