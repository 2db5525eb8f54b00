"""What risk hands the executor: an order plan inside an Approved decision, or a Denied one.

Plans are complete: a bracket carries its entry, its stop and its target legs, every price already on
the instrument's tick, so the executor never invents a price or a quantity. A denial is data with
stable reason codes (listed in the README) and one sentence for the trader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from parser import Instrument, Side


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Frozen):
    """A stable machine code and the sentence that explains it."""

    code: str
    detail: str


class TargetLeg(_Frozen):
    price: Decimal
    quantity: int = Field(ge=1)


class Trail(_Frozen):
    """A trailing stop: it follows the market by ``amount`` (price units) or ``percent``, once the
    market reaches ``start`` (from the fill when None). It only ever tightens."""

    amount: Decimal | None = Field(None, gt=0)
    percent: Decimal | None = Field(None, gt=0, lt=100)
    start: Decimal | None = Field(None, gt=0)

    def distance(self, market: Decimal) -> Decimal:
        """How far behind ``market`` the stop trails."""
        if self.amount is not None:
            return self.amount
        assert self.percent is not None
        return market * self.percent / 100


class _PlanBase(_Frozen):
    message_id: str
    instrument: Instrument
    side: Side


class BracketPlan(_PlanBase):
    """Entry + stop + target legs. ``entry_price`` None is a market entry at ``reference_price``."""

    kind: Literal["bracket"] = "bracket"
    quantity: int = Field(ge=1)
    entry_price: Decimal | None
    reference_price: Decimal
    stop_price: Decimal
    targets: tuple[TargetLeg, ...]
    add_to: str | None = None
    max_loss: Decimal
    trail: Trail | None = None  # the stop trails the market (a profile's trail_* rules)

    @property
    def is_market(self) -> bool:
        return self.entry_price is None


class ExitPlan(_PlanBase):
    """Close ``quantity`` of the position at market (children first); cancel its working entry if any."""

    kind: Literal["exit"] = "exit"
    position: str
    quantity: int = Field(ge=0)
    cancel_entry: bool = False
    alert_price: Decimal | None = None


class TrimPlan(_PlanBase):
    """Close ``quantity`` (fewer than held) at market; ``new_stop`` then applies to the rest."""

    kind: Literal["trim"] = "trim"
    position: str
    quantity: int = Field(ge=1)
    new_stop: Decimal | None = None
    alert_price: Decimal | None = None


class StopPlan(_PlanBase):
    """Move the position's stop and/or replace its targets."""

    kind: Literal["move_stop"] = "move_stop"
    position: str
    new_stop: Decimal | None = None
    new_targets: tuple[Decimal, ...] = ()


class CancelPlan(_PlanBase):
    """Cancel the position's working entry (nothing has filled)."""

    kind: Literal["cancel"] = "cancel"
    position: str


OrderPlan = Annotated[BracketPlan | ExitPlan | TrimPlan | StopPlan | CancelPlan, Field(discriminator="kind")]


class Approved(_Frozen):
    """``notes`` say what risk changed or could not check (a smaller size, no quote for drift, ...)."""

    verdict: Literal["approved"] = "approved"
    plan: OrderPlan
    notes: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(note.code for note in self.notes)


class Denied(_Frozen):
    verdict: Literal["denied"] = "denied"
    reasons: tuple[Reason, ...] = Field(min_length=1)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sentence(self) -> str:
        """One sentence for the trader, every reason in order."""
        text = "; ".join(reason.detail for reason in self.reasons)
        return text[:1].upper() + text[1:] + "."


Decision = Annotated[Approved | Denied, Field(discriminator="verdict")]


@dataclass
class PlanDraft:
    """A plan being worked out: the reasons it cannot go, the notes on what was decided, the plan."""

    reasons: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    plan: BracketPlan | ExitPlan | TrimPlan | StopPlan | CancelPlan | None = None

    def decision(self, earlier: list[Reason], notes: tuple[Reason, ...] = ()) -> Approved | Denied:
        """Denied with ``earlier`` and this outcome's reasons, or Approved with every note."""
        reasons = [*earlier, *self.reasons]
        if reasons or self.plan is None:
            return Denied(reasons=tuple(reasons))
        return Approved(plan=self.plan, notes=(*notes, *self.notes))
