"""``Executor``: the one gateway between approved plans and the broker.

Every plan passes the same checks before a request leaves: the broker connected and its account
accepted by the paper/live guard, the persisted trading state (defence in depth behind risk: while
halted only cancels and full exits pass, while reducing no entry does), and the plan not already
executed. Broker events update the position book first, then count toward the error limit, then
reach the subscribers (the journal), so a subscriber always sees the book after the event.

No held contract is left without a broker-side stop (``protect.py``): after a management plan that
failed or whose closing order ended short, after a closing order that ends short later, after a
restart and after a reconnect, what is uncovered gets a stop again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any

from risk import (
    BracketPlan,
    ExitPlan,
    OrderPlan,
    StopPlan,
    TradingState,
    TradingStatus,
    TrimPlan,
)

from .book import PositionBook
from .broker import Broker, BrokerUnavailable
from .events import (
    BrokerEvent,
    ConnectionLost,
    ConnectionRestored,
    ErrorReported,
    OrderCancelled,
    OrderRejected,
)
from .guard import AccountGuard
from .kill import (
    BROKER_ERRORS,
    KILL_SWITCH,
    ErrorBudget,
    KillReport,
    KillSwitch,
    KillSwitchEngaged,
    KillSwitchFinished,
    TradingResumed,
    resumed,
)
from .lifecycle import Execution, Lifecycle
from .orders import OrderStatus, client_id
from .protect import ProtectionNotice, Protector, ended_short, short_close_text
from .runner import KillSwitchRun, home_loop, on_other_thread
from .state import StateStore

RECONNECTED = "on reconnecting to the broker"
Notice = BrokerEvent | KillSwitchEngaged | KillSwitchFinished | TradingResumed | ProtectionNotice
NoticeHandler = Callable[[Notice], None]


class Executor:
    def __init__(
        self,
        broker: Broker,
        state: StateStore,
        *,
        clock: Callable[[], datetime],
        guard: AccountGuard | None = None,
        errors: ErrorBudget | None = None,
        kill_timeout: float = 10.0,
    ) -> None:
        self.broker, self.state, self.clock = broker, state, clock
        self.guard = guard or AccountGuard()
        self.book = PositionBook()
        self.errors = errors or ErrorBudget()
        self.account: str | None = None
        self.connected = False
        self.kill_timeout = kill_timeout
        self._protector = Protector(broker, self.book, state, clock, self._notify)
        self._kill = KillSwitch(
            broker, self.book, state, clock, timeout=kill_timeout, protect=self._protector.protect
        )
        self._background: set[asyncio.Task[object]] = set()
        self._acting: set[str] = set()  # positions a plan is being carried out on right now
        self._lifecycle = Lifecycle(broker, self.book)
        self._handlers: list[NoticeHandler] = []
        self._executed: set[str] = set()
        self._rejected: set[str] = set()
        self.last_kill: KillSwitchRun | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        broker.subscribe(self._on_event)

    async def start(self) -> str:
        """Connect, and refuse (``ModeMismatch``) an account the mode may not trade."""
        account = await self.broker.connect()
        self.guard.check(account)
        self.account, self.connected, self._loop = account, True, home_loop()
        return account

    async def recover(self, events: Iterable[BrokerEvent]) -> int:
        """After a restart: rebuild the book from the journaled ``events``, without notifying anyone
        or counting old errors, then let the broker reconcile against it. Returns the events applied."""
        count = 0
        for event in events:
            self.book.apply(event)
            count += 1
        self._executed.update(state.order.message_id for state in self.book.orders.values())
        self._rejected.update(
            s.order.message_id for s in self.book.orders.values() if s.status is OrderStatus.REJECTED
        )
        await self.broker.recover(self.book)
        await self._protector.protect_all("found without a broker-side stop when the bot started")
        return count

    def forget_closed(self) -> int:
        """Let the book drop the positions that are over (the orchestrator calls it between
        messages): never one a plan is acting on, nor while the kill switch runs."""
        if self._kill.running:
            return 0
        return self.book.forget_closed(keep=self._acting)

    def subscribe(self, handler: NoticeHandler) -> None:
        """``handler`` gets every broker event (after the book applied it) and every kill/resume."""
        self._handlers.append(handler)

    @property
    def in_process(self) -> bool:
        """The broker is the simulator (see ``Broker.in_process``)."""
        return self.broker.in_process

    @property
    def status(self) -> TradingStatus:
        return self.state.trading_status()

    async def execute(self, plan: OrderPlan) -> Execution:
        """Send ``plan`` to the broker, unless a check refuses it; broker trouble is a failed Execution."""
        refusal = self._refusal(plan)
        if refusal:
            return Execution(message_id=plan.message_id, kind=plan.kind, outcome="refused", detail=refusal)
        if self._already_executed(plan):
            return Execution(
                message_id=plan.message_id, kind=plan.kind, outcome="duplicate", detail="already executed"
            )
        self._executed.add(plan.message_id)
        position = plan.add_to if isinstance(plan, BracketPlan) else plan.position
        self._acting.add(position or plan.message_id)
        try:
            execution = await self._dispatch(plan)
        except (BrokerUnavailable, ConnectionError, TimeoutError) as exc:
            self._count_error(self.clock())
            execution = Execution(
                message_id=plan.message_id, kind=plan.kind, outcome="failed", detail=str(exc)
            )
        finally:
            self._acting.discard(position or plan.message_id)
        if not isinstance(plan, BracketPlan):
            execution = await self._protect_after(plan, execution)
        return execution

    async def _protect_after(self, plan: OrderPlan, execution: Execution) -> Execution:
        """A management plan failed halfway, or its closing order already ended short: whatever is
        held without a stop gets one back."""
        assert not isinstance(plan, BracketPlan)
        close = client_id(plan.message_id, "close")
        if execution.outcome == "failed":
            failed = f"the {plan.kind} of message {plan.message_id} failed ({execution.detail})"
        elif ended_short(self.book, close):
            failed = short_close_text(self.book.orders[close])
        else:
            return execution
        notice = await self._protector.protect(plan.position, failed)
        if notice is None:
            return execution
        return execution.model_copy(update={"detail": f"{execution.detail}; {notice.line()}".lstrip("; ")})

    def activate_kill_switch(
        self, reason: str, flatten: bool = True, *, cause: str = KILL_SWITCH
    ) -> KillSwitchRun:
        """Halt now (persisted before this returns), then cancel everything and flatten.

        Works however it is called: inside the bot's event loop it runs as a task (await the result
        for the report); from a console thread it runs on the bot's loop and waits; with no loop at
        all it runs to completion. Calling it again is safe: there is nothing left to cancel or close.
        """
        if on_other_thread(self._loop):  # the journal and the book belong to the bot's thread
            work = self._kill_switch(reason, cause, flatten)
        else:
            work = self._run_kill(reason, cause, flatten, self._engage(reason, cause))
        self.last_kill = KillSwitchRun(work, self._loop)
        return self.last_kill

    def resume(self, by: str = "console") -> TradingStatus:
        """The only way back to ``active``: a person decides to trade again."""
        status = resumed(by, self.clock())
        self.state.record_status(status)
        self.errors.reset()
        self._notify(TradingResumed(at=status.since or self.clock(), by=by))
        return status

    def _engage(self, reason: str, cause: str) -> bool:
        already = self._kill.engage(reason, cause)
        self._notify(KillSwitchEngaged(at=self.clock(), reason=reason, cause=cause))
        return already

    async def _kill_switch(self, reason: str, cause: str, flatten: bool) -> KillReport:
        return await self._run_kill(reason, cause, flatten, self._engage(reason, cause))

    async def _run_kill(self, reason: str, cause: str, flatten: bool, already: bool) -> KillReport:
        report = await self._kill.run(reason, cause, flatten=flatten, already_halted=already)
        self._notify(KillSwitchFinished(report=report))
        return report

    def _refusal(self, plan: OrderPlan) -> str:
        if not self.connected:
            return "the broker is not connected: nothing is sent until it is"
        state = self.status.state
        if isinstance(plan, BracketPlan) and state is not TradingState.ACTIVE:
            return f"trading is {state}: no new entries"
        if state is TradingState.HALTED:
            return "trading is halted: the kill switch cancels and flattens, alerts send nothing"
        if not isinstance(plan, BracketPlan) and plan.position not in self.book.holdings:
            return f"no position opened by {plan.position} in the book"
        if isinstance(plan, BracketPlan) and plan.add_to and plan.add_to not in self.book.holdings:
            return f"no position opened by {plan.add_to} to add to"
        return ""

    def _already_executed(self, plan: OrderPlan) -> bool:
        if plan.message_id in self._executed:
            return True
        ids = self.book.orders
        if isinstance(plan, BracketPlan):
            return client_id(plan.message_id, 1, "entry") in ids
        return client_id(plan.message_id, "close") in ids

    async def _dispatch(self, plan: OrderPlan) -> Execution:
        if isinstance(plan, BracketPlan):
            return await self._lifecycle.open(plan)
        holding = self.book.holdings[plan.position]
        if isinstance(plan, ExitPlan):
            return await self._lifecycle.exit(plan, holding)
        if isinstance(plan, TrimPlan):
            return await self._lifecycle.trim(plan, holding)
        if isinstance(plan, StopPlan):
            return await self._lifecycle.move_stop(plan, holding)
        return await self._lifecycle.cancel(plan, holding)

    def _on_event(self, event: BrokerEvent) -> None:
        self.book.apply(event)
        if isinstance(event, ConnectionLost | ConnectionRestored):
            self.connected = isinstance(event, ConnectionRestored)
        self._notify(event)
        if self._counts_as_error(event):
            self._count_error(event.at)
        if isinstance(event, OrderRejected | OrderCancelled) and ended_short(self.book, event.client_id):
            self._protect_later(event)
        elif isinstance(event, ConnectionRestored) and home_loop() is not None and not self._kill.running:
            failed = f"found without a broker-side stop {RECONNECTED}"
            self._in_background(self._protector.protect_all(failed, busy=self._acting))

    def _protect_later(self, event: OrderRejected | OrderCancelled) -> None:
        """A closing order ended short after its request returned (IB cancelled the rest, a late
        rejection): protect on the loop. The kill switch protects what its own flattening leaves."""
        state = self.book.orders[event.client_id]
        if self._kill.running or state.order.position in self._acting or home_loop() is None:
            return  # the plan or the kill switch in progress protects when it ends
        self._in_background(self._protector.protect(state.order.position, short_close_text(state)))

    def _in_background(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _counts_as_error(self, event: BrokerEvent) -> bool:
        if isinstance(event, ErrorReported):
            return not event.warning
        return isinstance(event, OrderRejected) and self._first_rejection(event.client_id)

    def _first_rejection(self, order_id: str) -> bool:
        """A rejected bracket is one rejection, not one per order: count each message once."""
        state = self.book.orders.get(order_id)
        message = state.order.message_id if state else order_id
        if message in self._rejected:
            return False
        self._rejected.add(message)
        return True

    def _count_error(self, at: datetime) -> None:
        if self.errors.record(at) and self.status.state is not TradingState.HALTED:
            minutes = self.errors.window / timedelta(minutes=1)
            reason = f"{self.errors.limit} broker errors or rejections within {minutes:g} minutes"
            self.activate_kill_switch(reason, cause=BROKER_ERRORS)

    def _notify(self, notice: Notice) -> None:
        for handler in self._handlers:
            handler(notice)
