"""A profile's position rules, carried out as the bot's own instructions (docs/profiles.md).

- ``breakeven_after_target``: when a target leg fills and contracts are still held, the stop of the
  rest moves to the entry price.
- Time exits, for a position held: ``flatten_at`` (a New York time of day, on the day of the first
  fill), ``max_hold_minutes`` (after the first fill) and ``flatten_before_close_minutes`` (before the
  regular close of the instrument's class that day, half days included; a 0DTE option under a profile
  gets 15 when the profile does not say). The first that comes due closes the whole position.

Each rule's instruction is a message from source ``rule`` replying to the position's alert (id
``<position>~<rule>``): journaled, decided by risk and executed like an analyst's, once. Breakeven
fires from fills; time exits from the clock: the run loop's poll, or in a replay the simulated clock,
stopped at each rule's instant before the next event (``SessionSource``), so a replay does what a live
run would have done, at the same times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from executor import Holding, Notice, OrderFilled, Role
from parser import Asset, BreakevenStop, Exit, Intent, MoveStop
from risk.hours import NEW_YORK, new_york_day, regular_close

from .messages import RULE, Message
from .pipeline import Handled, Pipeline
from .profiles import Profile

BREAKEVEN = "breakeven"
ZERO_DTE_CLOSE_MINUTES = 15  # a profile's 0DTE options leave this long before their class closes


@dataclass(frozen=True)
class Timer:
    at: datetime
    position: str
    rule: str
    text: str


class Management:
    def __init__(self, pipeline: Pipeline, clock: Callable[[], datetime]) -> None:
        self.pipeline, self.clock = pipeline, clock
        self._due: dict[str, tuple[str, Intent, str]] = {}  # rule message id -> (position, intent, text)
        self._fired: set[str] = set()  # positions whose time exit went (whatever came of it)
        self._profiles: dict[str, Profile | None] = {}
        pipeline.executor.subscribe(self._on_notice)

    async def run(self) -> list[Handled]:
        """Carry out the rules that fired since the last call."""
        done = []
        while self._due:
            message_id = next(iter(self._due))
            position, intent, text = self._due.pop(message_id)
            now = self.clock()
            message = Message(
                id=message_id, text=text, sent_at=now, received_at=now, reply_to=position, source=RULE
            )
            handled = await self.pipeline.on_rule(message, intent)
            if handled is not None:
                done.append(handled)
        return done

    def next_timer(self) -> datetime | None:
        """When the next time exit comes due (a replay stops its clock there)."""
        return min((timer.at for timer in self._timers()), default=None)

    async def fire_timers(self) -> list[Handled]:
        """Every time exit due by now, then any rule they set off."""
        now = self.clock()
        for timer in sorted(self._timers(), key=lambda t: t.at):
            if timer.at <= now and timer.position not in self._fired:
                self._fired.add(timer.position)
                self._due[f"{timer.position}~{timer.rule}"] = (timer.position, Exit(), timer.text)
        return await self.run()

    def _timers(self) -> Iterator[Timer]:
        if not self.pipeline.profiles:
            return  # only profiles have time exits: nothing to look at, event after event
        holdings = self.pipeline.executor.book.open_holdings()
        held = {holding.position for holding in holdings}
        self._fired &= held  # what is closed needs no memory
        self._profiles = {p: profile for p, profile in self._profiles.items() if p in held}
        for holding in holdings:
            if holding.quantity <= 0 or holding.position in self._fired:
                continue
            profile = self._profile(holding.position)
            if profile is not None:
                yield from _timers_of(holding, profile)

    def _profile(self, position: str) -> Profile | None:
        if position not in self._profiles:
            self._profiles[position] = self.pipeline.profile_of(position)
        return self._profiles[position]

    def _on_notice(self, notice: Notice) -> None:
        if not isinstance(notice, OrderFilled):
            return
        book = self.pipeline.executor.book
        state = book.orders.get(notice.client_id)
        if state is None or state.order.role is not Role.TARGET:
            return
        position = state.order.position
        if not any(h.position == position and h.quantity > 0 for h in book.open_holdings()):
            return  # the target closed it all: nothing left to protect
        profile = self._profile(position)
        if profile is not None and profile.rules.breakeven_after_target:
            text = f"stop to breakeven: a target filled (profile {profile.name}, breakeven_after_target)"
            self._due[f"{position}~{BREAKEVEN}"] = (position, MoveStop(stop=BreakevenStop()), text)


def _timers_of(holding: Holding, profile: Profile) -> Iterator[Timer]:
    rules, name = profile.rules, profile.name
    opened = next((fill.at for fill in holding.fills if fill.opens), None)
    if opened is None:
        return
    if rules.flatten_at is not None:
        day = new_york_day(opened)
        at = datetime.combine(day, rules.flatten_at, tzinfo=NEW_YORK)
        yield Timer(
            at, holding.position, "flatten_at", f"flatten at {rules.flatten_at:%H:%M} (profile {name})"
        )
    if rules.max_hold_minutes is not None:
        at = opened + timedelta(minutes=rules.max_hold_minutes)
        text = f"held {rules.max_hold_minutes} min, max_hold_minutes (profile {name})"
        yield Timer(at, holding.position, "max_hold", text)
    minutes = rules.flatten_before_close_minutes
    zero_dte = holding.instrument.asset is Asset.OPTION and holding.instrument.expiry == new_york_day(opened)
    if minutes is None and zero_dte:
        minutes = ZERO_DTE_CLOSE_MINUTES
    close = regular_close(holding.instrument, opened) if minutes is not None else None
    if minutes is not None and close is not None:
        at = close - timedelta(minutes=minutes)
        text = f"{minutes} min before the {close.astimezone(NEW_YORK):%H:%M} close (profile {name})"
        yield Timer(at, holding.position, "before_close", text)
