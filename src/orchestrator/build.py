"""Build the executor the settings describe: the broker the mode allows, guarded, with its limits.

Every way of running the bot starts trading through ``build_executor``, so the paper/live guard and
the error limit cannot be skipped by one entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from executor import AccountGuard, Broker, ErrorBudget, Executor, StateStore, build_broker

if TYPE_CHECKING:
    from executor.ib import IBConfig

    from .market import QuoteFeed

from .settings import Settings


def build_executor(
    settings: Settings, state: StateStore, clock: Callable[[], datetime], *, broker: Broker | None = None
) -> Executor:
    """The executor for ``settings`` (on ``broker`` when given: a replay's own simulator); raises
    ``ModeMismatch``/``BrokerUnavailable`` with one line. The guard applies to any broker."""
    if broker is None:
        ib = ib_config(settings) if settings.BROKER == "ib" else None
        broker = build_broker(
            settings.BROKER,
            paper=settings.PAPER_MODE,
            clock=clock,
            ib=ib,
            quotes_only=settings.QUOTE_SOURCE != "none",
            account_size=settings.PAPER_ACCOUNT_SIZE,
        )
    confirm = settings.LIVE_CONFIRM.get_secret_value() if settings.LIVE_CONFIRM else None
    return Executor(
        broker,
        state,
        clock=clock,
        guard=AccountGuard(paper=settings.PAPER_MODE, live_confirm=confirm),
        errors=ErrorBudget(
            limit=settings.MAX_BROKER_ERRORS, window=timedelta(minutes=settings.BROKER_ERROR_WINDOW_MINUTES)
        ),
        kill_timeout=settings.KILL_TIMEOUT_SECONDS,
    )


def quote_feed(settings: Settings, clock: Callable[[], datetime]) -> QuoteFeed | None:
    """The market data feed ``QUOTE_SOURCE`` names (None: the simulator fills on the alerts' prices)."""
    if settings.QUOTE_SOURCE != "ib":
        return None
    from executor.ib.quotes import IBQuotes  # loads ib_async only when IB brings the quotes

    return IBQuotes(ib_config(settings), clock)


def ib_config(settings: Settings) -> IBConfig:
    """Where and as whom to reach TWS/Gateway (imports the IB adapter: call it only for IB)."""
    from executor.ib import IBConfig

    account = settings.IBKR_ACCOUNT.get_secret_value() if settings.IBKR_ACCOUNT else None
    return IBConfig(
        host=settings.IBKR_HOST,
        port=settings.IBKR_PORT,
        client_id=settings.IBKR_CLIENT_ID,
        account=account,
        maintenance=settings.IB_MAINTENANCE_WINDOW,
    )
