"""``Orchestrator``: the running bot. Journal, executor and pipeline wired from the settings.

``orchestrator.executor.activate_kill_switch("manual stop")`` is the Python kill switch. ``start``
connects the broker through the paper/live guard, rebuilds the position book from the journal (and
the simulator's working orders with it), reloads what the pipeline remembers, and then honours any
console command written while nothing ran: the latched state is already in the journal, and a kill
still pending is carried out (cancel and flatten) before the first message is read.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path

from executor import Broker, Executor, PositionBook, mask
from parser import Intent, parse
from risk import Quote, TradingState, trading_day
from risk.hours import warm_up

from . import calendar_cache, edits
from .build import build_executor, quote_feed
from .confirm import Confirmations
from .control import ControlResult, Controls
from .journal import Journal, JournalError
from .management import Management
from .market import MarketData, QuoteFeed, feed_quote
from .messages import Delete, Edit, Message
from .pipeline import Allowlists, Handled, Pipeline
from .profiles import Profiles, load_profiles
from .redact import redact_logs
from .registry import Ownership
from .settings import Settings
from .shadow import Shadow, shadow_path, shadowed

CONTROL_POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 60  # a running bot journals one this often; `status` calls it stalled after 3
HEARTBEAT, SESSION = "heartbeat", "session"  # the notices' kinds
WARM_UP_ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90"


def wall_clock() -> datetime:
    return datetime.now(UTC)


class Orchestrator:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        executor: Executor,
        *,
        allow: Allowlists,
        clock: Callable[[], datetime] = wall_clock,
        profiles: Profiles | None = None,
    ) -> None:
        self.settings, self.journal, self.executor, self.clock = settings, journal, executor, clock
        self.pipeline = Pipeline(
            journal, executor, settings.limits(), clock=clock, allow=allow, profiles=profiles
        )
        self.controls = Controls(journal, executor, settings, clock)
        self._checkpoint_day: date | None = None
        self.ownership: Ownership | None = None
        self.market: MarketData | None = None  # QUOTE_SOURCE's prices for the simulator (``attach``)
        self.management = Management(self.pipeline, clock)  # profiles' position rules
        self.shadow: Shadow | None = None  # shadow profiles' messages, simulated apart (``shadow.py``)
        self.readiness_skipped: str | None = None  # a live start's --skip-readiness reason
        self.heartbeats = False  # `run` only: a replay's clock is not a process that may stall
        self.announcements: list[Callable[[str], None]] = []  # the daily session line's listeners
        self._beat: datetime | None = None
        self.confirmations = Confirmations(self.pipeline, clock)  # confirm profiles' held entries
        self.pipeline.hold = self.confirmations.hold
        self.pipeline.awaiting = self.confirmations.awaiting
        self.pipeline.withdraw = self.confirmations.withdraw
        self.controls.approver = self.confirmations.approve

    def attach(self, feed: QuoteFeed) -> MarketData:
        """Trade the simulator on ``feed``'s quotes: entries wait for their first quote, and what is
        working or held streams (``market.MarketData``)."""
        self.market = MarketData(feed, self.on_quote, self._books, self.journal, self.clock)
        self.pipeline.before_entry = self.market.before_entry
        if self.shadow is not None:
            self.shadow.pipeline.before_entry = self.market.before_entry
        return self.market

    def on_quote(self, key: str, quote: Quote) -> None:
        """The market moved: risk's view and the simulator's matching, the shadow's too."""
        feed_quote(self.pipeline, self.executor, key, quote)
        if self.shadow is not None:
            self.shadow.on_quote(key, quote)

    @property
    def managements(self) -> list[Management]:
        return [self.management] + ([self.shadow.management] if self.shadow is not None else [])

    def _books(self) -> list[PositionBook]:
        return [self.executor.book] + ([self.shadow.executor.book] if self.shadow is not None else [])

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        command: str,
        allow: Allowlists,
        clock: Callable[[], datetime] = wall_clock,
        journal_path: Path | None = None,
        broker: Broker | None = None,
        durable: bool = True,
    ) -> Orchestrator:
        """The orchestrator the settings describe, journaling into ``journal_path`` (default: the
        settings' journal for the mode). Raises ``ProfileError`` (before anything is opened),
        ``JournalError``, ``BrokerUnavailable``, ``ModeMismatch``."""
        redact_logs(settings.secret_values())
        profiles = load_profiles(settings)
        calendar_cache.install()
        path = journal_path or settings.journal_path()
        ownership = Ownership(path, command=command, mode=settings.mode)  # one trader per journal
        try:
            journal = Journal(path, durable=durable)
            journal.start_run(
                command,
                version=version("autoscalper"),
                mode=settings.mode,
                broker=settings.BROKER,
                settings=settings.redacted(),
            )
            executor = build_executor(settings, journal, clock, broker=broker)
        except BaseException:
            ownership.release()
            raise
        orchestrator = cls(settings, journal, executor, allow=allow, clock=clock, profiles=profiles)
        orchestrator.ownership = ownership
        orchestrator.heartbeats = command == "run"
        if not settings.PAPER_MODE:
            orchestrator.pipeline.first_live_day_cap = settings.LIVE_FIRST_DAY_MAX_CONTRACTS
        if any(profile.rules.mode == "shadow" for profile in profiles.profiles):
            shadow = Shadow.open(
                settings, shadow_path(path), clock=clock, allow=allow, profiles=profiles, durable=durable
            )
            orchestrator.shadow = shadow
            orchestrator.pipeline.divert = lambda message: shadowed(profiles, message)
        feed = quote_feed(settings, clock) if broker is None else None  # a replay brings its quotes
        if feed is not None:
            orchestrator.attach(feed)
        return orchestrator

    async def start(self) -> list[ControlResult]:
        """Connect, recover from the journal, and carry out console commands left pending."""
        account = await self.executor.start()
        since = self.pipeline.history_from(self.clock())
        restored = await self.executor.recover(self.journal.recovery_events(since))
        self.pipeline.restore()
        self.journal.record_notice(
            "started", self.clock(), f"account {mask(account)}; {restored} journaled broker events restored"
        )
        self.checkpoint()
        self.announce_session()
        self._heartbeat()
        if self.shadow is not None:
            await self.shadow.start()
        if self.market is not None:
            await self.market.start()
        warm_up((self.clock().year,))
        parse(WARM_UP_ALERT, self.clock())  # loads the grammar now, not on the first alert (~65 ms)
        return await self.controls.pending()

    async def poll(self) -> list[ControlResult]:
        """Between messages, several times a second: console commands latched by other processes,
        a checkpoint when a new trading day began, and the positions that are over let go."""
        if trading_day(self.clock()) != self._checkpoint_day:
            self.checkpoint()
            self.announce_session()
        self._heartbeat()
        self.executor.forget_closed()  # what is over is in the journal; memory stays flat
        await self.management.fire_timers()  # time exits due, and rules set off by fills meanwhile
        self.confirmations.expire_due()
        if self.shadow is not None:
            await self.shadow.poll()
        if self.market is not None:
            await self.market.follow()
        return await self.controls.pending()

    def _heartbeat(self) -> None:
        """Once a minute while `run` runs: `status` tells a live bot from a stalled one by its age."""
        now = self.clock()
        if not self.heartbeats or (
            self._beat is not None and (now - self._beat).total_seconds() < HEARTBEAT_SECONDS
        ):
            return
        self._beat = now
        self.journal.record_notice(HEARTBEAT, now, f"trading {self.trading_state}")

    def announce_session(self) -> None:
        """A new trading day (or a start): the bot is alive, its mode, state and open positions."""
        if not self.heartbeats:
            return
        held = [f"{h.quantity} {h.key}" for h in self.executor.book.open_holdings() if h.quantity]
        line = (
            f"autoscalper alive for {trading_day(self.clock())}: {self.settings.mode}, trading "
            f"{self.trading_state}, {len(held)} open position(s){': ' + ', '.join(held) if held else ''}"
        )
        self.journal.record_notice(SESSION, self.clock(), line)
        for listener in self.announcements:
            listener(line)

    def checkpoint(self) -> None:
        """What the next start replays from: the positions open or working now (``recovery_events``)."""
        now = self.clock()
        self.journal.record_checkpoint(now, self.executor.book.live_positions())
        self._checkpoint_day = trading_day(now)

    # ------------------------------------------------------------------ inputs

    async def on_message(self, message: Message, intent: Intent | None = None) -> Handled:
        """Decide a message (``intent``: already read by its source, as a webhook's JSON alert);
        a shadow profile's goes to the shadow too, and the console line says what it did."""
        self.journal.check_identity()  # nothing is decided into a journal nobody reads
        if intent is None:
            outcome = await self.pipeline.on_message(message)
        else:
            outcome = await self.pipeline.on_intent(message, intent)
        if self.shadow is not None and self.shadow.takes(message):
            simulated = await self.shadow.on_message(message, intent)
            outcome = replace(outcome, detail=f"shadow: {simulated.verdict}: {simulated.detail}")
        await self.settle()
        if self.market is not None:
            await self.market.follow()
        return outcome

    async def on_edit(self, edit: Edit) -> Handled:
        self.journal.check_identity()
        simulated = await self.shadow.on_edit(edit) if self.shadow is not None else None
        if simulated is not None:
            return simulated
        outcome = await edits.on_edit(self.pipeline, edit, amend=self.settings.AMEND_ON_EDIT)
        await self.settle()
        return outcome

    def on_delete(self, delete: Delete) -> Handled:
        self.journal.check_identity()
        simulated = self.shadow.on_delete(delete) if self.shadow is not None else None
        return simulated or edits.on_delete(self.pipeline, delete)

    async def settle(self) -> None:
        """Wait for a kill switch that a fill (loss cap) or an error count set off, then carry out
        the position rules the fills set off (``management.py``)."""
        run = self.executor.last_kill
        if run is not None and not run.done:
            await run
        await self.management.run()

    @property
    def trading_state(self) -> TradingState:
        return self.executor.status.state

    async def shutdown(self) -> None:
        """Disconnect the broker (working orders stay there, stops included), checkpoint, then close
        the journal. A journal that cannot take the checkpoint still closes: the next start replays
        from the one before."""
        try:
            if self.market is not None:
                await self.market.close()
            await self.executor.broker.shutdown()
            with suppress(JournalError):
                self.journal.check_identity()
                self.checkpoint()
        finally:
            self.close()

    def close(self) -> None:
        try:
            self.journal.close()
            if self.shadow is not None:
                self.shadow.close()
        finally:
            if self.ownership is not None:
                self.ownership.release()
                self.ownership = None
