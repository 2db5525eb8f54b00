"""Risk manager: the gate every intent passes. Pure: ``now`` and the account come in as arguments.

``evaluate(intent, account, limits, now, alert=..., target=...)`` returns ``Approved(plan)`` with a
complete order plan, or ``Denied(reasons)``. ``review(account, limits, now)`` gives the trading state
that holds at ``now`` (a loss-cap latch that expired, or a new breach) for the orchestrator to persist.
"""

from .account import (
    AccountSnapshot,
    Alert,
    EntryRecord,
    Position,
    Quote,
    Realized,
    TradingState,
    TradingStatus,
)
from .evaluate import Decision, evaluate
from .gates import same_contract
from .hours import trading_day
from .limits import Limits, MissingExpiry, ShortPolicy, Sizing, SizingRule
from .loss import LOSS_CAP, review
from .plan import (
    Approved,
    BracketPlan,
    CancelPlan,
    Denied,
    ExitPlan,
    OrderPlan,
    Reason,
    StopPlan,
    TargetLeg,
    Trail,
    TrimPlan,
)
from .specs import instrument_key, multiplier

__all__ = [
    "LOSS_CAP",
    "AccountSnapshot",
    "Alert",
    "Approved",
    "BracketPlan",
    "CancelPlan",
    "Decision",
    "Denied",
    "EntryRecord",
    "ExitPlan",
    "Limits",
    "MissingExpiry",
    "OrderPlan",
    "Position",
    "Quote",
    "Realized",
    "Reason",
    "ShortPolicy",
    "Sizing",
    "SizingRule",
    "StopPlan",
    "TargetLeg",
    "TradingState",
    "TradingStatus",
    "Trail",
    "TrimPlan",
    "evaluate",
    "instrument_key",
    "multiplier",
    "review",
    "same_contract",
    "trading_day",
]
