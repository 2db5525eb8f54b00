"""The trader's limits, as risk sees them. The orchestrator builds them from settings.

Defaults equal the settings' defaults (a test keeps the two in step), so ``Limits()`` is the safe
configuration a fresh install trades with.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator

from parser import Asset

from .account import TradingState
from .hours import HoursRule, parse_hours


class ShortPolicy(StrEnum):
    """ALLOW_SHORT: which short positions an alert may open (a short call's risk has no bound)."""

    NONE = "none"
    FUTURES = "futures"
    ALL = "all"


class SizingRule(StrEnum):
    """How many contracts (shares) an entry asks for, before every cap cuts it."""

    ALERT = "alert"  # the alert's quantity, or DEFAULT_CONTRACTS
    FIXED = "fixed"  # always ``value`` contracts
    MULTIPLIER = "multiplier"  # the alert's quantity times ``value``, rounded down
    PREMIUM_BUDGET = "premium_budget"  # as many as ``value`` dollars buy at the entry price
    ACCOUNT_PERCENT = "account_percent"  # a premium budget of ``value`` % of the account's net liquidation


class MissingExpiry(StrEnum):
    """What an options alert with no expiry gets (``expiry_fill.py``)."""

    REFUSE = "refuse"
    ZERO_DTE = "0dte"
    NEXT_EXPIRY = "next_expiry"


DAILY_EXPIRY_CLASSES = frozenset({"SPX", "SPY", "QQQ", "IWM", "XSP"})  # an expiry every trading day
# What ALLOWED_ASSETS may name: the assets a broker path here can price and place. Crypto, CFDs and
# index levels are read by the parser but have no contract to trade yet.
TRADABLE_ASSETS = frozenset({Asset.OPTION, Asset.FUTURE, Asset.STOCK, Asset.FOREX})
DEFAULT_ASSETS = frozenset({Asset.OPTION, Asset.FUTURE, Asset.STOCK})


class Sizing(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    rule: SizingRule = SizingRule.ALERT
    value: Decimal | None = Field(None, gt=0)


class Limits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    default_contracts: int = Field(1, ge=1)
    max_contracts: int = Field(2, ge=1)
    max_total_contracts: int = Field(6, ge=1)
    max_open_positions: int = Field(3, ge=1)
    daily_loss_limit: Decimal = Field(Decimal("300"), gt=0)
    max_trades_per_day: int = Field(10, ge=1)
    max_risk_per_trade: Decimal = Field(Decimal("150"), gt=0)
    max_signal_age: timedelta = timedelta(seconds=30)
    max_price_drift_pct: Decimal = Field(Decimal("10"), gt=0)
    default_stop_pct: Decimal = Field(Decimal("30"), gt=0, lt=100)
    default_target_pct: Decimal = Field(Decimal("50"), gt=0)
    default_trim_pct: Decimal = Field(Decimal("50"), gt=0, le=100)
    allowed_symbols: frozenset[str] = frozenset()
    trading_hours: str = "regular"
    allow_adds: bool = False
    allow_market_entry: bool = False
    loss_limit_action: TradingState = TradingState.REDUCING
    loss_cooldown: timedelta = timedelta(minutes=10)
    duplicate_window: timedelta = timedelta(minutes=5)
    allow_short: ShortPolicy = ShortPolicy.FUTURES
    max_shares: int = Field(100, ge=1)
    max_expiry_days: int = Field(120, ge=0)
    # A profile's own (orchestrator/profiles.py): the global settings leave them at these defaults.
    sizing: Sizing = Sizing()
    min_premium: Decimal | None = Field(None, gt=0)  # an option entry's price range
    max_premium: Decimal | None = Field(None, gt=0)
    allowed_kinds: frozenset[str] | None = None  # None: every kind
    pdt_guard: bool = False
    maintenance: str | None = None  # the broker's nightly window (HH:MM-HH:MM New York): no new entries
    trail_amount: Decimal | None = Field(None, gt=0)
    trail_percent: Decimal | None = Field(None, gt=0, lt=100)
    trail_after_percent: Decimal | None = Field(None, gt=0)
    missing_expiry: MissingExpiry = MissingExpiry.REFUSE
    missing_expiry_symbols: frozenset[str] = DAILY_EXPIRY_CLASSES
    allowed_assets: frozenset[Asset] = DEFAULT_ASSETS
    forex_units: int = Field(20_000, ge=1)  # a forex entry's size in base-currency units
    gold_units: int = Field(10, ge=1)  # a spot gold or silver entry's size in troy ounces
    forex_max_drift_pips: Decimal = Field(Decimal("10"), gt=0)

    @field_validator("allowed_assets")
    @classmethod
    def _assets(cls, value: frozenset[Asset]) -> frozenset[Asset]:
        untradable = sorted(a.value for a in value - TRADABLE_ASSETS)
        if untradable:
            raise ValueError(f"{', '.join(untradable)} cannot be traded yet (option, future, stock, forex)")
        if not value:
            raise ValueError("name at least one of option, future, stock, forex")
        return value

    @field_validator("trading_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_hours(value)
        return value

    @field_validator("loss_limit_action")
    @classmethod
    def _action(cls, value: TradingState) -> TradingState:
        if value is TradingState.ACTIVE:
            raise ValueError("the loss cap must move to reducing or halted")
        return value

    @cached_property
    def hours(self) -> HoursRule:
        return parse_hours(self.trading_hours)
