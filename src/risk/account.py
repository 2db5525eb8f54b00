"""The account snapshot risk decides on, filled by the orchestrator from its journal and broker.

Everything risk needs about the world comes in here, so ``evaluate`` stays pure: positions (with
their working entries and stops), closing P&L, approved entries, the messages that already yielded a
plan, the latest quotes, and the latched trading state. Decimals must be finite: a NaN P&L cannot be
built into a snapshot, so a loss cap can never be disabled by bad data.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from parser import Instrument, Side


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class TradingState(StrEnum):
    """active (normal), reducing (no new entries), halted (cancels and flattening only): the states
    of docs/architecture.md."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class TradingStatus(_Frozen):
    """The latched state, why it was entered (a stable code) and when."""

    state: TradingState = TradingState.ACTIVE
    cause: str = "start"
    detail: str = ""
    since: AwareDatetime | None = None


class Quote(_Frozen):
    """The market for one instrument at ``at``. ``delayed``: IB's delayed data (15-20 minutes old),
    good enough to simulate fills on paper, never to judge whether an alert's price is current."""

    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    at: AwareDatetime
    delayed: bool = False


class Position(_Frozen):
    """The bot's position opened by one alert: filled contracts plus an entry still working.

    ``instrument`` is the contract as the alert named it (a front-month future has no expiry), so
    that it compares equal to the next alert naming it; the broker's qualified contract is kept apart.
    """

    opened_by: str
    author_id: str | None = None
    instrument: Instrument
    side: Side
    quantity: int = Field(ge=0)
    pending: int = Field(default=0, ge=0)
    avg_price: Decimal = Field(gt=0)
    stop: Decimal | None = None
    trailing: bool = False  # its stop trails the market: no message moves it
    rate: Decimal | None = None  # a forex cross's dollars per quote-currency unit at its last fill

    @property
    def exposure(self) -> int:
        """Contracts held or that may still be bought by the working entry."""
        return self.quantity + self.pending


class Realized(_Frozen):
    """A closing fill's P&L, net of commissions, in account currency. ``market_loss``: the price
    itself lost money and the trader's own strategy closed it (not a scratch that cost only
    commissions, not the kill switch's flattening); None when unknown, judged by ``pnl``."""

    at: AwareDatetime
    pnl: Decimal
    position: str | None = None
    market_loss: bool | None = None

    @property
    def losing_trade(self) -> bool:
        """What starts the loss cooldown."""
        return self.pnl < 0 if self.market_loss is None else self.market_loss


class EntryRecord(_Frozen):
    """An entry that was approved and handed to the broker."""

    message_id: str
    instrument: Instrument
    side: Side
    at: AwareDatetime
    add: bool = False


class AccountSnapshot(_Frozen):
    status: TradingStatus = TradingStatus()
    positions: tuple[Position, ...] = ()
    realized: tuple[Realized, ...] = ()
    entries: tuple[EntryRecord, ...] = ()
    planned_message_ids: frozenset[str] = frozenset()
    quotes: Mapping[str, Quote] = Field(default_factory=dict)
    net_liquidation: Decimal | None = None  # what ``account_percent`` sizing takes a share of
    day_trades: int = 0  # opened and closed the same day, in the last five business days (PDT_GUARD)


class Alert(_Frozen):
    """Risk's view of the message an intent came from."""

    message_id: str
    author_id: str | None = None
    sent_at: AwareDatetime
    received_at: AwareDatetime

    @property
    def age_seconds(self) -> float:
        """Seconds between posting and receipt; clock skew that makes it negative counts as zero."""
        return max(0.0, (self.received_at - self.sent_at).total_seconds())
