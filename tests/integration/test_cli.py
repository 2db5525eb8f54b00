"""The ``autoscalper`` command, run as a real process the way a trader runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.settings import Settings

EXE = str(Path(sys.executable).with_name("autoscalper"))


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    return subprocess.run(
        [EXE, *args], input=stdin, capture_output=True, text=True, timeout=60, env={**clean, **(env or {})}
    )


def test_parse_json_prints_the_contract_object() -> None:
    done = run("parse", "--json", "--at", "2026-03-02T14:31:00Z", "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "kind": "open",
        "side": "long",
        "instrument": {
            "asset": "option",
            "symbol": "SPY",
            "right": "C",
            "strike": "580",
            "expiry": "2026-03-20",
        },
        "price": "1.25",
        "stop": {"price": "0.9"},
        "targets": [{"price": "1.8"}],
        "quantity": None,
        "fraction": None,
        "reason": None,
    }


def test_parse_readable_output_shows_how_the_message_was_read() -> None:
    done = run("parse", "--at", "2026-03-02T14:31:00Z", "SPX 0DTE 5800P @ 4.10")
    assert done.returncode == 0
    assert "read as : WORD(spx) ODTE(0dte) STRIKE(5800p) AT(@) NUM(4.10)" in done.stdout
    assert "OPEN long SPX 2026-03-02 5800P @ 4.1" in done.stdout


def test_parse_jsonl_keeps_order_and_reports_bad_lines_by_number(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "trim half"}),
        "{not json",
        json.dumps({"text": "BTO SPY 0DTE 580C @ 1", "at": "2026-03-03T15:00:00Z"}),
        json.dumps({"text": 42}),
        "",
        json.dumps({"text": "gm"}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    done = run("parse", "--jsonl", str(source))
    assert done.returncode == 0
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["kind"] for o in out] == ["trim", "none", "open", "none", "none", "none"]  # one per line
    assert out[1]["reason"] == out[3]["reason"] == out[4]["reason"] == "bad_input"
    assert out[2]["instrument"]["expiry"] == "2026-03-03"
    assert (
        "line 2:" in done.stderr and "line 4:" in done.stderr and "line 5: skipped, blank line" in done.stderr
    )


def test_parse_jsonl_reads_standard_input() -> None:
    done = run("parse", "--jsonl", "-", stdin=json.dumps({"text": "stop to BE"}) + "\n")
    assert json.loads(done.stdout)["stop"] == {"breakeven": True}


@pytest.mark.parametrize("args", [["parse"], ["parse", "--at", "yesterday", "out"]])
def test_parse_usage_errors_exit_2(args: list[str]) -> None:
    assert run(*args).returncode == 2


def test_bad_setting_is_one_line_naming_the_key_and_exit_2() -> None:
    done = run("settings", "--env-file", os.devnull, env={"MAX_CONTRACT": "3"})
    assert done.returncode == 2
    assert done.stderr.strip() == "error: setting MAX_CONTRACT: unknown setting (did you mean MAX_CONTRACTS?)"
    assert "Traceback" not in done.stderr


def test_settings_prints_the_effective_values_with_secrets_hidden() -> None:
    done = run("settings", "--env-file", os.devnull, env={"DISCORD_TOKEN": "abc.def.secret"})
    assert done.returncode == 0
    assert "PAPER_MODE=True" in done.stdout
    assert "DISCORD_TOKEN=**********" in done.stdout
    assert "secret" not in done.stdout


def test_check_shows_the_bracket_risk_would_place_with_the_settings() -> None:
    alert = "BTO 3 SPY 3/20 580C @ 1.25 SL .90 PT 1.50 PT 1.80"
    done = run("check", "--env-file", os.devnull, "--at", "2026-03-02T15:00:00Z", alert)
    assert done.returncode == 0, done.stderr
    assert (
        "approved: buy 2 SPY 2026-03-20 580C limit 1.25; stop 0.90; targets 1 at 1.50, 1 at 1.80"
        in done.stdout
    )
    assert "size_reduced: 2 of 3 contracts, limited by MAX_CONTRACTS" in done.stdout


def test_check_json_reports_denials_with_codes_and_one_sentence() -> None:
    at = "2026-03-02T15:00:00Z"
    done = run(
        "check",
        "--json",
        "--env-file",
        os.devnull,
        "--at",
        at,
        "BTO ES @ 5000 SL 4990",
        env={"MAX_RISK_PER_TRADE": "400"},
    )
    out = json.loads(done.stdout)
    assert (out["verdict"], out["reasons"]) == ("denied", ["size_zero"])
    assert (
        out["sentence"] == "No contract fits: one contract risks $500.00, above MAX_RISK_PER_TRADE $400.00."
    )


def test_check_with_a_bad_setting_exits_2() -> None:
    done = run("check", "--env-file", os.devnull, "BTO SPY 3/20 580C @ 1", env={"LOSS_LIMIT_ACTION": "x"})
    assert done.returncode == 2 and done.stderr.startswith("error: setting LOSS_LIMIT_ACTION:")


@pytest.mark.parametrize("command", [[], ["parse"], ["settings"], ["check"]])
def test_every_command_has_help(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout


def test_readme_documents_every_command(root: Path) -> None:
    from orchestrator.cli.main import main

    readme = (root / "README.md").read_text()
    for name in main.commands:
        assert f"autoscalper {name}" in readme, f"README does not show `autoscalper {name}`"


CAREFUL_DENIALS = [
    ("STO SPY 3/20 590C @ 1.25 SL 1.60", [], "short_not_allowed"),
    ("BTO SPY 3/7 580C @ 1.25 SL .90", [], "no_such_expiry"),
    ("BTO SPY 7/1 580C @ 1.25 SL .90", [], "expiry_too_far"),
    ("BTO SPY 3/20 900C @ 1.25 SL .90", ["--quote", "SPY=580"], "strike_implausible"),
    ("stop to BE", ["--holding", "BTO SPY 3/20 580C @ 1.25 SL .90", "--unfilled"], "entry_not_filled"),
]


@pytest.mark.parametrize(("alert", "options", "code"), CAREFUL_DENIALS)
def test_check_json_shows_each_careful_denial(alert: str, options: list[str], code: str) -> None:
    from click.testing import CliRunner

    from orchestrator.cli.main import main

    args = ["check", "--json", "--env-file", os.devnull, "--at", "2026-03-02T15:00:00Z", *options, alert]
    done = CliRunner().invoke(main, args, catch_exceptions=False)
    out = json.loads(done.output)
    assert (out["verdict"], out["reasons"]) == ("denied", [code]), out


def test_check_stock_sizes_in_shares_with_max_shares() -> None:
    done = run(
        "check", "--json", "--env-file", os.devnull, "--at", "2026-03-02T15:00:00Z",
        "BUY 500 AAPL @ 230 SL 229.50", env={"MAX_SHARES": "250"},
    )  # fmt: skip
    out = json.loads(done.stdout)
    notes = {note["code"]: note["detail"] for note in out["notes"]}
    assert (
        out["plan"]["quantity"] == 250 and notes["size_reduced"] == "250 of 500 shares, limited by MAX_SHARES"
    )


def test_check_with_an_unreadable_quote_exits_2_naming_the_option() -> None:
    done = run("check", "--env-file", os.devnull, "--quote", "SPY=abc", "BTO SPY 3/20 580C @ 1")
    assert done.returncode == 2 and "--quote 'SPY=abc'" in done.stderr


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("MAX_RISK", "MAX_RISK_PER_TRADE"),
        ("DEFAULT_STOP", "DEFAULT_STOP_PCT"),
        ("DAILY_LOSS", "DAILY_LOSS_LIMIT"),
    ],
)
def test_an_environment_variable_like_a_setting_is_a_warning_not_silence(variable: str, meant: str) -> None:
    done = run("settings", "--env-file", os.devnull, env={variable: "3"})
    assert done.returncode == 0
    assert f"warning: environment variable {variable} is not a setting (did you mean {meant}?); ignored" in (
        done.stderr
    )
    assert f"{meant}=3" not in done.stdout.splitlines()  # ignored, not taken for the setting


def test_a_named_env_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    done = run("settings", "--env-file", str(tmp_path / "missing.env"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: setting --env-file: no file at {tmp_path / 'missing.env'}"
