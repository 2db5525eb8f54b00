"""``autoscalper readiness``: the go-live checklist of a paper journal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import env_file_option, fail, load_or_exit


@click.command()
@click.option(
    "--db",
    "db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The paper journal to check (default: READINESS_JOURNAL, autoscalper-paper.db).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: ready, and each check.")
@env_file_option
def readiness(db: Path | None, as_json: bool, env_file: Path | None) -> None:
    """Before any live trade: the setup guides' checklist, read from a paper journal, each line with
    its evidence. Trading days and approved entries on paper (READINESS_MIN_DAYS, READINESS_MIN_TRADES),
    every message decided, a stop at the broker from every fill, stops and targets seen filling, no
    order above a limit, the kill switch engaged and resumed, no broker error; then, for information,
    the messages that were not trades and why. Exit 0 only when every check holds.
    """
    from ..journal import JournalError
    from ..views.readiness import as_json as checks_json
    from ..views.readiness import check_journal, ready

    settings = load_or_exit(env_file, profiles=True)
    path = db or settings.READINESS_JOURNAL
    try:
        checks = check_journal(path, settings)
    except JournalError as exc:
        fail(f"{exc}: nothing to check")
    if as_json:
        click.echo(json.dumps(checks_json(checks)))
    else:
        click.echo(f"readiness of {path}")
        for check in checks:
            click.echo(check.line())
        failing = sum(check.ok is False for check in checks)
        click.echo(
            "ready: live may start at one contract" if ready(checks) else f"not ready: {failing} failing"
        )
    sys.exit(0 if ready(checks) else 1)
