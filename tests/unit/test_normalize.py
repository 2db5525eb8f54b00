"""The normalisation pass folds each dialect into the grammar's vocabulary."""

from __future__ import annotations

import pytest

from parser.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("BTO $SPY 3/20 580C @ .90", "bto $spy 3/20 580c @ 0.90"),
        ("Bought SPY 21 Mar 580 call at 1.25", "bto spy 3/21 580c @ 1.25"),
        ("Sell to open TSLA Aug 4 2026 200 Put for 2.10", "sto tsla 8/4/2026 200p @ 2.10"),
        ("TWLO May15'26 C-200", "twlo 5/15/2026 200c"),
        ("stop loss 50%, take profit 1.80", "sl 50% , pt 1.80"),
        ("SL TS40%", "sl trail 40%"),
        ("IN 4000 - 15 pt stop", "entry @ 4000 - 15pts sl"),
        ("stop to break even", "sl to be"),
        ("moved SL to entry", "move sl to be"),
        ("<@&123456789012345678> **BTO** 🔥 SPY", "bto spy"),
        ("BTO SPY 580C @ 1.20 – 1.30", "bto spy 580c @ 1.20-1.30"),
        ("sold half here .64", "exit half @ 0.64"),
        ("taking 25% off", "trim 25%"),
        ("I’m out. Great day!", "exit . great day"),
        ("/ES long 5000", "es long 5000"),
        ("/ZB long", "unsupported long"),
        ("EURUSD buy", "unsupported bto"),
        ("BTO SPY 580/585C", "bto spy spread"),
        ("don't chase", "neg chase"),
        ("@ mkt", "@ mkt"),
        ("BTO 2 contracts", "bto qty 2"),
    ],
)
def test_normalize_folds_dialects_into_the_vocabulary(raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical
