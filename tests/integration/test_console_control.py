"""Console control across processes: kill and resume while `autoscalper run` runs, and while nothing
runs; status, report, console and replay --compare as real commands on a real journal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.cli import cli, console_bot
from tests.sessions import SESSIONS, journal_rows, replay_session


@pytest.fixture
def holding(tmp_path: Path) -> Path:
    """A paper journal holding one MES long with its stop and target working."""
    db = tmp_path / "paper.db"
    replay_session("futures_open", db)
    assert len(journal_rows(db, "SELECT * FROM working_orders")) == 2
    return db


def _flat(db: Path) -> bool:
    return not journal_rows(db, "SELECT * FROM open_positions") and not journal_rows(
        db, "SELECT * FROM working_orders"
    )


def _state(db: Path) -> dict[str, Any]:
    return journal_rows(db, "SELECT state, cause, detail FROM trading_state")[0]


def test_kill_from_another_terminal_reaches_the_running_bot(holding: Path) -> None:
    bot = console_bot(holding)
    try:
        killed = cli("kill", "drill: second terminal", "--db", str(holding))
        assert killed.returncode == 0, killed.stderr
        assert "The running bot: done." in killed.stdout
        assert "Flat: yes." in killed.stdout
        assert _flat(holding)
        assert _state(holding) == {
            "state": "halted",
            "cause": "kill_switch",
            "detail": "drill: second terminal",
        }
        [close] = journal_rows(holding, "SELECT * FROM fills WHERE opens = 0")
        assert (close["side"], close["quantity"], close["client_id"]) == ("sell", 1, "asc:f1:flatten:1")

        assert bot.stdin is not None
        bot.stdin.write("BTO MES @ 5001.25 stop 4991\n")
        bot.stdin.flush()
        assert bot.stdout is not None
        decision = next(line for line in bot.stdout if line.startswith("stdin:"))
        assert "denied" in decision and "trading_halted" in decision

        resumed = cli("resume", "--db", str(holding))
        assert resumed.returncode == 0 and "The running bot: done." in resumed.stdout
        assert _state(holding)["state"] == "active"
    finally:
        _, err = bot.communicate(timeout=30)
    assert bot.returncode == 0, err


def test_kill_while_nothing_runs_is_latched_and_carried_out_by_the_next_start(holding: Path) -> None:
    killed = cli("kill", "overnight stop", "--db", str(holding))
    assert killed.returncode == 0 and "No bot is running" in killed.stdout
    assert _state(holding)["state"] == "halted"
    assert not _flat(holding)  # nothing acted yet: the journal only holds the latch and the request

    status = json.loads(cli("status", "--json", "--db", str(holding)).stdout)
    assert status["trading_state"] == "halted" and status["detail"] == "overnight stop"

    started = cli("run", "--input", "-", "--db", str(holding), stdin="")
    assert started.returncode == 0, started.stderr
    assert "Flat: yes." in started.stdout
    assert _flat(holding)
    assert _state(holding)["state"] == "halted"  # still latched: only resume brings it back


def test_a_kill_then_resume_while_nothing_runs_does_not_flatten_at_start(holding: Path) -> None:
    assert cli("kill", "oops", "--db", str(holding)).returncode == 0
    assert cli("resume", "--db", str(holding)).returncode == 0
    started = cli("run", "--input", "-", "--db", str(holding), stdin="")
    assert started.returncode == 0
    assert not _flat(holding)
    outcomes = journal_rows(holding, "SELECT outcome FROM control_results ORDER BY request_id")
    assert [o["outcome"] for o in outcomes] == ["superseded", "done"]


def test_the_python_kill_switch_in_the_console(holding: Path) -> None:
    typed = 'report = orchestrator.executor.activate_kill_switch("manual stop")\nprint(report.report.flat)\n'
    console = cli("console", "--db", str(holding), stdin=typed)
    assert console.returncode == 0, console.stderr
    assert "True" in console.stdout
    assert _flat(holding) and _state(holding)["detail"] == "manual stop"


def test_status_shows_state_positions_orders_and_todays_room(holding: Path) -> None:
    out = cli("status", "--db", str(holding))
    assert out.returncode == 0
    text = out.stdout
    assert "trading   : ACTIVE" in text
    assert "position  : 1 MES avg 5001.2500 (f1)" in text
    assert text.count("working   :") == 2
    assert "bot       : not running" in text


def test_report_writes_the_chart_and_counts_wins(tmp_path: Path) -> None:
    db = tmp_path / "paper.db"
    replay_session("winning_day", db)
    chart = tmp_path / "pnl.html"
    out = cli("report", "--db", str(db), "--json", "--chart", str(chart))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["total"]["trades"] == 2 and report["total"]["win_rate"] == "100%"
    assert report["days"][0]["realized_net"] == "160.65"
    assert report["authors"][0]["name"] == "a1"
    assert "<svg" in chart.read_text() and "2026-03-02" in chart.read_text()


def test_compare_finds_no_difference_then_the_one_a_new_limit_makes(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    replay_session("winning_day", db)
    same = cli("replay", "--journal", str(db), "--compare")
    assert same.returncode == 0 and "no decision differs" in same.stdout
    stricter = cli("replay", "--journal", str(db), "--compare", env={"ALLOWED_SYMBOLS": "SPY"})
    assert stricter.returncode == 1
    assert "w4:" in stricter.stdout and "symbol_not_allowed" in stricter.stdout


def test_replay_prints_the_table_and_the_contract_summary_last() -> None:
    out = cli("replay", str(SESSIONS / "winning_day.jsonl"), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(summary) >= {
        "messages",
        "decisions",
        "fills",
        "open_positions",
        "realized_pnl",
        "commissions",
        "trading_state",
    }
    assert "Day P&L: realized +163.75 gross" in out.stdout


def test_a_message_with_two_instructions_shows_a_row_and_a_decision_for_each() -> None:
    out = cli("replay", str(SESSIONS / "several_instructions.jsonl"), "--json")
    assert out.returncode == 0, out.stderr
    table = out.stdout.splitlines()
    assert any("│ n3#2 " in line and "approved" in line for line in table)  # "stop to BE on QQQ"
    assert any("│ n5#2 " in line and "denied" in line for line in table)  # QQQ was stopped out already
    summary = json.loads(table[-1])
    assert [d["message_id"] for d in summary["decisions"]][2:4] == ["n3", "n3#2"]


def test_a_bad_setting_stops_every_trading_command_with_exit_code_2(tmp_path: Path) -> None:
    for args in (["replay", str(SESSIONS / "winning_day.jsonl")], ["run"], ["kill", "x"], ["status"]):
        out = cli(*args, "--db", str(tmp_path / "j.db"), env={"MAX_CONTRACTS": "lots"}, stdin="")
        assert out.returncode == 2, args
        assert out.stderr.startswith("error: setting MAX_CONTRACTS:")


def test_run_with_ib_before_its_adapter_is_one_line_and_trades_nothing(tmp_path: Path) -> None:
    out = cli(
        "run",
        "--input",
        "-",
        "--db",
        str(tmp_path / "j.db"),
        env={"BROKER": "ib"},
        stdin="BTO SPY 3/20 580C @ 1.25\n",
    )
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("error:")


def test_run_reads_alerts_from_a_file_and_skips_them_when_run_again(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.txt"
    alerts.write_text("nice move everyone\nSPY looks heavy today\n", encoding="utf-8")
    db = str(tmp_path / "j.db")
    first = cli("run", "--input", str(alerts), "--db", db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0].startswith(f"file:{alerts.resolve()}:1 ignored")
    again = cli("run", "--input", str(alerts), "--db", db)
    assert all("duplicate_delivery" in line for line in again.stdout.splitlines())


def test_the_python_api_kill_switch_without_an_event_loop(holding: Path) -> None:
    import asyncio

    from orchestrator import Orchestrator
    from orchestrator.settings import Settings

    orchestrator = Orchestrator.open(
        Settings(_env_file=None), command="script", journal_path=holding, allow={}
    )  # type: ignore[call-arg]
    asyncio.run(orchestrator.start())
    assert [h.position for h in orchestrator.executor.book.open_holdings()] == ["f1"]
    run = orchestrator.executor.activate_kill_switch("manual stop")
    assert run.report is not None and run.report.flat
    orchestrator.close()
    assert _flat(holding) and _state(holding)["detail"] == "manual stop"
