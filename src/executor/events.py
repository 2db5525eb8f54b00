"""What a broker reports, in the domain's words (past tense), whatever the broker is.

IB acknowledges asynchronously, fills in pieces, rejects with a code and a text, reports errors that
belong to no order, and drops connections: every one of those has an event here, so the executor and
the journal never see a library type. ``fill_id`` is the idempotency key of a fill (IB's ``execId``,
re-sent after every reconnect).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, Field

from risk import Quote

from .orders import Frozen, Order


class _Event(Frozen):
    at: AwareDatetime


class OrderSubmitted(_Event):
    """The order was handed to the broker; nothing is confirmed yet."""

    kind: Literal["submitted"] = "submitted"
    client_id: str
    order: Order


class OrderAccepted(_Event):
    """The broker holds the order: working, or ``held`` until its bracket entry fills."""

    kind: Literal["accepted"] = "accepted"
    client_id: str
    held: bool = False


class OrderModified(_Event):
    kind: Literal["modified"] = "modified"
    client_id: str
    quantity: int = Field(ge=1)
    price: Decimal | None = None


# How the simulator priced a fill no market priced: at the alert's own price, or (an exit that named
# none) at the last price it traded. A broker's fill, or one on a quote, has no basis (None).
AT_ALERT_PRICE: Final = "at_alert_price"
NO_QUOTE: Final = "no_quote"
PriceBasis = Literal["at_alert_price", "no_quote"]


class OrderFilled(_Event):
    """One execution. ``filled`` is the order's cumulative quantity, ``remaining`` what still works.
    ``price_basis``: set when the price was made up (the simulator with no quote). ``quote``: the
    market the simulator filled it on (None for a broker's fill or a made-up one). ``rate``: dollars
    per unit of a forex pair's quote currency at the fill, when it is not the pair's own price
    (a cross, converted at its dollar pair's quote: risk/fx.py)."""

    kind: Literal["filled"] = "filled"
    client_id: str
    fill_id: str
    quantity: int = Field(ge=1)
    price: Decimal = Field(gt=0)
    commission: Decimal = Field(ge=0)
    filled: int = Field(ge=1)
    remaining: int = Field(ge=0)
    price_basis: PriceBasis | None = None
    quote: Quote | None = None
    rate: Decimal | None = Field(None, gt=0)


class OrderCancelled(_Event):
    kind: Literal["cancelled"] = "cancelled"
    client_id: str
    reason: str = ""


class OrderRejected(_Event):
    kind: Literal["rejected"] = "rejected"
    client_id: str
    code: int
    text: str


class ErrorReported(_Event):
    """A broker error or warning. Warnings are journaled but never count toward the error limit."""

    kind: Literal["error"] = "error"
    code: int
    text: str
    client_id: str | None = None
    warning: bool = False


class ConnectionLost(_Event):
    """``expected``: inside the broker's nightly maintenance window, when its servers restart."""

    kind: Literal["connection_lost"] = "connection_lost"
    detail: str = ""
    expected: bool = False


class ConnectionRestored(_Event):
    kind: Literal["connection_restored"] = "connection_restored"
    detail: str = ""


OrderEvent = OrderSubmitted | OrderAccepted | OrderModified | OrderFilled | OrderCancelled | OrderRejected
BrokerEvent = Annotated[
    OrderEvent | ErrorReported | ConnectionLost | ConnectionRestored, Field(discriminator="kind")
]
