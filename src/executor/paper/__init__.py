"""The built-in paper simulator: the broker, its fill model and IB's commission schedule."""

from .broker import PaperBroker

__all__ = ["PaperBroker"]
