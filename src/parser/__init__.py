"""Alert parser: one channel message -> a typed intent. Pure: no I/O, no clock.

``parse(text, now)`` is the entry point; ``now`` is the message time. See ``alerts.lark`` for the
grammar, ``normalize.py`` for the dialects it folds, ``assemble.py`` for the conventions.
"""

from .core import could_be_signal, parse
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
    PriceStop,
    PriceTarget,
    Right,
    Side,
    Stop,
    Target,
    Trim,
)

__all__ = [
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
    "PriceStop",
    "PriceTarget",
    "Right",
    "Side",
    "Stop",
    "Target",
    "Trim",
    "could_be_signal",
    "parse",
]
