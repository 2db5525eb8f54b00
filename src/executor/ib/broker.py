"""``IBBroker``: the executor's ``Broker`` on Interactive Brokers, through ib_async (docs/orders.md).

- Connection: ``connectAsync`` with a timeout, then the account check is the guard's (paper must be
  a ``DU`` account). The library paces requests under 45 messages a second. A dropped socket, or
  TWS losing IB (1100), is reported at once (``ConnectionLost``: the executor sends nothing until
  ``ConnectionRestored``); the socket is reconnected with exponential backoff (tenacity), and
  before trading resumes the orders and executions IB holds are reconciled with ours by
  ``orderRef`` (``reconcile.py``): fills made while we were away are recorded once, nothing is
  placed twice, a bracket that reached IB incomplete is cancelled.
- Brackets: one group per leg (entry, target, stop), the entry and target sent with
  ``transmit=False`` and the stop with ``transmit=True``, back to back, so TWS releases the group
  only once the stop exists. A market entry is a ``MKT`` parent.
- Modifications resend the order with the same id (``parentId=0`` once the entry has filled: IB
  no longer knows the parent, error 135); cancels wait for TWS's confirmation.
- Every request returns IB's answer, or a refusal after ``ack_timeout`` seconds without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from decimal import Decimal
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from risk.hours import in_window, parse_hours

from ..book import PositionBook
from ..broker import Ack, BrokerSnapshot, BrokerUnavailable, EventFeed, EventHandler, WorkingOrder
from ..events import ConnectionLost, ConnectionRestored, ErrorReported
from ..orders import Bracket, Order, OrderStatus, OrderType
from .compat import (
    IB,
    LIBRARY,
    Contract,
    ExecutionFilter,
    Fill,
    IBOrder,
    Trade,
    global_cancel,
    send_cancel,
    send_order,
)
from .connection import IBConfig, open_connection
from .contracts import Contracts, Listed, QualificationError
from .reconcile import Session, reconcile
from .tracking import OrderTracker, Tracked
from .translate import (
    CONNECTIVITY_LOST,
    CONNECTIVITY_RESTORED,
    FARM_OK_CODES,
    GONE_CODES,
    decimal,
    ib_order,
    is_warning,
    on_ladder,
    set_price,
)

PACING_LIMIT = 45  # messages per second; IB closes connections above 50
NOT_FOUND = 10147
NOT_MODIFIABLE = 104
NOT_CANCELLABLE = 10148

Answer = tuple[str, asyncio.Future[Ack]]  # a client order id and IB's answer to come
logging.getLogger(LIBRARY).addHandler(logging.NullHandler())  # the journal has it; no stderr noise


class IBBroker:
    """Implements ``Broker`` on a TWS or IB Gateway session."""

    in_process = False

    def __init__(self, config: IBConfig, clock: Callable[[], datetime], ib: IB | None = None) -> None:
        self.config = config
        self.ib = ib or IB()
        self.account = ""
        self._clock = clock
        self._feed = EventFeed()
        self.contracts = Contracts(self.ib, config.ack_timeout)
        self.tracker = OrderTracker(self._feed, clock, send_cancel=lambda ib_id: send_cancel(self.ib, ib_id))
        self._online = False
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None
        self.connect_errors: list[tuple[int, str]] = []
        self.ib.openOrderEvent += self._on_open_order
        self.ib.orderStatusEvent += self._on_status
        self.ib.execDetailsEvent += self._on_execution
        self.ib.commissionReportEvent += self._on_commission
        self.ib.errorEvent += self._on_error
        self.ib.disconnectedEvent += self._on_disconnected

    # -- Broker ------------------------------------------------------------------------------------

    async def connect(self) -> str:
        if not self.ib.isConnected():
            await self._open()
            self._online = True
        return self.account

    def subscribe(self, handler: EventHandler) -> None:
        self._feed.subscribe(handler)

    async def place_bracket(self, bracket: Bracket) -> Ack:
        self._require_online()
        first = bracket.orders[0].client_id
        if any(order.client_id in self.tracker.orders for order in bracket.orders):
            return Ack(client_id=first, accepted=True, duplicate=True)
        try:
            listed = await self.contracts.qualify(bracket.legs[0].entry.instrument)
        except QualificationError as exc:
            refusals = [self.tracker.refuse(order, exc.code, str(exc)) for order in bracket.orders]
            return refusals[0]  # every order is journaled as rejected; the answer names the entry
        answers = []
        for leg in bracket.legs:
            answers += self._place_group(listed, [on_ladder(order, listed) for order in leg.orders])
        return _first_refusal(first, await self._answers(answers))

    async def place_close(self, order: Order) -> Ack:
        self._require_online()
        if order.client_id in self.tracker.orders:
            return Ack(client_id=order.client_id, accepted=True, duplicate=True)
        try:
            listed = self.contracts.cached(order.instrument) or await self.contracts.qualify(order.instrument)
        except QualificationError as exc:
            return self.tracker.refuse(order, exc.code, str(exc))
        [answer] = self._place_group(listed, [on_ladder(order, listed)])  # a protective stop has a price
        [ack] = await self._answers([answer])
        return ack

    async def modify(
        self, client_id: str, *, quantity: int | None = None, price: Decimal | None = None
    ) -> Ack:
        self._require_online()
        tracked = self.tracker.orders.get(client_id)
        if tracked is None or tracked.placed is None or tracked.listed is None:
            return self.tracker.unable(client_id, NOT_FOUND, "order not found at IB")
        if tracked.status.done:
            return self.tracker.unable(client_id, NOT_MODIFIABLE, f"order is {tracked.status}", warning=False)
        wanted = tracked.order.model_copy(
            update={"quantity": quantity or tracked.order.quantity, "price": price or tracked.order.price}
        )
        wanted = on_ladder(wanted, tracked.listed)
        ack = await self._resend(tracked, wanted)
        if ack.accepted:
            self.tracker.modified(tracked, wanted.quantity, wanted.price)
        return ack

    async def cancel(self, client_id: str) -> Ack:
        self._require_online()
        tracked = self.tracker.orders.get(client_id)
        if tracked is None or tracked.placed is None:
            return self.tracker.unable(client_id, NOT_FOUND, "order not found at IB")
        if tracked.status is OrderStatus.FILLED:
            return self.tracker.unable(client_id, NOT_CANCELLABLE, "order already filled")
        if tracked.status.done:
            return Ack(client_id=client_id, accepted=True)
        answer = (client_id, self.tracker.expect(client_id, "cancel"))
        send_cancel(self.ib, tracked.ib_id)
        [ack] = await self._answers([answer])
        return ack

    async def cancel_all(self) -> None:
        self._require_online()
        global_cancel(self.ib)

    def net_liquidation(self) -> Decimal | None:
        """From the account updates the library keeps after connecting (``NetLiquidation``)."""
        for value in self.ib.accountValues(self.account):
            if value.tag == "NetLiquidation" and value.currency not in ("", "BASE") and value.value:
                return Decimal(value.value)
        return None

    def snapshot(self) -> BrokerSnapshot:
        positions: dict[str, int] = {}
        for held in self.ib.positions():
            key = self.contracts.key_of(held.contract.conId) or held.contract.localSymbol
            positions[key] = positions.get(key, 0) + int(held.position)
        working = tuple(
            WorkingOrder(order=t.order, status=t.status, filled=t.filled)
            for t in self.tracker.orders.values()
            if not t.status.done
        )
        return BrokerSnapshot(
            account=self.account,
            connected=self._online,
            positions={key: qty for key, qty in positions.items() if qty},
            working=working,
        )

    async def recover(self, book: PositionBook) -> None:
        """After a restart: the journal's orders become ours again, then IB's view is reconciled."""
        for state in book.orders.values():
            if state.order.client_id not in self.tracker.orders:
                self.tracker.track(Tracked(state.order, state.status, state.filled))
        self.tracker.seen_fills |= {fill.fill_id for fill in book.fills}
        await reconcile(self._session())

    async def shutdown(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        self.ib.disconnect()

    # -- requests ----------------------------------------------------------------------------------

    def _place_group(self, listed: Listed, orders: list[Order]) -> list[Answer]:
        """One bracket leg (or a lone order), back to back: TWS holds the group until the last."""
        answers = []
        parent_id = 0
        for number, order in enumerate(orders, start=1):
            tracked = self.tracker.submitted(order, listed)
            placed = ib_order(
                order, account=self.account, transmit=number == len(orders), parent_id=parent_id
            )
            answers.append((order.client_id, self.tracker.expect(order.client_id, "place")))
            self.ib.placeOrder(listed.contract, placed)
            self.tracker.bind(tracked, placed)
            parent_id = parent_id or placed.orderId
        return answers

    async def _resend(self, tracked: Tracked, wanted: Order) -> Ack:
        placed = tracked.placed
        assert placed is not None and tracked.listed is not None
        before = (placed.totalQuantity, placed.lmtPrice, placed.auxPrice, placed.parentId)
        placed.totalQuantity = wanted.quantity
        set_price(placed, wanted.order_type, wanted.price)
        placed.transmit = True
        parent = self.tracker.orders.get(tracked.order.parent or "")
        if parent is not None and parent.filled > 0:
            placed.parentId = 0  # IB forgets a filled parent: error 135 otherwise
        cid = tracked.order.client_id
        answer = (cid, self.tracker.expect(cid, "modify", lambda seen: _matches(seen, wanted)))
        send_order(self.ib, tracked.listed.contract, placed)
        [ack] = await self._answers([answer])
        if not ack.accepted:
            placed.totalQuantity, placed.lmtPrice, placed.auxPrice, placed.parentId = before
        return ack

    async def _answers(self, answers: list[Answer]) -> list[Ack]:
        """IB's answers, in order. Every answer is read (none is left to fail unseen); a placement IB
        did not answer in time is looked up before it is called refused."""
        done, _ = await asyncio.wait([future for _, future in answers], timeout=self.config.ack_timeout)
        errors = [f.exception() for f in done if not f.cancelled()]  # reading each marks it seen
        lost = next((error for error in errors if error is not None), None)
        acks = []
        for client_id, future in answers:
            if future not in done:
                future.cancel()
                acks.append(await self._unanswered(client_id))
            elif lost is None:
                acks.append(future.result())
        if lost is not None:
            raise lost  # the connection went: BrokerUnavailable, after every answer was read
        return acks

    async def _unanswered(self, client_id: str) -> Ack:
        """No answer within ``ack_timeout``: ask IB for its open orders and the day's executions, and
        find the order by ``orderRef``. Working or filled there, it was accepted; else refused."""
        tracked = self.tracker.orders.get(client_id)
        text = f"IB did not answer within {self.config.ack_timeout:g} s and does not know the order"
        if tracked is None or not self.ib.isConnected():
            return Ack(client_id=client_id, accepted=False, text=text)
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(self.config.ack_timeout):
                await self.ib.reqOpenOrdersAsync()
                await self.ib.reqExecutionsAsync(self.executions_filter())
        found = self.tracker.look_up(tracked, self.ib.openTrades(), self.ib.fills())
        if found:
            return Ack(client_id=client_id, accepted=True, text="found at IB after a late answer")
        self.tracker.give_up(tracked, text)
        return Ack(client_id=client_id, accepted=False, text=text)

    def executions_filter(self) -> ExecutionFilter:
        """This client's executions only: another bot on the same gateway has its own journal."""
        return ExecutionFilter(clientId=self.config.client_id)

    def _session(self) -> Session:
        return Session(self.ib, self.tracker, self.contracts, self.executions_filter())

    def _require_online(self) -> None:
        if not self._online:
            raise BrokerUnavailable("not connected to IB: nothing is sent until the connection is back")

    # -- connection --------------------------------------------------------------------------------

    async def _open(self) -> None:
        self.connect_errors = []
        await open_connection(self.ib, self.config, self.connect_errors)
        self.ib.client.MaxRequests = PACING_LIMIT
        self.account = self._pick_account(self.ib.managedAccounts())

    def _pick_account(self, accounts: list[str]) -> str:
        wanted = self.config.account
        if wanted:
            if wanted not in accounts:
                self.ib.disconnect()
                raise BrokerUnavailable("IBKR_ACCOUNT is not one of the accounts this login manages")
            return wanted
        if len(accounts) != 1:
            self.ib.disconnect()
            raise BrokerUnavailable(f"this login manages {len(accounts)} accounts: set IBKR_ACCOUNT to one")
        return accounts[0]

    def _on_disconnected(self) -> None:
        if self._closing:
            return
        self._went_offline("the socket to TWS/Gateway closed")
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = self._background(self._reconnect())

    def _went_offline(self, detail: str) -> None:
        was_online, self._online = self._online, False
        self.tracker.abandon(f"connection to IB lost: {detail}")
        if was_online:
            now = self._clock()
            expected = self.config.maintenance is not None and in_window(
                now, parse_hours(self.config.maintenance)
            )
            self._feed.emit(ConnectionLost(at=now, detail=detail, expected=expected))

    async def _reconnect(self) -> None:
        """Until connected and reconciled, or shut down: a failed reconciliation is retried too."""
        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=self.config.backoff, max=self.config.backoff_max),
            retry=retry_if_exception_type((ConnectionError, TimeoutError, OSError)),
        )
        async for attempt in retrying:
            with attempt:
                if self._closing:
                    return
                if not self.ib.isConnected():
                    await self._open()
                await self._back_online("reconnected")

    def _background(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A task whose failure is reported as an error event: a reconnection never dies silently."""
        task = asyncio.get_running_loop().create_task(work)
        task.add_done_callback(self._report_failure)
        return task

    def _report_failure(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        text = f"reconnecting to IB stopped: {task.exception()!r}; trading stays paused until a restart"
        self._feed.emit(ErrorReported(at=self._clock(), code=0, text=text))

    async def _back_online(self, detail: str, *, refresh: bool = False) -> None:
        await reconcile(self._session(), refresh=refresh)
        self._online = True
        self._feed.emit(ConnectionRestored(at=self._clock(), detail=detail))

    # -- TWS's messages ----------------------------------------------------------------------------

    def _on_open_order(self, trade: Trade) -> None:
        self.tracker.on_open_order(trade.order)

    def _on_status(self, trade: Trade) -> None:
        if trade.log and trade.log[-1].errorCode:
            return  # the library's own guess after an error; the error itself is handled below
        tracked = self.tracker.find(trade.order.orderId, trade.order.orderRef)
        if tracked is not None:
            self.tracker.on_status(tracked, trade.orderStatus.status)

    def _on_execution(self, trade: Trade, fill: Fill) -> None:
        self.tracker.on_execution(fill)

    def _on_commission(self, trade: Trade, fill: Fill, report: object) -> None:
        if self.tracker.has_unpriced(fill.execution.execId):
            self.tracker.record_fill(fill)

    def _on_error(self, req_id: int, code: int, text: str, contract: Contract | None = None) -> None:
        self.connect_errors.append((code, text))
        if code in FARM_OK_CODES:
            return
        tracked = self.tracker.find(req_id) if req_id > 0 else None
        if tracked is not None:
            warning = is_warning(code) or code in GONE_CODES
            self.tracker.on_error(tracked, code, text, warning=warning)
        elif req_id == -1:
            self._on_system(code, text)

    def _on_system(self, code: int, text: str) -> None:
        if code == CONNECTIVITY_LOST:
            self._went_offline(f"{code} {text}")
        elif code in CONNECTIVITY_RESTORED and not self._online and self.ib.isConnected():
            self._background(self._back_online(f"{code} {text}", refresh=True))
        # 1100 and its recovery happen every night: journaled and acted on, never counted as errors.
        warning = is_warning(code) or code in CONNECTIVITY_RESTORED or code == CONNECTIVITY_LOST
        self._feed.emit(ErrorReported(at=self._clock(), code=code, text=text, warning=warning))


def _first_refusal(client_id: str, acks: list[Ack]) -> Ack:
    refused = next((ack for ack in acks if not ack.accepted), None)
    if refused is None:
        return Ack(client_id=client_id, accepted=True)
    return refused.model_copy(update={"client_id": client_id})


def _matches(seen: IBOrder, wanted: Order) -> bool:
    """TWS echoes a modification in its openOrder: the quantity and price we asked for (a trailing
    stop's price is IB's own, moving with the market: its quantity is what was asked)."""
    if wanted.trail is not None:
        return int(seen.totalQuantity) == wanted.quantity
    price = seen.auxPrice if wanted.order_type is OrderType.STOP else seen.lmtPrice
    return int(seen.totalQuantity) == wanted.quantity and (
        wanted.price is None or decimal(price) == wanted.price
    )
