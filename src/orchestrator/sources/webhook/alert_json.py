"""A TradingView JSON alert mapped to the parser's intent models, without the grammar.

``{"ticker": "SPY", "action": "buy", "price": 1.25, "stop": 0.90, "target": 1.80, "quantity": 2,
"expiry": "2026-12-18", "strike": 600, "right": "C", "message_id": "...", "secret": "..."}``

- ``action``: ``buy`` opens a long, ``sell`` opens a short, ``exit`` closes the position in
  ``ticker`` (all of it, or ``quantity``). Nothing else: "sell" never means "close", so a strategy's
  exit must say ``exit``.
- The contract: an option with ``expiry``, ``strike`` and ``right``; a future for TradingView's
  continuous symbols (``ES1!``); a stock otherwise. An exchange prefix (``NASDAQ:AAPL``) is dropped.
- Every field is validated; an unknown key is refused with its name (HTTP 400).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from parser import Asset, Exit, Instrument, Intent, Open, PriceStop, PriceTarget, Right, Side

FIELDS = ("ticker", "action", "quantity", "price", "stop", "target", "expiry", "strike", "right")


class JsonAlertError(ValueError):
    """``str()`` is the reason the sender gets with its 400."""


class JsonAlert(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    ticker: str = Field(min_length=1, max_length=32)
    action: Literal["buy", "sell", "exit"]
    quantity: int | None = Field(None, ge=1, le=10_000)
    price: Decimal | None = Field(None, gt=0)
    stop: Decimal | None = Field(None, gt=0)
    target: Decimal | None = Field(None, gt=0)
    expiry: date | None = None
    strike: Decimal | None = Field(None, gt=0)
    right: Right | None = None
    message_id: str | None = Field(None, min_length=1, max_length=128)
    secret: str | None = None  # checked by the server, then dropped

    @field_validator("ticker")
    @classmethod
    def _symbol(cls, value: str) -> str:
        return value.split(":")[-1].strip().upper()

    @field_validator("right", mode="before")
    @classmethod
    def _right(cls, value: object) -> object:
        return (
            {"CALL": "C", "PUT": "P"}.get(str(value).upper(), str(value).upper())
            if value is not None
            else None
        )

    def instrument(self) -> Instrument:
        option = (self.expiry, self.strike, self.right)
        if any(part is not None for part in option):
            if not all(part is not None for part in option):
                raise JsonAlertError("an option needs expiry, strike and right")
            return Instrument(
                asset=Asset.OPTION,
                symbol=self.ticker,
                expiry=self.expiry,
                strike=self.strike,
                right=self.right,
            )
        if self.ticker.endswith("1!"):
            return Instrument(asset=Asset.FUTURE, symbol=self.ticker.removesuffix("1!"))
        return Instrument(asset=Asset.STOCK, symbol=self.ticker)

    def intent(self) -> Intent:
        instrument = self.instrument()
        if self.action == "exit":
            return Exit(instrument=instrument, quantity=self.quantity, price=self.price)
        return Open(
            side=Side.LONG if self.action == "buy" else Side.SHORT,
            instrument=instrument,
            price=self.price,
            stop=PriceStop(price=self.stop) if self.stop is not None else None,
            targets=(PriceTarget(price=self.target),) if self.target is not None else (),
            quantity=self.quantity,
        )


def read_json_alert(data: object) -> JsonAlert:
    """Raises ``JsonAlertError`` with the first problem, named."""
    if not isinstance(data, dict):
        raise JsonAlertError("the body must be a JSON object")
    try:
        return JsonAlert.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "body"
        if error["type"] == "extra_forbidden":
            raise JsonAlertError(
                f"{key}: unknown key (known: {', '.join((*FIELDS, 'message_id'))})"
            ) from None
        raise JsonAlertError(f"{key}: {error['msg']}") from None
