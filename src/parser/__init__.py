"""Alert parser: one channel message -> typed intents. Pure: no I/O, no clock.

``parse(text, now)`` gives the first instruction, ``parse_all`` every one; ``now`` is the message
time. ``lexer.py`` reads the words (``data/vocabulary.toml``), ``alerts.lark`` the phrases,
``assemble.py`` what they mean together.
"""

from .core import could_be_signal, parse, parse_all
from .models import (
    Add,
    Asset,
    BreakevenStop,
    Cancel,
    Exit,
    Instrument,
    Intent,
    MoveStop,
    NotASignal,
    Open,
    ParseResult,
    PercentStop,
    PercentTarget,
    PipStop,
    PipTarget,
    PriceStop,
    PriceTarget,
    Right,
    Side,
    Stop,
    Target,
    Trim,
    contract_json,
)
from .symbols import SPOT_PAIRS, pip_size

__all__ = [
    "SPOT_PAIRS",
    "Add",
    "Asset",
    "BreakevenStop",
    "Cancel",
    "Exit",
    "Instrument",
    "Intent",
    "MoveStop",
    "NotASignal",
    "Open",
    "ParseResult",
    "PercentStop",
    "PercentTarget",
    "PipStop",
    "PipTarget",
    "PriceStop",
    "PriceTarget",
    "Right",
    "Side",
    "Stop",
    "Target",
    "Trim",
    "contract_json",
    "could_be_signal",
    "parse",
    "parse_all",
    "pip_size",
]
