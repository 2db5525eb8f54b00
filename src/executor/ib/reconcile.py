"""Reconciliation: after a reconnect or a restart, IB's orders and executions against ours, by orderRef.

IB is the truth about what happened while we were away; the journal is the truth about what we
asked for. In this order:

1. Orders IB still works are bound to ours again (new library objects after every connect).
2. This client's executions of the day are asked for again (``reqExecutions`` filtered by client
   id); the ones we have not recorded are recorded, once (by ``execId``).
3. An order we thought alive that IB no longer works, and that did not fill, is cancelled in the
   book: IB cancelled it, it expired, or the socket dropped before IB received it.
4. A bracket leg whose entry reached IB without its stop (the socket dropped between them) is
   cancelled at IB: a position must never exist without its broker-side stop.

Nothing is ever placed again: a journaled order IB does not know is recorded as gone, not resent.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..events import ErrorReported
from ..orders import Role, client_id, is_ours
from .compat import IB, Contract, ExecutionFilter, Trade, send_cancel
from .contracts import Contracts, QualificationError
from .tracking import OrderTracker, Tracked
from .translate import WORKING_STATES

UNKNOWN_ORDER = 0  # not an IB code: our own finding, journaled as an error


@dataclass(frozen=True)
class Session:
    """What reconciliation works with: the IB connection, our orders, the contracts, and the filter
    of this client's executions. The session hands it over, so neither module imports the other."""

    ib: IB
    tracker: OrderTracker
    contracts: Contracts
    executions: ExecutionFilter


async def reconcile(session: Session, *, refresh: bool = False) -> None:
    """``refresh``: the socket stayed up (TWS lost IB and got it back, 1100 then 1101/1102), so the
    library has not re-synced: ask for the open orders and the day's executions again."""
    if refresh:
        await session.ib.reqOpenOrdersAsync()
    await session.ib.reqExecutionsAsync(session.executions)  # every reconnect: this client's fills
    open_at_ib = {t.order.orderRef: t for t in session.ib.openTrades() if is_ours(t.order.orderRef)}
    for ref, trade in open_at_ib.items():
        await _rebind(session, ref, trade)
    for fill in sorted(session.ib.fills(), key=lambda f: f.time):
        tracked = session.tracker.orders.get(fill.execution.orderRef)
        if tracked is not None:
            session.tracker.by_ib_id.setdefault(fill.execution.orderId, tracked.order.client_id)
            await _adopt(session, tracked, fill.contract)
            session.tracker.record_fill(fill)
    for tracked in list(session.tracker.orders.values()):
        _settle(session, tracked, open_at_ib.get(tracked.order.client_id))
    for tracked in list(session.tracker.orders.values()):
        _cancel_if_unprotected(session, tracked, open_at_ib)


async def _rebind(session: Session, ref: str, trade: Trade) -> None:
    tracked = session.tracker.orders.get(ref)
    if tracked is None:
        text = f"IB works an autoscalper order the journal does not know ({ref}); left as it is"
        session.tracker.feed.emit(ErrorReported(at=session.tracker.clock(), code=UNKNOWN_ORDER, text=text))
        return
    session.tracker.bind(tracked, trade.order)
    await _adopt(session, tracked, trade.contract)


async def _adopt(session: Session, tracked: Tracked, contract: Contract | None) -> None:
    if tracked.listed is not None or contract is None:
        return
    try:
        tracked.listed = await session.contracts.adopt(tracked.order.instrument, contract)
    except QualificationError as exc:
        cid = tracked.order.client_id
        session.tracker.unable(cid, QualificationError.code, str(exc), warning=False)


def _settle(session: Session, tracked: Tracked, trade: Trade | None) -> None:
    if tracked.status.done:
        return
    if trade is None:
        if tracked.filled < tracked.order.quantity:
            reason = "not working at IB after reconnecting (cancelled, expired, or never received)"
            session.tracker.cancelled(tracked, reason)
    elif trade.orderStatus.status in WORKING_STATES:
        session.tracker.accepted(tracked)


def _cancel_if_unprotected(session: Session, entry: Tracked, open_at_ib: dict[str, Trade]) -> None:
    order = entry.order
    if order.role is not Role.ENTRY or entry.status.done or order.client_id not in open_at_ib:
        return
    stop_id = client_id(order.message_id, order.leg, Role.STOP)
    if stop_id in open_at_ib:
        return
    text = f"{order.client_id} reached IB without its stop (the connection dropped mid-bracket): cancelled"
    session.tracker.unable(order.client_id, UNKNOWN_ORDER, text)
    send_cancel(session.ib, entry.ib_id)
