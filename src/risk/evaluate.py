"""``evaluate``: the gate every intent passes before anything reaches a broker.

Pure and deterministic: the account snapshot, the limits and ``now`` come in as arguments; nothing
is read from a clock, a file or the network. Every rule that fails is listed in the denial.
"""

from __future__ import annotations

from datetime import datetime

from parser import Add, Cancel, Exit, Intent, MoveStop, Open, Trim

from .account import AccountSnapshot, Alert, Position
from .bracket import EntryContext, build_bracket
from .expiry_fill import fill_expiry
from .fx import canonical
from .gates import (
    addable,
    broker_awake,
    day_trade_room,
    matches,
    new_position,
    not_replanned,
    not_stale,
    pace,
    practice_notes,
    state_allows,
    tradable,
)
from .limits import Limits
from .loss import review
from .manage import ManageContext, plan_cancel, plan_exit, plan_move_stop, plan_trim
from .plan import Approved, Denied, PlanDraft, Reason
from .sanity import number_reasons, short_reasons, strike_reasons

Decision = Approved | Denied
# Without these the bracket cannot be priced, so its own checks would only add noise.
_UNPRICEABLE = frozenset(
    {"missing_contract", "missing_expiry", "unsupported_contract", "unsupported_asset", "asset_not_allowed"}
)


def evaluate(
    intent: Intent,
    account: AccountSnapshot,
    limits: Limits,
    now: datetime,
    *,
    alert: Alert,
    target: Position | None = None,
) -> Decision:
    """Approve ``intent`` as a complete order plan, or deny it with every reason.

    ``target`` is the position a management intent (or an add) refers to, resolved by the
    orchestrator from the reply or the author's open positions; None when there is none.
    """
    status = review(account, limits, now)
    reasons = [*state_allows(intent.kind, status), *not_replanned(alert, account)]
    if limits.allowed_kinds is not None and intent.kind not in limits.allowed_kinds:
        kinds = ", ".join(sorted(limits.allowed_kinds))
        detail = f"{intent.kind} is not among the kinds this profile follows ({kinds})"
        return Denied(reasons=(*reasons, Reason(code="kind_not_allowed", detail=detail)))
    numbers = number_reasons(intent)
    if numbers:  # nothing is priced from a number that cannot be one
        return Denied(reasons=(*reasons, *numbers))
    if isinstance(intent, Open | Add):
        return _entry(intent, account, limits, now, alert, target, reasons)
    if target is None or target.exposure == 0:
        return Denied(
            reasons=(*reasons, Reason(code="no_position", detail="no open position matches the message"))
        )
    reasons += matches(intent, target)
    outcome = _manage(intent, ManageContext(target, account, limits, now, alert, status))
    stale = not_stale(alert, limits)  # a late exit still reduces risk: it goes, flagged
    return outcome.decision(reasons, notes=tuple(stale))


def _entry(
    intent: Open | Add,
    account: AccountSnapshot,
    limits: Limits,
    now: datetime,
    alert: Alert,
    target: Position | None,
    reasons: list[Reason],
) -> Decision:
    reasons += not_stale(alert, limits)
    inferred: Reason | None = None
    if isinstance(intent, Add):
        reasons += addable(intent, target, limits)
        if target is None or target.exposure == 0:
            return Denied(reasons=tuple(reasons))
        instrument, side = target.instrument, target.side
    else:
        assert intent.instrument is not None and intent.side is not None  # the parser's open contract
        named, side = canonical(intent.instrument), intent.side  # an alert's GOLD is the XAUUSD IB lists
        intent = intent.model_copy(update={"instrument": named})
        instrument, inferred = fill_expiry(named, limits, now)
        reasons += new_position(intent, account, limits, now)
        reasons += short_reasons(instrument, side, limits)
        reasons += strike_reasons(instrument, account)
    reasons += tradable(instrument, limits, now)
    reasons += pace(account, limits, now, count_open=isinstance(intent, Open))
    reasons += day_trade_room(account, limits)
    reasons += broker_awake(limits, now)
    if any(r.code in _UNPRICEABLE for r in reasons):
        return Denied(reasons=tuple(reasons))
    context = EntryContext(intent, instrument, side, account, limits, now, alert.message_id, target)
    notes = (*([inferred] if inferred else []), *practice_notes(instrument, limits, now))
    return build_bracket(context).decision(reasons, notes=notes)


def _manage(intent: Exit | Trim | MoveStop | Cancel, ctx: ManageContext) -> PlanDraft:
    match intent:
        case Exit():
            return plan_exit(intent, ctx)
        case Trim():
            return plan_trim(intent, ctx)
        case MoveStop():
            return plan_move_stop(intent, ctx)
        case Cancel():
            return plan_cancel(intent, ctx)
