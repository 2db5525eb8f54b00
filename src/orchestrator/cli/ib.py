"""``autoscalper ib-check``: can this bot trade on the TWS/Gateway the settings point at?"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from .common import env_file_option, load_or_exit


@click.command("ib-check")
@click.option(
    "--timeout", default=5.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds per check."
)
@env_file_option
def ib_check(timeout: float, env_file: Path | None) -> None:
    """Check the IB connection the settings describe, one line per check, each with its fix.

    Port (TWS or Gateway, paper or live, against PAPER_MODE), reachable, API enabled, client id
    free, account type against the mode, orders allowed (a what-if order, never placed: a
    Read-Only API refuses it), market data type. Exit 0 when trading can work, 1 when a check
    failed. Run it while the bot is stopped: a running bot holds IBKR_CLIENT_ID.
    """
    settings = load_or_exit(env_file)
    from executor.ib.check import run_checks

    from ..build import ib_config

    confirm = settings.LIVE_CONFIRM.get_secret_value() if settings.LIVE_CONFIRM else None
    config = ib_config(settings)
    lines = asyncio.run(run_checks(config, paper=settings.PAPER_MODE, live_confirm=confirm, wait=timeout))
    for line in lines:
        click.echo(line.text())
    sys.exit(1 if any(line.ok is False for line in lines) else 0)
