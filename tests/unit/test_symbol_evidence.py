"""A word becomes a ticker only with evidence (src/parser/symbols.py), and the shipped lists are sane."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parser import parse
from parser.lexer import lex
from parser.models import Asset
from parser.symbols import asset_of, evidence, pair_asset
from parser.vocabulary import ENGLISH, FUTURES, listed_symbols

NOW = datetime(2026, 3, 2, 14, 31, tzinfo=UTC)


def word(text: str, message: str = "") -> tuple[bool, bool]:
    """(evidence as written in ``message``, evidence right against a contract)."""
    lexed = lex(message or text)
    tok = next(t for t in lexed.tokens if t.text == text.lower())
    return evidence(tok, lexed.has_lower), evidence(tok, lexed.has_lower, attached=True)


def test_symbol_list_holds_us_tickers_and_not_chat_words() -> None:
    symbols = listed_symbols()
    assert len(symbols) > 20_000
    assert {"AAPL", "SPY", "QQQ", "IWM", "PLTR", "SOFI", "HTZ"} <= symbols
    assert {"TOOK", "CHUNK", "APPLE", "LOL"}.isdisjoint(symbols)


def test_english_list_is_common_words_not_acronyms() -> None:
    assert {"zone", "lot", "took", "own", "chunk", "apple", "net", "coin"} <= ENGLISH
    assert {"amd", "nvda", "tsla", "ko"}.isdisjoint(ENGLISH)


@pytest.mark.parametrize(
    ("text", "message", "alone", "against_contract"),
    [
        ("zone", "the zone on NET", False, True),
        ("NET", "the zone on NET", True, True),
        ("own", "", False, True),
        ("ema", "", False, True),
        ("these", "", False, False),  # a function word is never a ticker in lower case
        ("ALL", "BTO ALL", False, True),  # ... but in capitals, against a contract, it is
        ("pltr", "", True, True),  # listed, not English
        ("F", "", False, True),  # one letter: $ or a contract
        ("apple", "", True, True),  # a company name traders write
        ("spy", "", True, True),  # English, but always the ticker in a channel
        ("coin", "selling coin", False, True),
        ("COIN", "selling COIN", True, True),
        ("COST", "BTO COST", False, True),  # English and the message is all capitals
    ],
)
def test_evidence_rules(text: str, message: str, alone: bool, against_contract: bool) -> None:
    assert word(text, message) == (alone, against_contract)


def test_pairs_and_assets() -> None:
    assert pair_asset("EURUSD") is Asset.FOREX
    assert pair_asset("XAUUSD") is Asset.FOREX
    assert pair_asset("BTCUSDT") is Asset.CRYPTO
    assert pair_asset("SPYQQQ") is None
    assert asset_of("ES", False) is Asset.FUTURE
    assert asset_of("SPX", False) is Asset.INDEX
    assert asset_of("NAS100", False) is Asset.CFD
    assert asset_of("GOLD", True) is Asset.FOREX and asset_of("GOLD", False) is None
    assert asset_of("ONDO", False) is Asset.CRYPTO  # a coin no stock is named after


def test_futures_table_has_multipliers_and_ticks() -> None:
    assert FUTURES["ES"].multiplier == 50 and FUTURES["MNQ"].tick > 0
    assert all(spec.multiplier > 0 and spec.tick > 0 for spec in FUTURES.values())


def test_a_ticker_with_letters_of_another_script_is_refused_not_folded() -> None:
    for text in ("BTO $\u041cU @ 100", "BTO \u0410MD 3/20 150C @ 2.00", "sell \u0410MD here"):
        result = parse(text, NOW)
        assert (
            result.kind == "none" or result.instrument is None or result.instrument.symbol not in ("U", "MD")
        )
