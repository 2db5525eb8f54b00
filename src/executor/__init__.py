"""Executor: turns approved plans into broker orders, keeps the position book, owns the kill switch.

``Executor(broker, state, clock=...)`` is the gateway every plan passes; ``PaperBroker`` is the
built-in simulator and the default broker; the IB adapter implements the same ``Broker`` protocol.
``executor.activate_kill_switch(reason)`` halts (persisted first), cancels, flattens and verifies.
"""

from .book import Fill, Holding, OrderState, PositionBook
from .broker import Ack, Broker, BrokerSnapshot, BrokerUnavailable, EventFeed, WorkingOrder
from .engine import Executor, Notice
from .events import (
    BrokerEvent,
    ConnectionLost,
    ConnectionRestored,
    ErrorReported,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderSubmitted,
)
from .guard import AccountGuard, ModeMismatch, build_broker, check_port, is_paper_account, mask
from .kill import (
    BROKER_ERRORS,
    KILL_SWITCH,
    ErrorBudget,
    KillReport,
    KillSwitchEngaged,
    KillSwitchFinished,
    TradingResumed,
    halted,
    resumed,
)
from .lifecycle import Execution
from .orders import (
    Action,
    Bracket,
    BracketLeg,
    Order,
    OrderStatus,
    OrderType,
    Role,
    bracket_from_plan,
    client_id,
    is_ours,
    market_close,
)
from .paper.broker import SIMULATOR_ACCOUNT, PaperBroker
from .paper.commissions import commission
from .protect import UNPROTECTED, ProtectionNotice
from .runner import KillSwitchRun
from .state import MemoryStateStore, StateStore

__all__ = [
    "BROKER_ERRORS",
    "KILL_SWITCH",
    "SIMULATOR_ACCOUNT",
    "UNPROTECTED",
    "AccountGuard",
    "Ack",
    "Action",
    "Bracket",
    "BracketLeg",
    "Broker",
    "BrokerEvent",
    "BrokerSnapshot",
    "BrokerUnavailable",
    "ConnectionLost",
    "ConnectionRestored",
    "ErrorBudget",
    "ErrorReported",
    "EventFeed",
    "Execution",
    "Executor",
    "Fill",
    "Holding",
    "KillReport",
    "KillSwitchEngaged",
    "KillSwitchFinished",
    "KillSwitchRun",
    "MemoryStateStore",
    "ModeMismatch",
    "Notice",
    "Order",
    "OrderAccepted",
    "OrderCancelled",
    "OrderFilled",
    "OrderModified",
    "OrderRejected",
    "OrderState",
    "OrderStatus",
    "OrderSubmitted",
    "OrderType",
    "PaperBroker",
    "PositionBook",
    "ProtectionNotice",
    "Role",
    "StateStore",
    "TradingResumed",
    "WorkingOrder",
    "bracket_from_plan",
    "build_broker",
    "check_port",
    "client_id",
    "commission",
    "halted",
    "is_ours",
    "is_paper_account",
    "market_close",
    "mask",
    "resumed",
]
