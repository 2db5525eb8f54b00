"""``Shadow``: the messages of a ``mode = "shadow"`` profile, decided and simulated, never sent.

A new analyst's track record: their messages are decided with their profile and traded on a paper
simulator of the shadow's own, against the same quotes as the account (QUOTE_SOURCE's, or a
session's), and journaled in a journal of its own beside the account's (``<journal>-shadow.db``).
Nothing reaches the broker, and nothing mixes with the account's figures: its positions, P&L, loss
cap and trading state are the shadow's. The account's journal records each such message with the
decision ``ignored`` (``shadow_profile``), so every message is still in it; ``autoscalper report``
shows the shadow's trades per author beside the account's, labelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from executor import AccountGuard, ErrorBudget, Executor, PaperBroker
from parser import Intent
from risk import Quote, Reason

from . import edits
from .journal import Journal
from .management import Management
from .market import feed_quote
from .messages import Delete, Edit, Message
from .pipeline import Allowlists, Handled, Pipeline
from .profiles import Profiles
from .settings import Settings

SHADOW_PROFILE = "shadow_profile"  # the account's decision on a message its shadow takes


def shadow_path(journal: Path) -> Path:
    return journal.with_name(f"{journal.stem}-shadow{journal.suffix or '.db'}")


def shadowed(profiles: Profiles, message: Message) -> Reason | None:
    """Why the account does not decide ``message``: its profile is a shadow one."""
    profile = profiles.match(message)
    if profile is None or profile.rules.mode != "shadow":
        return None
    detail = f"profile {profile.name} is shadow: decided and simulated in its own journal, never sent"
    return Reason(code=SHADOW_PROFILE, detail=detail)


class Shadow:
    def __init__(self, journal: Journal, pipeline: Pipeline, settings: Settings) -> None:
        self.journal, self.pipeline, self.settings = journal, pipeline, settings
        self.executor = pipeline.executor
        self.management = Management(pipeline, pipeline.clock)

    @classmethod
    def open(
        cls,
        settings: Settings,
        path: Path,
        *,
        clock: Callable[[], datetime],
        allow: Allowlists,
        profiles: Profiles,
        durable: bool,
    ) -> Shadow:
        journal = Journal(path, durable=durable)
        journal.start_run("shadow", version="", mode="shadow", broker="paper", settings={})
        broker = PaperBroker(
            clock, quotes_only=settings.QUOTE_SOURCE != "none", account_size=settings.PAPER_ACCOUNT_SIZE
        )
        executor = Executor(
            broker,
            journal,
            clock=clock,
            guard=AccountGuard(paper=True, live_confirm=None),
            errors=ErrorBudget(limit=settings.MAX_BROKER_ERRORS),
            kill_timeout=settings.KILL_TIMEOUT_SECONDS,
        )
        pipeline = Pipeline(journal, executor, settings.limits(), clock=clock, allow=allow, profiles=profiles)
        return cls(journal, pipeline, settings)

    def takes(self, message: Message) -> bool:
        return shadowed(self.pipeline.profiles, message) is not None

    async def start(self) -> None:
        await self.executor.start()
        since = self.pipeline.history_from(self.pipeline.clock())
        await self.executor.recover(self.journal.recovery_events(since))
        self.pipeline.restore()

    async def on_message(self, message: Message, intent: Intent | None = None) -> Handled:
        if intent is None:
            handled = await self.pipeline.on_message(message)
        else:
            handled = await self.pipeline.on_intent(message, intent)
        await self.management.run()
        return handled

    async def on_edit(self, edit: Edit) -> Handled | None:
        """An edit of a message the shadow decided (None: not one of its messages)."""
        if self.journal.message(edit.id) is None:
            return None
        handled = await edits.on_edit(self.pipeline, edit, amend=self.settings.AMEND_ON_EDIT)
        await self.management.run()
        return handled

    def on_delete(self, delete: Delete) -> Handled | None:
        if self.journal.message(delete.id) is None:
            return None
        return edits.on_delete(self.pipeline, delete)

    def on_quote(self, key: str, quote: Quote) -> None:
        feed_quote(self.pipeline, self.executor, key, quote)

    async def poll(self) -> None:
        self.executor.forget_closed()
        await self.management.fire_timers()

    def close(self) -> None:
        self.journal.close()
