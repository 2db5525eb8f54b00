"""The ``Broker`` protocol: what the executor needs from the paper simulator and from Interactive Brokers.

Designed for IB's realities. Each request returns an ``Ack`` once the broker has answered it
(accepted, modified, cancelled, or refused with a code and a text); fills arrive later, possibly in
pieces, through the event stream, as do errors that belong to no request and connection changes.
A request for an order that already exists (same client id) is acknowledged without a second order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

from pydantic import Field

from .book import PositionBook
from .events import BrokerEvent
from .orders import Bracket, Frozen, Order, OrderStatus

EventHandler = Callable[[BrokerEvent], None]


class Ack(Frozen):
    """The broker's answer to one request. ``duplicate``: the order already existed, nothing was sent."""

    client_id: str
    accepted: bool
    code: int | None = None
    text: str = ""
    duplicate: bool = False


class WorkingOrder(Frozen):
    order: Order
    status: OrderStatus
    filled: int = Field(default=0, ge=0)


class BrokerSnapshot(Frozen):
    """The broker's own view: net position per instrument key (negative = short) and live orders."""

    account: str
    connected: bool
    positions: Mapping[str, int] = Field(default_factory=dict)
    working: tuple[WorkingOrder, ...] = ()


class BrokerUnavailable(ConnectionError):
    """The broker cannot take requests (not connected, or not built for this installation)."""


class Broker(Protocol):
    # True for the simulator: its orders never leave the process, so a crash that loses the journal's
    # last commit loses them too, and the journal may commit a message and its orders together.
    in_process: bool

    async def connect(self) -> str:
        """Connect and return the account id the broker trades (checked by the paper/live guard)."""
        ...

    async def place_bracket(self, bracket: Bracket) -> Ack:
        """Place every leg (entry, target, stop); children wait for their entry and cancel each other."""
        ...

    async def modify(
        self, client_id: str, *, quantity: int | None = None, price: Decimal | None = None
    ) -> Ack:
        """Change a working order's quantity and/or price (a stop move, a child shrunk for a trim)."""
        ...

    async def place_close(self, order: Order) -> Ack:
        """Send one lone order that reduces a position: a market close (exit, trim, flatten), or the
        stop that re-protects what a refused close left held (``protect.py``)."""
        ...

    async def cancel(self, client_id: str) -> Ack:
        """Cancel one order (an entry's children go with it). Acknowledged when confirmed."""
        ...

    async def cancel_all(self) -> None:
        """Cancel every working order; confirmations arrive as events."""
        ...

    def snapshot(self) -> BrokerSnapshot: ...

    def net_liquidation(self) -> Decimal | None:
        """The account's net liquidation value in its currency, when the broker knows it (what a
        profile's ``account_percent`` sizing takes a share of)."""
        ...

    async def recover(self, book: PositionBook) -> None:
        """After a restart: ``book`` is the journal's record of the bot's orders and fills. The
        simulator rebuilds its working orders and positions from it; a real broker reconciles its
        own open orders and executions against it by client order id."""
        ...

    def subscribe(self, handler: EventHandler) -> None:
        """Call ``handler`` with every event, in the order the broker reports them."""
        ...

    async def shutdown(self) -> None:
        """The bot is stopping: close the connection (working orders stay at the broker)."""
        ...


class EventFeed:
    """Fan-out of broker events to subscribers, in subscription order."""

    def __init__(self) -> None:
        self._handlers: list[EventHandler] = []

    def subscribe(self, handler: EventHandler) -> None:
        self._handlers.append(handler)

    def emit(self, event: BrokerEvent) -> None:
        for handler in self._handlers:
            handler(event)
