"""The lexer reads each spelling into its class in one pass, and keeps what the assembler needs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parser.lexer import lex


def kinds(text: str) -> list[str]:
    return [tok.kind for tok in lex(text).tokens]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTO SPY 3/20 580C @ 1.25", ["BUY", "WORD", "DATE", "STRIKE", "AT", "NUM"]),
        ("Bought SPY 21 Mar 580 call at 1.25", ["BUY", "WORD", "DATE", "STRIKE", "AT", "NUM"]),
        ("Sell to open TSLA Aug 4 2026 200 Put for 2.10", ["SHORT", "WORD", "DATE", "STRIKE", "AT", "NUM"]),
        ("TWLO May15'26 C-200", ["WORD", "DATE", "STRIKE"]),
        ("stop loss 50%, take profit 1.80", ["SL", "PCT", "COMMA", "PT", "NUM"]),
        ("SL TS40%", ["SL", "TRAIL", "PCT"]),
        ("IN 4000 - 15 pt stop", ["IN", "NUM", "DASH", "PTS", "SL"]),
        ("stop to break even", ["SL", "TO", "BE"]),
        ("<@&123456789012345678> **BTO** \U0001f525 SPY", ["BUY", "WORD"]),
        ("BTO SPY 580C @ 1.20 \u2013 1.30", ["BUY", "WORD", "STRIKE", "AT", "RANGE"]),
        ("I\u2019m out. Great day!", ["EXIT", "SEP", "WORD", "WORD", "SEP"]),
        ("/ES long 5000", ["FUT", "LONG", "NUM"]),
        ("BTO SPY 580/585C", ["BUY", "WORD", "SLASHES"]),
        ("don't chase", ["NEG", "WORD"]),
        ("@ mkt", ["AT", "MKT"]),
        ("@m", ["AT", "MKT"]),
        ("BTO 2 contracts", ["BUY", "QTY"]),
        ("10:32 BTO SPY", ["BUY", "WORD"]),
        ("https://x.com/a/status/1 BTO", ["BUY"]),
        ("PT1: 3.72 PT2 4.39", ["PT", "COLON", "NUM", "PT", "NUM"]),
        ("TP 1 - 31.40, TP 2- 33.10", ["PT", "DASH", "NUM", "COMMA", "PT", "DASH", "NUM"]),
        ("targets 1.60, 2.00, 2.50", ["PT", "NUM", "NUM", "NUM"]),
        ("Tp 1.11\n1.3\n1.48", ["PT", "NUM", "NUM", "NUM"]),
        ("\U0001f6d1 stop: .80", ["SL", "COLON", "NUM"]),
        ("\U0001f6d1 slbe", ["SL", "BE"]),
        ("bto spx 0109 5900c", ["BUY", "WORD", "DATE", "STRIKE"]),
        ("SPX 5850C 0116", ["WORD", "STRIKE", "DATE"]),
        ("BTO SPY 2026-12-19 600C", ["BUY", "WORD", "DATE", "STRIKE"]),
        ("sold 1/3 NVDA", ["SELL", "FRAC", "WORD"]),
        ("BTO 1/16 95C AMD", ["BUY", "DATE", "STRIKE", "WORD"]),
        ("BTO TGT 3/20 150C", ["BUY", "WORD", "DATE", "STRIKE"]),
        ("TGT 150", ["PT", "NUM"]),
        ("Long ESZ6 6050", ["LONG", "FUT", "NUM"]),
        ("BTO SPY260320C00580000", ["BUY", "WORD", "DATE", "STRIKE"]),
        ("@ 1e9", ["AT", "GARBLED"]),
        ("@ 1.2.5", ["AT", "GARBLED"]),
        ("@ .1.05", ["AT", "NUM"]),
        ("5% sz", []),
        ("dca is .62", ["AVG", "NUM"]),
        ("at the 200ema", ["AT", "WORD"]),
        ("new entry - day trade", ["ENTRY", "DASH", "TAG"]),
        ("Long BTC 62000", ["LONG", "WORD", "NUM"]),
        ("BTC SPY 560P", ["COVER", "WORD", "STRIKE"]),
        ("go TWLO za 332", ["WORD", "WORD", "AT", "NUM"]),
    ],
)
def test_lexer_reads_each_spelling_into_its_class(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_lexer_reads_numbers_and_contracts_with_their_values() -> None:
    tokens = lex("BTO 2 SPY 3/20/26 127.5P @ $1,25 SL 1,250 PT 25%").tokens
    values = {tok.kind: tok.value for tok in tokens}
    assert values["DATE"] == (3, 20, 2026)
    assert values["STRIKE"] == (Decimal("127.5"), "P")
    assert [t.value for t in tokens if t.kind == "NUM"] == [Decimal(2), Decimal("1.25"), Decimal(1250)]
    assert values["PCT"] == Decimal(25)


def test_lexer_keeps_capitals_as_evidence_and_notes_whether_the_message_has_lower_case() -> None:
    lexed = lex("selling NET here")
    assert lexed.has_lower
    assert [tok.upper for tok in lexed.tokens] == [False, True, False]
    assert not lex("BTO DPW @ 3.70").has_lower


def test_lexer_never_folds_other_scripts_into_a_ticker() -> None:
    assert kinds("BTO $\u041cU") == ["BUY", "FOREIGN"]
    assert kinds("BTO \u0410MD") == ["BUY", "FOREIGN"]
    assert kinds("BTO \uff21\uff2d\uff24") == ["BUY", "WORD"]  # fullwidth Latin is Latin


def test_lexer_drops_struck_text_and_says_so() -> None:
    lexed = lex("~~BTO SPY 3/20 580C @ 1.20~~ still holding")
    assert lexed.struck
    assert kinds("~~BTO SPY 3/20 580C~~") == []


def test_lexer_skips_a_cards_notes_to_the_end_of_their_line() -> None:
    assert kinds("entry: qqq 391c .35\nnotes: short covering helped\nstop: .20") == [
        "ENTRY", "COLON", "WORD", "STRIKE", "NUM", "SEP", "SEP", "SL", "COLON", "NUM",
    ]  # fmt: skip
