"""The ``autoscalper`` command line. Thin: each command imports what it needs when it runs.

Exit codes, in one place: 0 ok, 1 a command failed, 2 bad usage or a bad setting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click

from .common import env_file_option


def _message_time(value: str | None) -> datetime:
    """``--at`` as an aware UTC datetime; a value without a zone is taken as UTC."""
    if value is None:
        return datetime.now(UTC)
    from ..times import within_range

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 time", param_hint="--at") from None
    try:
        return within_range(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="autoscalper")
def main() -> None:
    """autoscalper: copies Discord trade alerts into risk-checked bracket orders.

    Paper trading on the built-in simulator is the default; live trading needs PAPER_MODE=false,
    BROKER=ib and LIVE_CONFIRM set to the live account id.
    """


# ---------------------------------------------------------------- parse


@main.command()
@click.argument("text", required=False)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the intent as one JSON object (with 'all' when the message has several instructions).",
)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.File("r", encoding="utf-8", errors="replace"),  # bytes that are not UTF-8: a bad line
    help='Read JSON lines {"text": ..., "at": ...} from FILE (or - for stdin); write one JSON object each.',
)
@click.option("--at", "at", help="Message time, ISO-8601 (default: now). Resolves 0DTE, 3/21, weeklies.")
@click.option("--table", is_flag=True, help="With --jsonl: print a readable table instead of JSON lines.")
def parse(text: str | None, as_json: bool, jsonl: IO[str] | None, at: str | None, table: bool) -> None:
    """Show how an alert is understood: `autoscalper parse "BTO SPY 3/21 580C @ 1.25 SL .90"`.

    Prints the words as the lexer classed them and one intent line per instruction."""
    if (text is None) == (jsonl is None):
        raise click.UsageError("give either TEXT or --jsonl FILE")
    default_time = _message_time(at)
    if jsonl is not None:
        _parse_lines(jsonl, default_time, table)
        return
    assert text is not None
    from parser import contract_json, parse_all

    intents = parse_all(text, default_time)
    if as_json:
        click.echo(json.dumps(contract_json(intents), ensure_ascii=False))
        return
    _print_readable(text, intents)


def _print_readable(text: str, intents: tuple[Any, ...]) -> None:
    from parser.intent_line import describe
    from parser.lexer import reading

    click.echo(f"message : {text}")
    click.echo(f"read as : {reading(text)}")
    for intent in intents:
        click.echo(f"intent  : {describe(intent)}")


def _line_intents(stream: IO[str], default_time: datetime) -> Iterator[tuple[int, str, tuple[Any, ...]]]:
    """(line number, text, intents) per input line, so outputs line up with inputs: a blank or
    malformed line (bad JSON, nested past any alert's depth, a time outside 2000-2099) becomes
    ``bad_input`` and the lines after it are read as usual."""
    from parser import NotASignal, parse_all

    for number, raw in enumerate(stream, 1):
        try:
            if not raw.strip():
                raise ValueError("blank line")
            row = json.loads(raw)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError('expected an object with a string "text"')
            if not isinstance(row.get("at") or "", str):
                raise ValueError('"at" must be an ISO-8601 string')
            moment = _message_time(row["at"]) if row.get("at") else default_time
        except (ValueError, RecursionError, click.BadParameter) as exc:
            problem = (exc.message if isinstance(exc, click.BadParameter) else str(exc))[:200]
            click.echo(f"line {number}: skipped, {problem}", err=True)
            yield number, "", (NotASignal(reason="bad_input", detail=problem),)
            continue
        yield number, row["text"], parse_all(row["text"], moment)


def _parse_lines(stream: IO[str], default_time: datetime, table: bool) -> None:
    if table:
        _print_table(list(_line_intents(stream, default_time)))
        return
    from parser import contract_json

    for _, _, intents in _line_intents(stream, default_time):
        click.echo(json.dumps(contract_json(intents), ensure_ascii=False))


def _print_table(rows: list[tuple[int, str, tuple[Any, ...]]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from parser.intent_line import describe

    grid = Table(title="How each message is understood", show_lines=False, expand=True)
    grid.add_column("#", justify="right", style="dim", no_wrap=True)
    grid.add_column("message", ratio=3, overflow="fold")
    grid.add_column("understood as", ratio=4, overflow="fold")
    counts: dict[str, int] = {}
    for number, text, intents in rows:
        for intent in intents:
            counts[intent.kind] = counts.get(intent.kind, 0) + 1
        style = "dim" if intents[0].kind == "none" else "bold"
        grid.add_row(str(number), text, "\n".join(describe(intent) for intent in intents), style=style)
    console = Console()
    console.print(grid)
    console.print("  ".join(f"{kind}: {n}" for kind, n in sorted(counts.items())))


# ---------------------------------------------------------------- check


@main.command()
@click.argument("text")
@click.option("--at", "at", help="Message time, also the decision time, ISO-8601 (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the intent and the decision as one JSON object.")
@click.option(
    "--quote", "quotes", multiple=True, metavar="KEY=PRICE",
    help="A market to decide against: SPY=580 (the underlying), 'SPY 2026-03-20 580C=1.20/1.25'. Repeatable.",
)  # fmt: skip
@click.option("--holding", metavar="ALERT", help="Decide against the position this alert opens (filled).")
@click.option("--unfilled", is_flag=True, help="With --holding: its entry has not filled yet.")
@env_file_option
def check(
    text: str,
    at: str | None,
    as_json: bool,
    quotes: tuple[str, ...],
    holding: str | None,
    unfilled: bool,
    env_file: Path | None,
) -> None:
    """What the risk manager decides for an alert, with your limits. Nothing is placed.

    The account is flat unless --holding gives it a position: then management alerts (trim, out,
    stop to BE) are decided against that position, else they are denied with no_position.
    """
    from parser import NotASignal
    from parser import parse as parse_alert
    from parser.intent_line import describe
    from risk import AccountSnapshot, Alert, evaluate

    from .. import calendar_cache
    from .check_account import CheckInputError, market
    from .check_account import holding as held_position

    calendar_cache.install()
    limits = _load_settings(env_file).limits()
    now = _message_time(at)
    try:
        prices = market(quotes, now)
        target = held_position(holding, limits, now, filled=not unfilled) if holding else None
    except CheckInputError as exc:
        raise click.UsageError(str(exc)) from exc
    account = AccountSnapshot(positions=(target,) if target else (), quotes=prices)
    intent = parse_alert(text, now)
    decision = None
    if not isinstance(intent, NotASignal):
        alert = Alert(message_id="check", sent_at=now, received_at=now)
        decision = evaluate(intent, account, limits, now, alert=alert, target=target)
    if as_json:
        click.echo(json.dumps(_decision_json(intent, decision), ensure_ascii=False))
        return
    click.echo(f"message : {text}")
    click.echo(f"intent  : {describe(intent)}")
    for line in _decision_lines(decision):
        click.echo(line)


def _decision_json(intent: Any, decision: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"intent": intent.to_contract(), "verdict": "ignored", "reasons": []}
    if decision is None:
        return out
    out["verdict"] = decision.verdict
    if decision.verdict == "denied":
        out.update(reasons=list(decision.codes), sentence=decision.sentence)
    else:
        out.update(plan=decision.plan.model_dump(mode="json"), notes=[n.model_dump() for n in decision.notes])
    return out


def _decision_lines(decision: Any) -> list[str]:
    from risk.plan_line import describe_plan

    if decision is None:
        return ["decision: ignored (not a signal)"]
    if decision.verdict == "denied":
        return [f"decision: denied [{', '.join(decision.codes)}]", f"why     : {decision.sentence}"]
    lines = [f"decision: approved: {describe_plan(decision.plan)}"]
    lines += [f"note    : {note.code}: {note.detail}" for note in decision.notes]
    return lines


# ---------------------------------------------------------------- settings


@main.command("settings")
@env_file_option
def show_settings(env_file: Path | None) -> None:
    """Check the settings (environment and .env) and print them, secrets hidden."""
    for key, value in _load_settings(env_file).redacted().items():
        click.echo(f"{key}={'' if value is None else _display(value)}")


def _display(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _load_settings(env_file: Path | None) -> Any:
    from .common import load_or_exit

    return load_or_exit(env_file)


# ---------------------------------------------------------------- trading and control


def _register() -> None:
    from .control import approve, audit, console, kill, report, resume, status
    from .ib import ib_check
    from .profiles import profiles
    from .readiness import readiness
    from .telegram import telegram_login
    from .trading import replay, run

    for command in (
        replay, run, kill, resume, approve, status, report, audit, console, ib_check, profiles,
        telegram_login, readiness,
    ):  # fmt: skip
        main.add_command(command)


_register()
