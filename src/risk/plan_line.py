"""One readable line per order plan, for the CLI, notifications and the journal's audit views."""

from __future__ import annotations

from .loss import money
from .plan import BracketPlan, CancelPlan, ExitPlan, OrderPlan, StopPlan, TrimPlan
from .specs import instrument_key


def describe_plan(plan: OrderPlan) -> str:
    key = instrument_key(plan.instrument)
    match plan:
        case BracketPlan():
            action = "buy" if plan.side.value == "long" else "sell"
            entry = "at market" if plan.entry_price is None else f"limit {plan.entry_price}"
            legs = ", ".join(f"{leg.quantity} at {leg.price}" for leg in plan.targets)
            add = f" (adding to {plan.add_to})" if plan.add_to else ""
            return (
                f"{action} {plan.quantity} {key} {entry}{add}; stop {plan.stop_price}; targets {legs}; "
                f"max loss {money(plan.max_loss)}"
            )
        case ExitPlan():
            if plan.quantity == 0:
                return f"cancel the working entry for {key} (nothing filled)"
            cancel = " and cancel the working entry" if plan.cancel_entry else ""
            return f"close {plan.quantity} {key} at market{cancel}"
        case TrimPlan():
            stop = f"; stop the rest at {plan.new_stop}" if plan.new_stop is not None else ""
            return f"close {plan.quantity} {key} at market{stop}"
        case StopPlan():
            parts = [f"stop to {plan.new_stop}"] if plan.new_stop is not None else []
            parts += [f"targets {', '.join(str(t) for t in plan.new_targets)}"] if plan.new_targets else []
            return f"{key}: {'; '.join(parts)}"
        case CancelPlan():
            return f"cancel the working entry for {key}"
