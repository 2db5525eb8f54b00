"""The pipeline: message -> journal -> parser -> reference -> risk -> executor, each step journaled.

A message is journaled with everything it causes, and one that already has a decision is never
decided again (across restarts too: the journal is the memory). Nothing reaches a broker outside the
process before its decision is committed: on the simulator the message, intent, decision, orders and
fills are one commit; on IB the message and decision are committed before the plan is sent, and what
the broker answered is one further commit. A decision that raises leaves its message journaled; a
journal that cannot be written stops the message (``JournalError``) before any order. Broker events
reach the journal through the executor's notices, after the position book applied them; each closing fill
re-reviews the trading state, so the daily loss cap latches (or trips the kill switch) at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache

from pydantic import TypeAdapter

from executor import (
    BrokerEvent,
    Execution,
    Executor,
    KillSwitchEngaged,
    KillSwitchFinished,
    Notice,
    OrderFilled,
    ProtectionNotice,
    TradingResumed,
)
from parser import Instrument, Intent, NotASignal, Open, parse_all
from risk import (
    LOSS_CAP,
    AccountSnapshot,
    Alert,
    Approved,
    BracketPlan,
    Decision,
    EntryRecord,
    Limits,
    OrderPlan,
    Position,
    Quote,
    Reason,
    TradingState,
    evaluate,
    review,
    trading_day,
)
from risk.hours import business_days_from
from risk.plan_line import describe_plan

from .journal import Journal, JournalError
from .messages import BACKFILL, EDIT, LIVE, RULE, TELEGRAM, Message, message_of, part_id
from .profiles import Profile, Profiles
from .resolve import resolve

MISSED = "missed"
PRACTICE = "practice_hours"  # risk's note on an entry decided with TRADING_HOURS=any
PDT_WINDOW_DAYS = 5  # business days
EXPIRY_INFERRED = "expiry_inferred"  # risk's note on an expiry a profile's missing_expiry filled in
_PLANS: TypeAdapter[OrderPlan] = TypeAdapter(OrderPlan)


def load_plan(raw: str) -> OrderPlan:
    """An order plan as the ``decisions`` table holds it."""
    return _PLANS.validate_json(raw)


@dataclass(frozen=True)
class Handled:
    """What became of one message (or edit, delete, command): what the console and summaries show."""

    message_id: str
    kind: str
    verdict: str  # approved | denied | ignored (+ amended, reported for edits)
    reasons: tuple[str, ...] = ()
    detail: str = ""
    execution: str = ""
    more: tuple[Handled, ...] = ()  # the message's further instructions ("trim SPY, stop to BE on QQQ")

    @property
    def parts(self) -> tuple[Handled, ...]:
        """This outcome and its further ones, each on its own."""
        return (replace(self, more=()), *self.more)

    def to_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "kind": self.kind,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Allowlist:
    """Channel and author ids that may trade; empty means any (the Discord source requires them).
    Each message source has its own (``sources.allowlists``): the console's is the trader typing."""

    channels: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()

    def refusal(self, message: Message) -> Reason | None:
        if self.channels and message.followed_channel not in self.channels:
            return Reason(code="channel_not_allowed", detail=f"channel {message.channel_id} is not followed")
        if self.authors and message.author_id not in self.authors:
            return Reason(code="author_not_allowed", detail=f"author {message.author_id} is not followed")
        return None


# Message.source -> who may trade through it. A source with none is not followed at all.
Allowlists = Mapping[str, Allowlist]


def refusal(allow: Allowlists, message: Message) -> Reason | None:
    """Why the message's author or channel may not trade, or None."""
    if message.source == EDIT:
        return None  # an alert amended by its author's edit: the original passed its source's list
    allowlist = allow.get(message.source)
    if allowlist is None:
        return Reason(code="source_not_followed", detail=f"messages from {message.source!r} are not followed")
    return allowlist.refusal(message)


class Pipeline:
    def __init__(
        self,
        journal: Journal,
        executor: Executor,
        limits: Limits,
        *,
        clock: Callable[[], datetime],
        allow: Allowlists,
        profiles: Profiles | None = None,
    ) -> None:
        self.journal, self.executor, self.limits, self.clock, self.allow = (
            journal,
            executor,
            limits,
            clock,
            allow,
        )
        self.profiles = profiles or Profiles()
        self.quotes: dict[str, Quote] = {}
        self.entries: list[EntryRecord] = []  # today's, for pace and duplicates (``restore`` reloads)
        self.references = References(journal)
        self._authors: dict[str, str | None] = {}  # open position -> its alert's author (from the journal)
        # With a market data feed: called with an entry's instrument before it is decided, outside
        # any commit, so the drift check sees the market (``market.MarketData.before_entry``).
        self.before_entry: Callable[[Instrument], Awaitable[None]] | None = None
        # Why a message is not this pipeline's to decide (a shadow profile's: ``shadow.py``).
        self.divert: Callable[[Message], Reason | None] | None = None
        # A confirm profile's approved entry, held for the trader (``confirm.Confirmations``): held,
        # counted as working while it waits, dropped by an exit or cancel.
        self.hold: Callable[[OrderPlan, Handled, int, str], Handled] | None = None
        self.awaiting: Callable[[], tuple[Position, ...]] | None = None
        self.withdraw: Callable[[str, str], bool] | None = None
        # Live: entries on the first live trading day are capped (LIVE_FIRST_DAY_MAX_CONTRACTS).
        self.first_live_day_cap: int | None = None
        executor.subscribe(self._on_notice)

    # ------------------------------------------------------------------ messages

    async def on_message(self, message: Message) -> Handled:
        pending = self._pending(message)
        if not pending:
            self.journal.record_notice(
                "redelivered", self.clock(), f"message {message.id} was already handled"
            )
            return Handled(message.id, "none", "ignored", ("duplicate_delivery",), "already handled")
        return await self._handle(message, pending)

    async def on_intent(self, message: Message, intent: Intent) -> Handled:
        """A message that arrives already read (a webhook's JSON alert): decided as if the parser had
        read ``intent`` from it, once, and only if its source follows it."""
        if self.decided(message.id):
            return Handled(message.id, "none", "ignored", ("duplicate_delivery",), "already handled")
        refused = self._refusal(message)
        return await self._handle(message, [(message.id, refused or intent)])

    async def on_rule(self, message: Message, intent: Intent) -> Handled | None:
        """The bot's own instruction (source ``rule``, replying to the position's alert): journaled,
        decided by risk and executed like an analyst's, once (None: it was decided before)."""
        if self.decided(message.id):
            return None
        return await self._handle(message, [(message.id, intent)])

    def profile_of(self, position: str | None) -> Profile | None:
        """The profile that decided the alert which opened ``position``."""
        return self.profiles.named(self.journal.decision_profile(position))

    def _refusal(self, message: Message) -> Reason | None:
        """Why this pipeline does not decide ``message``: its source does not follow the author or
        channel, or a shadow profile takes it."""
        return refusal(self.allow, message) or (self.divert(message) if self.divert else None)

    def _profile_for(self, message: Message) -> Profile | None:
        """The profile a message is decided with; a rule's is its position's."""
        return self.profile_of(message.reply_to) if message.source == RULE else self.profiles.match(message)

    async def _handle(
        self, message: Message, pending: list[tuple[str, Intent | NotASignal | Reason]]
    ) -> Handled:
        if self.before_entry is not None:
            for _, intent in pending:
                if isinstance(intent, Open) and intent.instrument is not None:
                    await self.before_entry(intent.instrument)
        # With the simulator, the message and everything it causes are one commit: nothing leaves the
        # process before it, and a crash loses the simulator's memory of them too. With a broker
        # outside (IB), the message rides on its first decision's commit, and each decision is
        # committed before its plan is sent, so a crash can never leave an order at the broker that
        # the journal does not know was decided. A commit that holds no signal is not synced to disk
        # (it survives a killed process, not a power cut): the next signal's commit syncs it too.
        durable = any(_is_signal(intent) for _, intent in pending)
        failure: Exception | None = None
        outcomes: list[Handled] = []
        in_process = self.executor.in_process
        with self.journal.transaction(durable=durable) if self._one_commit() else nullcontext():
            if in_process:
                self.journal.record_message(message)
            try:
                for number, (signal_id, intent) in enumerate(pending):
                    carry = message if number == 0 and not in_process else None
                    outcomes.append(await self._decide_and_execute(message, signal_id, intent, carry))
            except JournalError:
                raise
            except Exception as exc:  # the message stays journaled; the caller reports the error
                failure = exc
        if failure is not None:
            raise failure
        first, *more = outcomes
        return replace(first, more=tuple(more)) if more else first

    def _one_commit(self) -> bool:
        """On the simulator, a message and all it causes are one commit, unless the caller already
        holds one open (a replay commits its events in groups)."""
        return self.executor.in_process and not self.journal.in_transaction

    def decided(self, message_id: str) -> bool:
        """The message has a decision: it is never decided again (redelivered, backfilled, restarted)."""
        return self.journal.decided(message_id)

    def _pending(self, message: Message) -> list[tuple[str, Intent | NotASignal | Reason]]:
        """(id, intent) for each instruction of the message not decided yet (all of them unless the
        message was delivered before, or a crash came between two of its instructions). A message
        whose author or channel is not followed is not even parsed: its one "intent" is the refusal."""
        refused = self._refusal(message)
        found: list[tuple[str, Intent | NotASignal | Reason]] = [(message.id, refused)] if refused else []
        if refused is None:
            parsed = parse_all(message.text, message.sent_at)
            found = [(part_id(message.id, n), intent) for n, intent in enumerate(parsed, 1)]
        return [(signal_id, intent) for signal_id, intent in found if not self.decided(signal_id)]

    async def _decide_and_execute(
        self, message: Message, signal_id: str, intent: Intent | NotASignal | Reason, carry: Message | None
    ) -> Handled:
        """Decide one instruction and carry out its plan. ``carry``: the message itself, journaled in
        the decision's commit (a broker outside the process: nothing is journaled around them)."""
        signal = _is_signal(intent)
        # Its own commit on IB (before a plan leaves; synced for a signal); a savepoint for a signal
        # on the simulator, inside the message's commit; chatter's rows ride on that commit.
        own_commit = signal or not self.executor.in_process
        failure: Exception | None = None
        with self.journal.transaction(durable=signal) if own_commit else nullcontext():
            if carry is not None:
                self.journal.record_message(carry)
            try:
                # The decision is a savepoint of its own when the message is journaled with it: a
                # decision that raises (or cannot be journaled) leaves the message journaled.
                with self.journal.transaction() if carry is not None else nullcontext():
                    outcome, plan = await self._decide(message, signal_id, intent)
            except Exception as exc:
                if carry is None:
                    raise
                failure = exc
        if failure is not None:
            raise failure
        if plan is None:
            return outcome
        profile = self._profile_for(message)
        if (
            not isinstance(plan, BracketPlan)
            and self.withdraw is not None
            and self.withdraw(plan.position, signal_id)
        ):
            return replace(outcome, execution="withdrawn")  # it was only held: nothing to close
        confirm = profile is not None and profile.rules.mode == "confirm"
        if confirm and isinstance(plan, BracketPlan) and self.hold is not None and profile is not None:
            return self.hold(plan, outcome, profile.rules.confirm_seconds, profile.name)  # exits never wait
        return await self.execute_approved(plan, outcome)

    async def execute_approved(self, plan: OrderPlan, outcome: Handled) -> Handled:
        """Send an approved plan and journal what the broker answered, in one commit."""
        with self.journal.transaction():
            return await self._execute(plan, outcome)

    async def _decide(
        self, message: Message, signal_id: str, intent: Intent | NotASignal | Reason
    ) -> tuple[Handled, OrderPlan | None]:
        """The decision on one instruction, journaled, and the plan to execute when it is approved."""
        now = self.clock()
        if isinstance(intent, Reason):  # the author or channel is not followed
            return self._record(signal_id, "none", None, ignored=intent), None
        self.journal.record_intent(signal_id, intent)
        if isinstance(intent, NotASignal):
            reason = _chatter(intent.reason, intent.detail)
            return self._record(signal_id, "none", None, ignored=reason), None
        missed = self._missed(message, now)
        if missed is not None:
            return self._record(signal_id, intent.kind, None, ignored=missed), None
        target = None
        if not isinstance(intent, Open):
            found = resolve(intent, message, self._positions(), self.references)
            if found.problem is not None:
                self.references[signal_id] = None
                return self._record(signal_id, intent.kind, None, denied=found.problem), None
            target = found.position
        profile = self._profile_for(message)
        limits = self._first_live_day(profile.limits if profile is not None else self.limits, now)
        account = self.snapshot(signal_id, day_trades=limits.pdt_guard)
        if self.review(now, account):
            account = account.model_copy(update={"status": self.executor.status})
        alert = Alert(
            message_id=signal_id,
            author_id=message.author_id,
            sent_at=message.sent_at,
            received_at=message.received_at,
        )
        decision = evaluate(intent, account, limits, now, alert=alert, target=target)
        self.references[signal_id] = _position_of(decision) or (target.opened_by if target else None)
        outcome = self._record(signal_id, intent.kind, decision, profile=profile.name if profile else None)
        return outcome, decision.plan if isinstance(decision, Approved) else None

    def _first_live_day(self, limits: Limits, now: datetime) -> Limits:
        """On the first live trading day (no approved entry before today in this journal), at most
        LIVE_FIRST_DAY_MAX_CONTRACTS a position, as the setup guides advise."""
        cap = self.first_live_day_cap
        if cap is None:
            return limits
        first = self.journal.first_entry_day()
        if first is not None and first != trading_day(now).isoformat():
            return limits
        return limits.model_copy(
            update={
                "max_contracts": min(limits.max_contracts, cap),
                "default_contracts": min(limits.default_contracts, cap),
            }
        )

    def _missed(self, message: Message, now: datetime) -> Reason | None:
        """A Discord message past MAX_SIGNAL_AGE_SECONDS when it reaches the bot is never traded,
        exits included, whatever brought it (a backfill after a gap, or the events a RESUME
        replays): the market moved on while the bot was away, and the broker-side stops still
        protect what is open. One rule for both, so the same late exit never does two things."""
        if message.source not in (LIVE, BACKFILL, TELEGRAM):
            return None
        age, limit = (now - message.sent_at).total_seconds(), self.limits.max_signal_age.total_seconds()
        if age <= limit:
            return None
        how = "fetched from the channel history" if message.source == BACKFILL else "delivered"
        return Reason(
            code=MISSED,
            detail=f"{how} {age:.0f} s after it was sent (MAX_SIGNAL_AGE_SECONDS {limit:.0f}): "
            "recorded, not traded",
        )

    async def _execute(self, plan: OrderPlan, outcome: Handled) -> Handled:
        execution = await self.executor.execute(plan)
        self._record_execution(execution)
        if isinstance(plan, BracketPlan) and execution.outcome in ("sent", "duplicate"):
            self._entered(plan, self.clock())
        return Handled(
            outcome.message_id,
            outcome.kind,
            outcome.verdict,
            outcome.reasons,
            outcome.detail,
            execution.outcome,
        )

    def _entered(self, plan: BracketPlan, at: datetime) -> None:
        today = trading_day(at)
        if self.entries and trading_day(self.entries[-1].at) != today:
            self.entries.clear()  # only today's entries count toward pace and duplicates
        self.entries.append(
            EntryRecord(
                message_id=plan.message_id,
                instrument=plan.instrument,
                side=plan.side,
                at=at,
                add=plan.add_to is not None,
            )
        )

    def forget_entry(self, message_id: str) -> None:
        self.entries = [e for e in self.entries if e.message_id != message_id]

    # ------------------------------------------------------------------ market and state

    def on_quote(self, key: str, quote: Quote) -> None:
        self.quotes[key] = quote

    def snapshot(self, message_id: str | None = None, *, day_trades: bool = False) -> AccountSnapshot:
        """Risk's view of the account now. Only the message being decided is checked for an earlier
        plan, and only the fills of today (and of the loss cooldown) are passed, so the snapshot does
        not grow with the session."""
        book, now = self.executor.book, self.clock()
        return AccountSnapshot(
            status=self.executor.status,
            positions=self._positions(),
            realized=book.realized_events(since=self.history_from(now)),
            entries=tuple(self.entries),
            planned_message_ids=frozenset(
                {message_id} if message_id and self.journal.approved_plan(message_id) else ()
            ),
            quotes=self.quotes,
            net_liquidation=self.executor.broker.net_liquidation(),
            day_trades=self._day_trades(now) if day_trades else 0,
        )

    def _day_trades(self, now: datetime) -> int:
        """Positions opened and closed on one trading day, in the last five business days."""
        since = business_days_from(trading_day(now), PDT_WINDOW_DAYS)
        return self.journal.day_trades_since(since.isoformat())

    def history_from(self, now: datetime) -> date:
        """The first trading day whose closing fills risk reads at ``now`` (today's P&L and the
        loss cooldown): a restart rebuilds the book from them, not from the whole journal."""
        return trading_day(now - self.limits.loss_cooldown)

    def _planned(self, message_id: str | None) -> frozenset[str]:
        """The message being decided, when a plan was approved for it before (it is never re-planned)."""
        if message_id is None or self.journal.approved_plan(message_id) is None:
            return frozenset()
        return frozenset({message_id})

    def review(self, now: datetime, account: AccountSnapshot | None = None) -> bool:
        """Persist the state that holds now (True if it changed); a loss cap set to halt trips the
        kill switch."""
        account = account or self.snapshot()
        status = review(account, self.limits, now)
        if status == account.status:
            return False
        if status.state is TradingState.HALTED and status.cause == LOSS_CAP:
            self.executor.activate_kill_switch(status.detail, cause=LOSS_CAP)
        else:
            self.journal.record_status(status)
        return True

    def _positions(self) -> tuple[Position, ...]:
        held = (*self.executor.book.risk_positions(), *(self.awaiting() if self.awaiting else ()))
        self._authors = {p.opened_by: self._author(p.opened_by) for p in held}  # the open ones only
        return tuple(p.model_copy(update={"author_id": self._authors[p.opened_by]}) for p in held)

    def _author(self, position: str) -> str | None:
        if position in self._authors:
            return self._authors[position]
        return self.journal.author_of(message_of(position))

    def _on_notice(self, notice: Notice) -> None:
        if isinstance(notice, KillSwitchEngaged):
            self.journal.record_notice("kill_switch_engaged", notice.at, f"{notice.cause}: {notice.reason}")
        elif isinstance(notice, KillSwitchFinished):
            self.journal.record_notice(
                "kill_switch_finished", notice.report.at, "\n".join(notice.report.lines())
            )
        elif isinstance(notice, TradingResumed):
            self.journal.record_notice("trading_resumed", notice.at, f"resumed by {notice.by}")
        elif isinstance(notice, ProtectionNotice):
            self.journal.record_notice(notice.kind, notice.at, notice.line())
        else:
            self._on_broker_event(notice)

    def _on_broker_event(self, event: BrokerEvent) -> None:
        self.journal.record_event(event, self.executor.book)
        if isinstance(event, OrderFilled):
            state = self.executor.book.orders.get(event.client_id)
            if state is not None and not state.order.opens:
                self.review(event.at)

    # ------------------------------------------------------------------ journal rows

    def _record(
        self,
        message_id: str,
        kind: str,
        decision: Decision | None,
        *,
        ignored: Reason | None = None,
        denied: Reason | None = None,
        profile: str | None = None,
    ) -> Handled:
        reasons: tuple[Reason, ...]
        if decision is None:
            reason = ignored or denied
            assert reason is not None
            verdict, reasons, sentence, plan = (
                ("ignored" if ignored else "denied"),
                (reason,),
                reason.detail,
                None,
            )
        elif isinstance(decision, Approved):
            verdict, reasons, plan = "approved", decision.notes, decision.plan
            sentence = describe_plan(plan) + _said(decision.notes)
        else:
            verdict, reasons, sentence, plan = "denied", decision.reasons, decision.sentence, None
        codes = tuple(r.code for r in reasons)
        self.journal.record_decision(
            message_id,
            self.clock(),
            kind=kind,
            verdict=verdict,
            codes=codes,
            sentence=sentence,
            position=self.references.deciding(message_id),
            plan=plan,
            profile=profile,
        )
        return Handled(message_id, kind, verdict, () if verdict == "approved" else codes, sentence)

    def _record_execution(self, execution: Execution) -> None:
        self.journal.record_execution(execution.message_id, self.clock(), execution.outcome, execution.detail)

    # ------------------------------------------------------------------ restart

    def restore(self) -> None:
        """Reload today's entries (pace and duplicates count them). Nothing else is mirrored: the
        references and authors of older messages are read from the journal when a message needs them."""
        for row in self.journal.entries_on(trading_day(self.clock()).isoformat()):
            plan = load_plan(row["plan"])
            if isinstance(plan, BracketPlan):
                self._entered(plan, datetime.fromisoformat(row["at"]))


class References:
    """Signal message id -> the position it opened or acted on (None: none), as the journal's
    decisions hold it; the decision being made is kept here until it is journaled."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._deciding: dict[str, str | None] = {}
        self._read: tuple[str | None, tuple[str | None] | None] = (None, None)

    def __setitem__(self, message_id: str, position: str | None) -> None:
        self._deciding, self._read = {message_id: position}, (None, None)

    def __contains__(self, message_id: object) -> bool:
        return isinstance(message_id, str) and self._lookup(message_id) is not None

    def __getitem__(self, message_id: str) -> str | None:
        found = self._lookup(message_id)
        if found is None:
            raise KeyError(message_id)
        return found[0]

    def _lookup(self, message_id: str) -> tuple[str | None] | None:
        """(position) or None; a reply asks ``in`` then ``[]``: one journal read answers both."""
        if message_id in self._deciding:
            return (self._deciding[message_id],)
        if self._read[0] != message_id:
            self._read = (message_id, self.journal.reference(message_id))
        return self._read[1]

    def deciding(self, message_id: str) -> str | None:
        """The position of the decision being made on ``message_id`` (None: none, or not set)."""
        return self._deciding.get(message_id)


@lru_cache(maxsize=512)
def _chatter(code: str, detail: str) -> Reason:
    """Why a message is not a signal: the same few reasons, over and over, in a busy channel."""
    return Reason(code=code, detail=detail)


def _said(notes: tuple[Reason, ...]) -> str:
    """Said in the decision's sentence (journal, table, console, notices): the market was closed;
    the expiry was the bot's, not the analyst's."""
    said = " [practice: the market is closed]" if any(n.code == PRACTICE for n in notes) else ""
    inferred = next((n for n in notes if n.code == EXPIRY_INFERRED), None)
    return said + (f" [expiry inferred: {inferred.detail.split(': ', 1)[1]}]" if inferred else "")


def _is_signal(intent: Intent | NotASignal | Reason) -> bool:
    """An instruction to trade (not chatter, not a refused author or channel)."""
    return not isinstance(intent, NotASignal | Reason)


def _position_of(decision: Decision) -> str | None:
    if not isinstance(decision, Approved):
        return None
    plan = decision.plan
    if isinstance(plan, BracketPlan):
        return plan.add_to or plan.message_id
    return plan.position
