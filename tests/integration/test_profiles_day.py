"""The bundled profiles day (tests/fixtures/profiles): two channels under two trading profiles and a
shadow analyst. Channel c1 ("room") sizes by a $500 premium budget and moves the stop to breakeven
after the first target; analyst a3 ("newcomer") is only simulated; channel c2 ("desk") waits for
approval and trails its stop by 0.20. P&L to the cent, the trailing stop and the 0DTE time exit at
their quotes and instants, and `replay --compare` showing what a profile change would have done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.audit import rows, value
from tests.cli import cli

DAY = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
SESSION = DAY / "two_channels.jsonl"


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    db = tmp_path_factory.mktemp("profiles") / "day.db"
    done = cli(
        "replay", str(SESSION), "--db", str(db), "--json", env={"PROFILES_FILE": str(DAY / "profiles.toml")}
    )
    assert done.returncode == 0, done.stderr
    return db, json.loads(done.stdout.splitlines()[-1])


def journal(db: Path):  # type: ignore[no-untyped-def]
    from orchestrator.journal import Journal

    return Journal(db)


def test_the_account_makes_97_60_net_to_the_cent(day: tuple[Path, dict[str, object]]) -> None:
    db, summary = day
    assert (summary["realized_pnl"], summary["commissions"]) == ("110.00", "12.40")
    per_position = rows(
        journal(db),
        "SELECT position, printf('%.2f', SUM(CAST(realized AS REAL))) AS gross,"
        " printf('%.2f', SUM(CAST(commission AS REAL))) AS fees"
        " FROM fills GROUP BY position ORDER BY position",
    )
    assert [(p["position"], p["gross"], p["fees"]) for p in per_position] == [
        ("d1", "20.00", "2.00"),  # desk: approved, 1 at 1.00, trailed out at 1.20
        ("r1", "50.00", "5.20"),  # room: 4 for $500; 2 at the 1.50 target, 2 at breakeven
        ("r2", "40.00", "5.20"),  # room: 4 at 1.00, closed at 1.10 at 16:00, 15 min before the close
    ]


def test_the_room_sizes_by_budget_and_stops_out_the_rest_at_breakeven(
    day: tuple[Path, dict[str, object]],
) -> None:
    db, _ = day
    fills = rows(
        journal(db),
        "SELECT o.role, f.quantity, f.price FROM fills f JOIN orders o USING (client_id)"
        " WHERE f.position = 'r1' ORDER BY f.rowid",
    )
    assert [(f["role"], f["quantity"], f["price"]) for f in fills] == [
        ("entry", 2, "1.25"), ("entry", 2, "1.25"), ("target", 2, "1.50"), ("stop", 2, "1.25"),
    ]  # fmt: skip
    assert value(journal(db), "SELECT verdict FROM decisions WHERE message_id = 'r1~breakeven'") == "approved"


def test_the_desks_trailing_stop_and_the_0dte_exit_fire_at_their_quotes_and_times(
    day: tuple[Path, dict[str, object]],
) -> None:
    db, _ = day
    trail = rows(
        journal(db),
        "SELECT e.at, e.event FROM order_events e JOIN orders o USING (client_id)"
        " WHERE o.position = 'd1' AND o.role = 'stop' AND e.kind = 'modified' ORDER BY e.id",
    )
    assert [(t["at"], json.loads(t["event"])["price"]) for t in trail] == [
        ("2026-03-02T20:40:30+00:00", "0.75"),  # filled on approval: the bid 0.95 - 0.20, above 0.70
        ("2026-03-02T20:45:00+00:00", "1.00"),  # bid 1.20 - 0.20
        ("2026-03-02T20:50:00+00:00", "1.20"),  # bid 1.40 - 0.20; at 20:55 the bid 1.15 takes it
    ]
    exits = rows(
        journal(db), "SELECT position, at, price FROM fills WHERE opens = 0 AND position IN ('d1', 'r2')"
    )
    assert {(e["position"], e["at"], e["price"]) for e in exits} == {
        ("d1", "2026-03-02T20:55:00+00:00", "1.20"),
        ("r2", "2026-03-02T21:00:00+00:00", "1.10"),  # 16:00 New York: IWM and SPY options close at 16:15
    }
    steps = rows(journal(db), "SELECT outcome FROM executions WHERE message_id = 'd1' ORDER BY id")
    assert [s["outcome"] for s in steps] == ["awaiting_confirmation", "sent"]


def test_the_shadow_analyst_is_simulated_apart(day: tuple[Path, dict[str, object]]) -> None:
    from orchestrator.shadow import shadow_path

    db, _ = day
    assert value(journal(db), "SELECT COUNT(*) FROM fills WHERE position = 'n1'") == 0
    shadow = journal(shadow_path(db))
    assert (
        value(
            shadow, "SELECT printf('%.2f', SUM(CAST(realized AS REAL) - CAST(commission AS REAL))) FROM fills"
        )
        == "48.00"
    )


def test_compare_shows_what_a_smaller_budget_would_have_done(
    day: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    db, _ = day
    smaller = tmp_path / "profiles.toml"
    smaller.write_text(
        (DAY / "profiles.toml").read_text().replace("premium_budget = 500", "premium_budget = 250")
    )
    done = cli("replay", "--journal", str(db), "--compare", env={"PROFILES_FILE": str(smaller)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "r1: BTO SPY 3/2 580C" in done.stdout and "buy 2 SPY" in done.stdout  # 2 for $250, not 4
    same = cli("replay", "--journal", str(db), "--compare", env={"PROFILES_FILE": str(DAY / "profiles.toml")})
    assert same.returncode == 0, same.stdout


def test_the_report_tells_the_sources_apart(day: tuple[Path, dict[str, object]]) -> None:
    db, _ = day
    report = cli("report", "--db", str(db), "--json")
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)
    assert [(s["name"], s["trades"]) for s in summary["sources"]] == [("session", 3)]
