"""The TWS API wire format, server side, at server version 176 (length-prefixed frames of fields).

After the handshake every message is a 4-byte big-endian length and NUL-terminated text fields.
The layouts follow ib_async's ``decoder.py`` field for field; ``open_order`` is the 128-field
minimal case (no combo legs, conditions or algo). Version 176 is inside both ib_async's and
ib_insync's ranges and below 177, where the layouts start to differ.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

SERVER_VERSION = 176
HANDSHAKE_PREFIX = b"API\0"


def frame(fields: Iterable[object]) -> bytes:
    """One message: the fields as text, each terminated by NUL, behind a 4-byte length."""
    body = "".join(f"{_text(field)}\0" for field in fields).encode()
    return struct.pack(">I", len(body)) + body


def _text(field: object) -> str:
    if field is None:
        return ""
    if isinstance(field, bool):
        return "1" if field else "0"
    if isinstance(field, Decimal):
        return format(field.normalize(), "f")
    return str(field)


def split(body: bytes) -> list[str]:
    fields = body.decode(errors="backslashreplace").split("\0")
    return fields[:-1] if fields and fields[-1] == "" else fields


@dataclass
class Contract:
    """A listed contract as the fake gateway knows it. ``rule`` is its market rule id."""

    con_id: int
    symbol: str
    sec_type: str
    expiry: str = ""
    strike: Decimal = Decimal(0)
    right: str = ""
    multiplier: str = ""
    exchange: str = "SMART"
    currency: str = "USD"
    local_symbol: str = ""
    trading_class: str = ""
    rule: int = 1
    primary_exchange: str = ""

    def fields(self) -> list[object]:
        """The 11 contract fields of openOrder, execDetails and position (no primaryExchange)."""
        strike = self.strike if self.strike else ""
        return [self.con_id, self.symbol, self.sec_type, self.expiry, strike, self.right, self.multiplier,
                self.exchange, self.currency, self.local_symbol, self.trading_class]  # fmt: skip


@dataclass
class Trailing:
    """A trailing stop as placeOrder carries it: ``TRAIL`` with ``trailStopPrice`` and either
    ``trailingPercent`` or the amount in ``auxPrice``; or an ``STP`` with ``triggerPrice`` that IB
    turns into a ``TRAIL`` (``adjustedOrderType``) at ``adjustedStopPrice`` once the trigger trades."""

    stop: Decimal
    amount: Decimal | None = None
    percent: Decimal | None = None
    trigger: Decimal | None = None  # still a plain stop until the market reaches it

    def follow(self, selling: bool, market: Decimal) -> None:
        if self.trigger is not None:
            if market < self.trigger if selling else market > self.trigger:
                return
            self.trigger = None
        distance = self.amount if self.amount is not None else market * (self.percent or Decimal(0)) / 100
        candidate = market - distance if selling else market + distance
        self.stop = max(self.stop, candidate) if selling else min(self.stop, candidate)


@dataclass
class WireOrder:
    """An order as the fake holds it (the fields the decoder's openOrder carries that matter here)."""

    order_id: int
    client_id: int
    perm_id: int
    contract: Contract
    action: str
    quantity: Decimal
    order_type: str
    limit: Decimal | None
    aux: Decimal | None
    tif: str
    account: str
    order_ref: str
    transmit: bool
    parent_id: int
    status: str = "PendingSubmit"
    filled: Decimal = Decimal(0)
    avg_price: Decimal = Decimal(0)
    last_price: Decimal = Decimal(0)
    group: int = 0  # the bracket it was placed in: its children stay linked after parentId=0
    trail: Trailing | None = None  # a TRAIL order, or a stop that becomes one (adjusted order)

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def done(self) -> bool:
        return self.status in {"Filled", "Cancelled", "ApiCancelled", "Inactive"}


def order_status(order: WireOrder) -> list[object]:
    return [3, order.order_id, order.status, order.filled, order.remaining, order.avg_price,
            order.perm_id, order.parent_id, order.last_price, order.client_id, "", ""]  # fmt: skip


def open_order(order: WireOrder, *, what_if: bool = False) -> list[object]:
    """openOrder (5) in decoder order: 128 fields for a plain order."""
    o = order
    head: list[object] = [5, o.order_id, *o.contract.fields()]
    core = [o.action, o.quantity, o.order_type, o.limit, o.aux, o.tif, "", o.account, "O", 0,
            o.order_ref, o.client_id, o.perm_id, 0, 0, 0, "", "", "", "", "", ""]  # fmt: skip
    middle: list[object] = [""] * 23 + [o.parent_id] + [""] * 5  # modelCode .. deltaNeutralAuxPrice
    # continuousUpdate .. comboLegsDescrip, three empty lists, scale, hedge, clearing, no DNC, no algo
    tail: list[object] = [""] * 7 + [0, 0, 0] + [""] * 4 + ["", "", "", "", 0] + [""]
    margin = "1000.0" if what_if else ""
    state: list[object] = [0, what_if, o.status, margin, margin, margin, margin, margin, margin,
                           margin, margin, margin, "", "", "", "USD", "", 0, 0]  # fmt: skip
    adjusted: list[object] = [0] + [""] * 24  # no conditions; adjusted fields, duration .. midOffsets
    fields = head + core + middle + tail + state + adjusted
    assert len(fields) == 128, len(fields)
    return fields


def exec_details(req_id: int, order: WireOrder, exec_id: str, when: str, shares: Decimal,
                 price: Decimal) -> list[object]:  # fmt: skip
    """execDetails (11): exactly 31 fields, as ib_insync unpacks them."""
    o = order
    side = "BOT" if o.action == "BUY" else "SLD"
    return [11, req_id, o.order_id, *o.contract.fields(), exec_id, when, o.account, o.contract.exchange,
            side, shares, price, o.perm_id, o.client_id, 0, o.filled, o.avg_price, o.order_ref, "", "",
            "", 1]  # fmt: skip


def commission_report(exec_id: str, commission: Decimal) -> list[object]:
    return [59, 1, exec_id, commission, "USD", "", "", ""]


def position(account: str, contract: Contract, quantity: Decimal, avg_cost: Decimal) -> list[object]:
    return [61, 3, account, *contract.fields(), quantity, avg_cost]


def error(req_id: int, code: int, text: str) -> list[object]:
    return [4, 2, req_id, code, text, ""]


def contract_details(req_id: int, c: Contract, sec_type: str | None = None) -> list[object]:
    """contractDetails (10) at version >= 164, no version field, no sec ids."""
    strike = c.strike if c.strike else 0
    return [10, req_id, c.symbol, sec_type or c.sec_type, c.expiry, strike, c.right, c.exchange,
            c.currency, c.local_symbol, c.trading_class, c.trading_class, c.con_id, "0.01", c.multiplier,
            "LMT,MKT,STP", c.exchange, 1, 0, c.symbol, c.primary_exchange, c.expiry[:6], "", "", "",
            "US/Eastern", "", "", "", "", 0, 0, c.symbol, "", c.rule, c.expiry, "", 1, 1, 1]  # fmt: skip


def market_rule(rule_id: int, ladder: Sequence[tuple[Decimal, Decimal]]) -> list[object]:
    return [93, rule_id, len(ladder), *(value for step in ladder for value in step)]
