"""A fake TWS / IB Gateway on loopback that speaks the real wire protocol (the TWS API's messages).

ib_async connects to it over a real socket, so the IB adapter is tested through the real library:
handshake, the connect-time sync, contract details and market rules, order placement with TWS's
transmit staging (a bracket goes live when its last child arrives with ``transmit``), modification,
cancels that cascade to children, global cancel, fills driven by quotes (the paper simulator's
rules: limits at their price, stops at theirs, market orders at the touch) with execDetails,
orderStatus, commission reports and position updates, and one-cancels-other between children.

Test hooks inject what a real gateway does on a bad day: a rejection (of the next order, or of the
next order of one kind, such as a lone closing order), a partial fill, a dropped
socket, refused connections, a read-only API, a client id in use, a silent (API disabled) port,
system codes such as 1100, delayed or missing market data. Orders and executions outlive the
connection, so a reconnecting client gets them back from reqOpenOrders and reqExecutions.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from . import wire
from .listings import RULES, Listings, Request, commission, on_ladder
from .wire import Contract, Trailing, WireOrder

NOT_FOUND_TEXT = "No security definition has been found for the request"
READ_ONLY_TEXT = "Error validating request.-'bN' : cause - The API interface is currently in Read-Only mode."
CLIENT_ID_TEXT = "Unable to connect as the client id is already in use. Retry with a unique client id."
# orderPlace fields after whatIf for a plain order: misc options, solicited, randomize x2, no conditions,
# 19 adjusted/soft-dollar/mifid fields, duration, postToAts, autoCancelParent, override, manual time.
WHAT_IF_FROM_END = 30
# placeOrder fields of a plain order (no combo legs, algo or conditions) at server version 176, as the
# TWS API's EClient lays them out: trailStopPrice and trailingPercent after referencePriceType; the
# adjusted-order fields (adjustedOrderType, triggerPrice, lmtPriceOffset, adjustedStopPrice,
# adjustedStopLimitPrice, adjustedTrailingAmount, adjustableTrailingUnit) after the conditions count.
TRAIL_STOP_PRICE, TRAILING_PERCENT = 69, 70
ADJUSTED_TYPE, TRIGGER_PRICE, ADJUSTED_STOP, ADJUSTED_TRAILING, ADJUSTABLE_UNIT = 91, 92, 94, 96, 97


@dataclass
class Received:
    at: float
    client_id: int | None
    fields: list[str]

    @property
    def msg_id(self) -> int:
        return int(self.fields[0])


@dataclass
class Execution:
    order: WireOrder
    exec_id: str
    at: int
    shares: Decimal
    price: Decimal
    commission: Decimal
    cum_qty: Decimal
    avg_price: Decimal


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    client_id: int | None = None
    positions: bool = False
    data_type: int = 1  # what reqMarketDataType asked for: 1 live, 2 frozen, 3 delayed, 4 delayed frozen
    tickers: dict[int, int] = field(default_factory=dict)  # market data request id -> contract id

    def send(self, fields: list[object]) -> None:
        if not self.writer.is_closing():
            self.writer.write(wire.frame(fields))


@dataclass
class FakeTWS:
    """Start with ``await start()``; ``port`` is then where it listens on 127.0.0.1."""

    accounts: tuple[str, ...] = ("DU1234567",)
    listings: Listings = field(default_factory=Listings)
    read_only: bool = False
    silent: bool = False  # accepts TCP, never answers the API handshake (API disabled, dialog pending)
    refusing: bool = False  # accepts and closes at once (down, restarting)
    market_data: str = "live"  # live | frozen | delayed | none | no_delayed | silent
    net_liquidation: Decimal | None = Decimal("100000")  # sent with the account updates (None: not)
    auto_fill: bool = False  # limit entries fill at their limit when no quote was ever seen
    auto_fill_delay: float = 0.0  # ...that many seconds later (IB's time, not the client's)
    reject_next: tuple[int, str] | None = None
    rejections: list[tuple[Callable[[WireOrder], bool], int, str]] = field(default_factory=list)
    partial_next: Decimal | None = None
    cut_short_next: Decimal | None = None  # the next execution fills this much, and IB cancels the rest
    orphans_stay: bool = False  # children of a rejected parent stay live: the client must cancel them
    warn_next: tuple[int, str] | None = None  # a warning about the next order, which stays live
    mute_next: bool = False  # the next order is taken and works, but no message about it is sent
    swallow_next: bool = False  # the next order is lost on the way: never recorded, never answered
    drop_after_orders: int | None = None  # drop the socket once this many new orders arrived
    port: int = 0
    received: list[Received] = field(default_factory=list)
    orders: dict[tuple[int, int], WireOrder] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    positions: dict[int, Decimal] = field(default_factory=dict)
    quotes: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    last: dict[int, Decimal] = field(default_factory=dict)
    _sessions: set[_Session] = field(default_factory=set)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _perm: int = 9000
    _new_orders: int = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.writer.transport.abort()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    # -- test hooks ---------------------------------------------------------------------------------

    def quote(self, con_id: int, bid: Decimal, ask: Decimal) -> None:
        """The market for ``con_id`` is now ``bid``/``ask``: ticks go to every client subscribed to it."""
        self.quotes[con_id] = (bid, ask)
        for session in self._sessions:
            for req_id, subscribed in session.tickers.items():
                if subscribed == con_id:
                    self._send_ticks(session, req_id, con_id)
        self._match(con_id)

    def reject(self, when: Callable[[WireOrder], bool], code: int, text: str) -> None:
        """The next new order ``when`` accepts is rejected (a close refused while its bracket went)."""
        self.rejections.append((when, code, text))

    def fill(self, order_ref: str, quantity: Decimal, price: Decimal) -> None:
        """Execute ``quantity`` of the working order tagged ``order_ref`` at ``price``."""
        order = self.by_ref(order_ref)
        self._execute(order, quantity, price)
        self._match(order.contract.con_id)

    def by_ref(self, order_ref: str) -> WireOrder:
        return next(o for o in self.orders.values() if o.order_ref == order_ref)

    def drop_connections(self) -> None:
        for session in list(self._sessions):
            session.writer.transport.abort()

    def system(self, code: int, text: str) -> None:
        """A message for every client, not about an order (1100 connectivity lost, 1102 restored)."""
        for session in self._sessions:
            session.send(wire.error(-1, code, text))

    def messages(self, msg_id: int) -> list[Received]:
        return [r for r in self.received if r.msg_id == msg_id]

    def working(self) -> list[WireOrder]:
        return [o for o in self.orders.values() if not o.done]

    @property
    def connected_clients(self) -> int:
        return sum(1 for s in self._sessions if s.client_id is not None)

    # -- the socket ---------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            if self.refusing:
                return
            await self._handshake(reader, session)
            if self.silent:
                await reader.read()
                return
            self._sessions.add(session)
            while True:
                body = await _read_message(reader)
                fields = wire.split(body)
                self.received.append(Received(time.monotonic(), session.client_id, fields))
                if not self._dispatch(session, fields):
                    return
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            self._sessions.discard(session)
            writer.close()

    async def _handshake(self, reader: asyncio.StreamReader, session: _Session) -> None:
        prefix = await reader.readexactly(len(wire.HANDSHAKE_PREFIX))
        if prefix != wire.HANDSHAKE_PREFIX:
            raise ConnectionError("not an API client")
        await _read_message(reader)  # "v157..178": any range that includes 176 is fine
        if not self.silent:
            session.send([wire.SERVER_VERSION, time.strftime("%Y%m%d %H:%M:%S EST")])

    def _dispatch(self, session: _Session, f: list[str]) -> bool:
        """Handle one client message; False closes the connection."""
        handler = self._handlers().get(int(f[0]))
        if handler is None:
            return True
        return handler(session, f) is not False

    def _handlers(self) -> dict[int, Callable[[_Session, list[str]], bool | None]]:
        return {
            71: self._start_api, 61: self._req_positions, 5: self._req_open_orders,
            16: self._req_open_orders, 99: lambda s, f: s.send([102]),
            6: self._req_account_updates, 76: lambda s, f: s.send([74, 1, f[2]]),
            7: self._req_executions, 9: self._req_contract_details, 91: self._req_market_rule,
            49: lambda s, f: s.send([49, 1, int(time.time())]), 8: self._req_ids,
            1: self._req_market_data, 2: self._cancel_market_data, 59: self._req_market_data_type,
            3: self._place_order, 4: self._cancel_order, 58: lambda s, f: self._global_cancel(),
        }  # fmt: skip

    # -- connect-time sync --------------------------------------------------------------------------

    def _start_api(self, session: _Session, f: list[str]) -> bool:
        client_id = int(f[2])
        if any(s.client_id == client_id for s in self._sessions if s is not session):
            session.send(wire.error(-1, 326, CLIENT_ID_TEXT))
            return False
        session.client_id = client_id
        self._req_ids(session, f)
        session.send([15, 1, ",".join(self.accounts)])
        for code, text in ((2104, "Market data farm connection is OK:usfarm"),
                           (2106, "HMDS data farm connection is OK:ushmds")):  # fmt: skip
            session.send(wire.error(-1, code, text))
        return True

    def _req_account_updates(self, session: _Session, f: list[str]) -> None:
        """reqAccountUpdates ``6, 2, subscribe, account``: updateAccountValue ``6, 2, key, value,
        currency, account`` for each value, then accountDownloadEnd."""
        account = f[3]
        if self.net_liquidation is not None:
            session.send([6, 2, "NetLiquidation", self.net_liquidation, "USD", account])
        session.send([54, 1, account])

    def _req_ids(self, session: _Session, f: list[str]) -> None:
        mine = [oid for (cid, oid) in self.orders if cid == session.client_id]
        session.send([9, 1, max(mine, default=0) + 1])

    def _req_positions(self, session: _Session, f: list[str]) -> None:
        session.positions = True
        for con_id, quantity in self.positions.items():
            session.send(
                wire.position(self.accounts[0], self.listings.contracts[con_id], quantity, Decimal(0))
            )
        session.send([62, 1])

    def _req_open_orders(self, session: _Session, f: list[str]) -> None:
        for order in self.orders.values():
            if not order.done and (f[0] == "16" or order.client_id == session.client_id):
                session.send(wire.open_order(order))
                session.send(wire.order_status(order))
        session.send([53, 1])

    def _req_executions(self, session: _Session, f: list[str]) -> None:
        req_id, client_filter = int(f[2]), int(f[3] or 0)  # ExecutionFilter.clientId: 0 means every client
        for ex in self.executions:
            if client_filter and ex.order.client_id != client_filter:
                continue
            order = _as_of(ex)
            session.send(wire.exec_details(req_id, order, ex.exec_id, str(ex.at), ex.shares, ex.price))
            session.send(wire.commission_report(ex.exec_id, ex.commission))
        session.send([55, 1, req_id])

    def _req_contract_details(self, session: _Session, f: list[str]) -> None:
        req_id = int(f[2])
        request = Request(
            con_id=int(f[3] or 0), symbol=f[4], sec_type=f[5], expiry=f[6], strike=Decimal(f[7] or 0),
            right=f[8], exchange=f[10], trading_class=f[14], currency=f[12],
        )  # fmt: skip
        found = self.listings.resolve(request)
        if not found:
            session.send(wire.error(req_id, 200, NOT_FOUND_TEXT))
            return
        for contract, sec_type in found:
            session.send(wire.contract_details(req_id, contract, sec_type))
        session.send([52, 1, req_id])

    def _req_market_rule(self, session: _Session, f: list[str]) -> None:
        rule = int(f[1])
        session.send(wire.market_rule(rule, RULES[rule]))

    def _req_market_data(self, session: _Session, f: list[str]) -> None:
        """reqMktData ``1, 11, reqId, <12 contract fields>, ...``: what TWS answers for the data the
        login has (TWS API docs, market_data_type.html and message_codes.html)."""
        req_id, con_id = int(f[2]), int(f[3] or 0)
        if self.market_data == "silent":
            return
        if self.market_data == "none":
            session.send(wire.error(req_id, 354, "Requested market data is not subscribed."))
            return
        if self.market_data == "no_delayed":
            text = "Requested market data is not subscribed. Delayed market data is not enabled."
            session.send(wire.error(req_id, 10168, text))
            return
        if self.market_data == "delayed":
            text = "Requested market data is not subscribed. Displaying delayed market data."
            session.send(wire.error(req_id, 10167, text))
        session.tickers[req_id] = con_id
        session.send([58, 1, req_id, self._data_type()])
        self._send_ticks(session, req_id, con_id)

    def _data_type(self) -> int:
        return {"delayed": 3, "frozen": 2}.get(self.market_data, 1)

    def _send_ticks(self, session: _Session, req_id: int, con_id: int) -> None:
        """tickPrice ``1, 6, reqId, tickType, price, size, attrMask`` for the bid and the ask; delayed
        data uses the delayed tick types (66 bid, 67 ask) instead of 1 and 2."""
        quote = self.quotes.get(con_id)
        if quote is None:
            return
        delayed = self._data_type() == 3
        for (live_type, delayed_type), price in zip(((1, 66), (2, 67)), quote, strict=True):
            session.send([1, 6, req_id, delayed_type if delayed else live_type, price, 10, 0])

    def _cancel_market_data(self, session: _Session, f: list[str]) -> None:
        session.tickers.pop(int(f[2]), None)

    def _req_market_data_type(self, session: _Session, f: list[str]) -> None:
        session.data_type = int(f[2])

    def subscribed(self) -> set[int]:
        """Contract ids some client streams market data for."""
        return {con_id for session in self._sessions for con_id in session.tickers.values()}

    # -- orders -------------------------------------------------------------------------------------

    def _place_order(self, session: _Session, f: list[str]) -> bool:
        order_id, client_id = int(f[1]), session.client_id or 0
        if self.read_only:
            session.send(wire.error(order_id, 321, READ_ONLY_TEXT))
            return True
        contract = self.listings.contracts.get(int(f[2] or 0))
        if f[-WHAT_IF_FROM_END] == "1":
            if contract is not None:
                session.send(wire.open_order(self._order(session, f, contract), what_if=True))
            return True
        existing = self.orders.get((client_id, order_id))
        if existing is not None:
            self._modify(session, existing, f)
            return True
        if contract is None:
            session.send(wire.error(order_id, 200, NOT_FOUND_TEXT))
            return True
        order = self._order(session, f, contract)
        self._new_orders += 1
        if self.swallow_next:
            self.swallow_next = False
            return True
        if self._refused(session, order):
            return True
        self.orders[(client_id, order_id)] = order
        if self.warn_next is not None:
            session.send(wire.error(order_id, *self.warn_next))
            self.warn_next = None
        if self.drop_after_orders is not None and self._new_orders >= self.drop_after_orders:
            self.drop_after_orders = None
            session.writer.transport.abort()
            return False
        if order.transmit:
            muted, self.mute_next = self.mute_next, False
            self._transmit(order, silent=muted)
        return True

    def _order(self, session: _Session, f: list[str], contract: Contract) -> WireOrder:
        self._perm += 1
        parent = int(f[28] or 0)
        return WireOrder(
            order_id=int(f[1]), client_id=session.client_id or 0, perm_id=self._perm, contract=contract,
            action=f[16], quantity=Decimal(f[17]), order_type=f[18], limit=_price(f[19]), aux=_price(f[20]),
            tif=f[21], account=f[23] or self.accounts[0], order_ref=f[26], transmit=f[27] == "1",
            parent_id=parent, group=parent or int(f[1]), trail=_trailing(f),
        )  # fmt: skip

    def _refused(self, session: _Session, order: WireOrder) -> bool:
        """Rejections on arrival: an injected one, an off-ladder price, a child of a rejected parent."""
        problem: tuple[int, str] | None = None
        aimed = next((rule for rule in self.rejections if rule[0](order)), None)
        if self.reject_next is not None:
            problem, self.reject_next = self.reject_next, None
        elif aimed is not None:
            self.rejections.remove(aimed)
            problem = aimed[1:]
        elif not all(on_ladder(order.contract.rule, p) for p in (order.limit, order.aux) if p is not None):
            problem = (110, "The price does not conform to the minimum price variation for this contract.")
        parent = self.orders.get((order.client_id, order.parent_id))
        if problem is None and parent is not None and parent.status == "Inactive" and not self.orphans_stay:
            order.status = "Cancelled"
            self.orders[(order.client_id, order.order_id)] = order
            session.send(wire.order_status(order))
            return True
        if problem is None:
            return False
        order.status = "Inactive"
        self.orders[(order.client_id, order.order_id)] = order
        session.send(wire.error(order.order_id, *problem))
        return True

    def _modify(self, session: _Session, order: WireOrder, f: list[str]) -> None:
        parent_id = int(f[28] or 0)
        parent = self.orders.get((order.client_id, parent_id))
        if order.done:
            session.send(wire.error(order.order_id, 104, f"Cannot modify an order that is {order.status}."))
        elif parent is not None and parent.status == "Filled":
            session.send(wire.error(order.order_id, 135, f"Can't find order with id ={parent_id}"))
        else:
            limit, aux = _price(f[19]), _price(f[20])
            if not all(on_ladder(order.contract.rule, p) for p in (limit, aux) if p is not None):
                text = "The price does not conform to the minimum price variation for this contract."
                session.send(wire.error(order.order_id, 110, text))
                return
            order.quantity, order.limit, order.aux, order.parent_id = Decimal(f[17]), limit, aux, parent_id
            self._report(order)
            self._match(order.contract.con_id)

    def _transmit(self, last: WireOrder, *, silent: bool = False) -> None:
        """The group's last order arrived with transmit: every held order of the group goes live
        (``silent``: without telling the client, as when TWS's answer is lost)."""
        group = [o for o in self.orders.values() if o.group == last.group and o.client_id == last.client_id]
        for order in sorted(group, key=lambda o: o.order_id):
            if order.status != "PendingSubmit":
                continue
            parent = self.orders.get((order.client_id, order.parent_id))
            order.status = "PreSubmitted" if parent is not None and parent.status != "Filled" else "Submitted"
            if not silent:
                self._report(order, with_open_order=True)
        self._match(last.contract.con_id)

    def _cancel_order(self, session: _Session, f: list[str]) -> None:
        order_id = int(f[2])
        order = self.orders.get((session.client_id or 0, order_id))
        if order is None:
            text = f"OrderId {order_id} that needs to be cancelled is not found."
            session.send(wire.error(order_id, 10147, text))
        elif order.done:
            text = (
                f"OrderId {order_id} that needs to be cancelled cannot be cancelled, state: {order.status}."
            )
            session.send(wire.error(order_id, 10148, text))
        else:
            self._cancel(order, "")

    def _global_cancel(self) -> None:
        for order in self.working():
            self._cancel(order, "")

    def _cancel(self, order: WireOrder, reason: str) -> None:
        if order.done:
            return
        order.status = "Cancelled"
        self._report(order)
        self._to_owner(order, wire.error(order.order_id, 202, f"Order Canceled - reason:{reason}"))
        for child in self._children(order):
            if order.filled == 0:
                self._cancel(child, "parent cancelled")

    def _children(self, parent: WireOrder) -> list[WireOrder]:
        return [
            o for o in self.orders.values()
            if o.group == parent.order_id != o.order_id and o.client_id == parent.client_id
        ]  # fmt: skip

    # -- the market ---------------------------------------------------------------------------------

    def _match(self, con_id: int) -> None:
        if self.auto_fill and self.auto_fill_delay and con_id not in self.quotes:
            asyncio.get_running_loop().call_later(self.auto_fill_delay, self._match_now, con_id)
            return
        self._match_now(con_id)

    def _match_now(self, con_id: int) -> None:
        progress = True
        while progress:
            progress = False
            for order in sorted(self.working(), key=lambda o: o.order_id):
                if order.contract.con_id != con_id or order.status != "Submitted":
                    continue
                price = self._fill_price(order)
                if price is not None:
                    self._execute(order, order.remaining, price)
                    progress = True
                    break

    def _fill_price(self, order: WireOrder) -> Decimal | None:
        quote = self.quotes.get(order.contract.con_id)
        if quote is None:
            return self._auto_fill_price(order) if self.auto_fill else None
        bid, ask = quote
        buying = order.action == "BUY"
        touched = ask if buying else bid
        if order.order_type == "MKT":
            return touched
        if order.order_type == "LMT" and order.limit is not None:
            crossed = touched <= order.limit if buying else touched >= order.limit
            return order.limit if crossed else None
        if order.trail is not None:  # a trailing stop follows the market, then triggers at its stop
            order.trail.follow(not buying, touched)
            stop = (
                order.aux if order.trail.trigger is not None and order.aux is not None else order.trail.stop
            )
            crossed = touched >= stop if buying else touched <= stop
            return stop if crossed else None
        if order.order_type == "STP" and order.aux is not None:
            crossed = touched >= order.aux if buying else touched <= order.aux
            return order.aux if crossed else None
        return None

    def _auto_fill_price(self, order: WireOrder) -> Decimal | None:
        """No market data: an entry limit fills at its limit, a market order at the last trade."""
        if order.order_type == "LMT" and order.group == order.order_id:
            return order.limit
        if order.order_type == "MKT":
            return self.last.get(order.contract.con_id)
        return None

    def _execute(self, order: WireOrder, quantity: Decimal, price: Decimal) -> None:
        cut_short = self.cut_short_next is not None
        if self.partial_next is not None:
            quantity, self.partial_next = min(quantity, self.partial_next), None
        if self.cut_short_next is not None:
            quantity, self.cut_short_next = min(quantity, self.cut_short_next), None
        cost = order.avg_price * order.filled + price * quantity
        order.filled += quantity
        order.avg_price = cost / order.filled
        order.last_price = self.last[order.contract.con_id] = price
        order.status = "Filled" if order.remaining == 0 else "Submitted"
        ex = Execution(
            order, f"0000e0d5.{len(self.executions) + 1:08x}.01.01", int(time.time()), quantity, price,
            commission(order.contract, quantity, price), order.filled, order.avg_price,
        )  # fmt: skip
        self.executions.append(ex)
        self._to_owner(order, wire.exec_details(-1, _as_of(ex), ex.exec_id, str(ex.at), quantity, price))
        self._report(order)
        self._to_owner(order, wire.commission_report(ex.exec_id, ex.commission))
        self._move_position(order, quantity)
        if order.status == "Filled":
            self._after_fill(order)
        elif cut_short:
            self._cancel(order, "the rest of the order could not be filled")

    def _move_position(self, order: WireOrder, quantity: Decimal) -> None:
        con_id = order.contract.con_id
        signed = quantity if order.action == "BUY" else -quantity
        self.positions[con_id] = self.positions.get(con_id, Decimal(0)) + signed
        message = wire.position(order.account, order.contract, self.positions[con_id], order.avg_price)
        for session in self._sessions:
            if session.positions:
                session.send(message)

    def _after_fill(self, order: WireOrder) -> None:
        if order.group == order.order_id:  # a parent: its children go live
            for child in self._children(order):
                if child.status == "PreSubmitted":
                    child.status = "Submitted"
                    self._report(child)
            return
        parent = self.orders.get((order.client_id, order.group))
        siblings = self._children(parent) if parent is not None else []
        for sibling in siblings:  # one-cancels-other within the bracket
            if sibling.order_id != order.order_id:
                self._cancel(sibling, "OCA group cancelled")

    def _report(self, order: WireOrder, *, with_open_order: bool = True) -> None:
        if with_open_order:
            self._to_owner(order, wire.open_order(order))
        self._to_owner(order, wire.order_status(order))

    def _to_owner(self, order: WireOrder, fields: list[object]) -> None:
        for session in self._sessions:
            if session.client_id == order.client_id:
                session.send(fields)


def _as_of(ex: Execution) -> WireOrder:
    """The order as it stood right after this execution (cumQty and average price then)."""
    snapshot = WireOrder(**{**ex.order.__dict__})
    snapshot.filled, snapshot.avg_price = ex.cum_qty, ex.avg_price
    return snapshot


def _trailing(f: list[str]) -> Trailing | None:
    if f[18] == "TRAIL":
        percent = _price(f[TRAILING_PERCENT])
        return Trailing(
            stop=Decimal(f[TRAIL_STOP_PRICE]), percent=percent, amount=None if percent else _price(f[20])
        )
    if f[18] == "STP" and len(f) > ADJUSTABLE_UNIT and f[ADJUSTED_TYPE] == "TRAIL":
        value = Decimal(f[ADJUSTED_TRAILING])
        by_percent = f[ADJUSTABLE_UNIT] == "1"
        return Trailing(
            stop=Decimal(f[ADJUSTED_STOP] or f[20]), amount=None if by_percent else value,
            percent=value if by_percent else None, trigger=_price(f[TRIGGER_PRICE]),
        )  # fmt: skip
    return None


def _price(text: str) -> Decimal | None:
    return Decimal(text) if text else None


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    (size,) = struct.unpack(">I", await reader.readexactly(4))
    return await reader.readexactly(size)


@contextlib.asynccontextmanager
async def running(gateway: FakeTWS | None = None):  # type: ignore[no-untyped-def]
    """``async with running() as tws``: a started fake gateway, stopped afterwards."""
    tws = gateway or FakeTWS()
    await tws.start()
    try:
        yield tws
    finally:
        await tws.stop()
