"""One readable line per intent, for ``autoscalper parse`` and the decisions table."""

from __future__ import annotations

from .models import (
    BreakevenStop,
    Instrument,
    IntentBase,
    NotASignal,
    PercentStop,
    PercentTarget,
    PipStop,
    PipTarget,
    PriceStop,
    Stop,
    Target,
    Trim,
)


def describe_instrument(inst: Instrument | None) -> str:
    if inst is None:
        return "(no contract named)"
    parts = [inst.symbol]
    if inst.asset is None:
        return f"{inst.symbol} (whatever position is open in it)"
    if inst.expiry is not None:
        parts.append(inst.expiry.isoformat())
    elif inst.asset.value == "option":
        parts.append("(no expiry given)")
    if inst.strike is not None and inst.right is not None:
        parts.append(f"{inst.strike.normalize():f}{inst.right.value}")
    if inst.asset.value != "option":
        parts.append(inst.asset.value)
    return " ".join(parts)


def _stop(stop: Stop | None) -> str:
    if stop is None:
        return ""
    if isinstance(stop, BreakevenStop):
        return "stop at breakeven"
    if isinstance(stop, PercentStop):
        return f"stop {stop.percent.normalize():f}% from entry"
    if isinstance(stop, PipStop):
        return f"stop {stop.pips.normalize():f} pips from entry"
    assert isinstance(stop, PriceStop)
    return f"stop {stop.price.normalize():f}"


def _target(target: Target) -> str:
    if isinstance(target, PercentTarget):
        return f"+{target.percent.normalize():f}%"
    if isinstance(target, PipTarget):
        return f"+{target.pips.normalize():f} pips"
    return f"{target.price.normalize():f}"


def describe(intent: IntentBase | NotASignal) -> str:
    """``OPEN long SPY 2026-03-21 580C @ 1.25, stop 0.90, targets 1.80``; or ``NOT A SIGNAL (reason)``."""
    if isinstance(intent, NotASignal):
        detail = f": {intent.detail}" if intent.detail else ""
        return f"NOT A SIGNAL ({intent.reason}){detail}"
    kind = getattr(intent, "kind", "?").upper().replace("_", " ")
    head = [kind]
    if intent.side is not None:
        head.append(intent.side.value)
    if isinstance(intent, Trim):
        head.append(f"{intent.fraction.normalize():f} of" if intent.fraction else "part (size not given) of")
    if intent.quantity is not None:
        head.append(f"x{intent.quantity}")
    head.append(describe_instrument(intent.instrument))
    if getattr(intent, "kind", "") in ("open", "add", "exit", "trim"):
        head.append(f"@ {intent.price.normalize():f}" if intent.price is not None else "@ market")
    parts = [" ".join(head)]
    if intent.stop is not None:
        parts.append(_stop(intent.stop))
    if intent.targets:
        parts.append("targets " + " / ".join(_target(t) for t in intent.targets))
    return ", ".join(parts)
