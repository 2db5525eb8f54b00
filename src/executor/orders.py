"""Orders as the executor sends them: what to trade, why (the message and the position), and how.

A bracket is a list of legs, one per take-profit target, each with its own entry, target and stop:
IB rejects several take-profit children on one parent, and a leg that owns its stop can be closed by
its target without touching the others. Client order ids are derived from the message id and the leg
(sent to IB as ``orderRef``), so the same plan sent twice names the same orders and the broker can
refuse the second copy.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from parser import Instrument, Side
from risk import BracketPlan, Trail

CLIENT_ID_PREFIX = "asc"
FLATTEN = "flatten"  # the kill switch's closing orders: asc:<position>:flatten:<n>


class Frozen(BaseModel):
    """The executor's value objects: immutable, no unknown fields, finite decimals only."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Action(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"
    STOP = "stop"


class Role(StrEnum):
    """What an order does for its position."""

    ENTRY = "entry"
    TARGET = "target"
    STOP = "stop"
    CLOSE = "close"

    @property
    def is_child(self) -> bool:
        return self in (Role.TARGET, Role.STOP)


class OrderStatus(StrEnum):
    """Where an order stands at the broker. ``held`` is a bracket child waiting for its entry to fill."""

    PENDING = "pending"
    HELD = "held"
    WORKING = "working"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def done(self) -> bool:
        return self in (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED)


class Order(Frozen):
    """One order. ``price`` is the limit (entry, target) or the trigger (stop); None is a market order.

    ``message_id`` is the message that caused the order, ``position`` the message that opened the
    position it belongs to (they differ for adds, trims and exits). ``alert_price`` is the analyst's
    price: the simulator fills at it when it has no quote, and slippage is measured against it.
    """

    client_id: str
    message_id: str
    position: str
    instrument: Instrument
    action: Action
    order_type: OrderType
    quantity: int = Field(ge=1)
    price: Decimal | None = Field(default=None, gt=0)
    role: Role
    parent: str | None = None
    leg: int | None = None
    alert_price: Decimal | None = Field(default=None, gt=0)
    trail: Trail | None = None  # a stop that trails the market (``price`` is where it stands now)

    @model_validator(mode="after")
    def _priced(self) -> Order:
        if self.order_type is not OrderType.MARKET and self.price is None:
            raise ValueError(f"a {self.order_type} order needs a price")
        if self.role is Role.ENTRY and self.price is None and self.alert_price is None:
            raise ValueError("a market entry needs the alert's price")
        return self

    @property
    def opens(self) -> bool:
        return self.role is Role.ENTRY


class BracketLeg(Frozen):
    entry: Order
    target: Order | None
    stop: Order

    @property
    def orders(self) -> tuple[Order, ...]:
        """Placement order: entry, target, then the stop (IB transmits the group on the last child)."""
        return tuple(o for o in (self.entry, self.target, self.stop) if o is not None)


class Bracket(Frozen):
    message_id: str
    position: str
    legs: tuple[BracketLeg, ...] = Field(min_length=1)

    @property
    def orders(self) -> tuple[Order, ...]:
        return tuple(order for leg in self.legs for order in leg.orders)


def client_id(message_id: str, *parts: object) -> str:
    """Deterministic client order id: ``asc:<message id>:<leg>:<role>`` (IB ``orderRef``)."""
    return ":".join((CLIENT_ID_PREFIX, message_id, *(str(part) for part in parts)))


def is_ours(client_order_id: str) -> bool:
    return client_order_id.startswith(CLIENT_ID_PREFIX + ":")


def opening_action(side: Side) -> Action:
    return Action.BUY if side is Side.LONG else Action.SELL


def closing_action(side: Side) -> Action:
    return Action.SELL if side is Side.LONG else Action.BUY


def bracket_from_plan(plan: BracketPlan) -> Bracket:
    """The plan's legs as orders: one entry + target + stop per target leg (one leg when no target)."""
    position = plan.add_to or plan.message_id
    sizes: list[tuple[int, Decimal | None]] = [(leg.quantity, leg.price) for leg in plan.targets]
    sizes = sizes or [(plan.quantity, None)]
    legs = tuple(
        _leg(plan, position, number, quantity, target)
        for number, (quantity, target) in enumerate(sizes, start=1)
    )
    return Bracket(message_id=plan.message_id, position=position, legs=legs)


def _leg(plan: BracketPlan, position: str, number: int, quantity: int, target: Decimal | None) -> BracketLeg:
    entry_id = client_id(plan.message_id, number, Role.ENTRY)
    common = {"message_id": plan.message_id, "position": position, "instrument": plan.instrument}
    entry = Order(
        **common,
        client_id=entry_id,
        action=opening_action(plan.side),
        order_type=OrderType.MARKET if plan.is_market else OrderType.LIMIT,
        quantity=quantity,
        price=plan.entry_price,
        role=Role.ENTRY,
        leg=number,
        alert_price=plan.entry_price or plan.reference_price,
    )
    child = {**common, "action": closing_action(plan.side), "quantity": quantity, "parent": entry_id}
    take_profit = None
    if target is not None:
        take_profit = Order(
            **child,
            client_id=client_id(plan.message_id, number, Role.TARGET),
            order_type=OrderType.LIMIT,
            price=target,
            role=Role.TARGET,
            leg=number,
        )
    stop = Order(
        **child,
        client_id=client_id(plan.message_id, number, Role.STOP),
        order_type=OrderType.STOP,
        price=plan.stop_price,
        role=Role.STOP,
        leg=number,
        trail=plan.trail,
    )
    return BracketLeg(entry=entry, target=take_profit, stop=stop)


def market_close(
    *,
    client_order_id: str,
    message_id: str,
    position: str,
    instrument: Instrument,
    side: Side,
    quantity: int,
    alert_price: Decimal | None = None,
) -> Order:
    """A market order that reduces the position ``position`` (a ``side`` position) by ``quantity``."""
    return Order(
        client_id=client_order_id,
        message_id=message_id,
        position=position,
        instrument=instrument,
        action=closing_action(side),
        order_type=OrderType.MARKET,
        quantity=quantity,
        role=Role.CLOSE,
        alert_price=alert_price,
    )
