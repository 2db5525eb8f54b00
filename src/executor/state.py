"""Where the trading state is persisted: the journal implements ``StateStore``; tests use memory.

The kill switch writes ``halted`` here before it touches a single order, so a crash in the middle
of a kill still comes back halted.
"""

from __future__ import annotations

from typing import Protocol

from risk import TradingStatus


class StateStore(Protocol):
    def trading_status(self) -> TradingStatus:
        """The latched state (``active`` when nothing was ever recorded)."""
        ...

    def record_status(self, status: TradingStatus) -> None:
        """Persist ``status`` durably before returning."""
        ...


class MemoryStateStore:
    """A ``StateStore`` that remembers every change in a list (tests, the ``check`` command)."""

    def __init__(self, initial: TradingStatus | None = None) -> None:
        self.history: list[TradingStatus] = [initial or TradingStatus()]

    def trading_status(self) -> TradingStatus:
        return self.history[-1]

    def record_status(self, status: TradingStatus) -> None:
        self.history.append(status)
