"""The paper/live guard: the mode decides which broker may be built and which account it may trade.

Paper (the default) trades the simulator or an IB paper account (ids starting with DU, or DF for an
advisor's paper master). Live needs ``PAPER_MODE=false``, ``BROKER=ib`` and ``LIVE_CONFIRM`` equal to
the account the broker reports; a paper account, the simulator or any other account refuses to start.
Each refusal is one line that says what to change. Account ids are masked: they are secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from .broker import Broker, BrokerUnavailable
from .paper.broker import SIMULATOR_ACCOUNT, PaperBroker

if TYPE_CHECKING:
    from .ib import IBConfig

PAPER_ACCOUNT_PREFIXES = ("DU", "DF")
PAPER_PORTS = frozenset({7497, 4002})
LIVE_PORTS = frozenset({7496, 4001})


class ModeMismatch(RuntimeError):
    """The broker or account does not match the trading mode. ``str()`` is the line shown."""


def mask(account: str) -> str:
    """``DU1234567`` -> ``DU*****67``: enough to recognise, not enough to leak."""
    if len(account) <= 4:
        return "*" * len(account)
    return account[:2] + "*" * (len(account) - 4) + account[-2:]


def is_paper_account(account: str) -> bool:
    return account == SIMULATOR_ACCOUNT or account.upper().startswith(PAPER_ACCOUNT_PREFIXES)


@dataclass(frozen=True)
class AccountGuard:
    """Checks the account a broker reports against the mode, before any order is sent."""

    paper: bool = True
    live_confirm: str | None = None

    def check(self, account: str) -> None:
        if self.paper:
            if not is_paper_account(account):
                raise ModeMismatch(
                    f"paper mode refuses account {mask(account)}: it is not a paper account (paper ids "
                    "start with DU); log in to your paper account or set PAPER_MODE=false"
                )
            return
        if is_paper_account(account):
            raise ModeMismatch(
                f"live mode (PAPER_MODE=false) refuses account {mask(account)}: it is a paper account or the "
                "simulator; log in to the live account or set PAPER_MODE=true"
            )
        if self.live_confirm != account:
            raise ModeMismatch(
                f"live trading refused: LIVE_CONFIRM does not equal the connected account {mask(account)}"
            )


def check_port(paper: bool, port: int) -> None:
    """Refuse a TWS/Gateway port that belongs to the other mode (7497/4002 paper, 7496/4001 live)."""
    if paper and port in LIVE_PORTS:
        raise ModeMismatch(
            f"paper mode refuses IBKR_PORT={port}: it is a live TWS/Gateway port (use 7497 or 4002)"
        )
    if not paper and port in PAPER_PORTS:
        raise ModeMismatch(
            f"live mode refuses IBKR_PORT={port}: it is a paper TWS/Gateway port (use 7496 or 4001)"
        )


def build_broker(
    kind: str,
    *,
    paper: bool,
    clock: Callable[[], datetime],
    ib: IBConfig | None = None,
    quotes_only: bool = False,
    account_size: Decimal | None = None,
) -> Broker:
    """The broker the mode allows: the simulator only in paper mode (filling on quotes only when a
    market data feed drives it); IB in either (on ``ib``)."""
    if kind == "paper":
        if not paper:
            raise ModeMismatch("PAPER_MODE=false cannot trade on the paper simulator: set BROKER=ib")
        return PaperBroker(clock, quotes_only=quotes_only, account_size=account_size)
    if kind == "ib":
        if ib is None:
            raise BrokerUnavailable("BROKER=ib needs the IBKR_* settings")
        check_port(paper, ib.port)
        from .ib import IBBroker  # loads ib_async only when IB is the broker

        return IBBroker(ib, clock)
    raise ModeMismatch(f"BROKER={kind} is not a broker autoscalper knows (paper or ib)")
