"""Drill: two terminals, one journal. The bot can be started only once, and the kill switch reaches it.

Real processes: ``autoscalper run --input -`` reading alerts typed on a pipe, and the console
commands run as a trader would, from the same folder or another one. The bot's journal is deleted
and replaced under it; a second bot is started on its journal; ``kill`` is given a wrong ``--db``,
no ``--db`` at all, and no reason. The running-bot registry is the tests' own (``XDG_STATE_HOME``).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from tests.cli import BOT, cli
from tests.sessions import journal_rows

ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"
WAIT = 20.0


@contextmanager
def running_bot(db: Path, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """``autoscalper run --input - --db DB`` with alerts written to its stdin; stopped afterwards."""
    bot = subprocess.Popen(
        [*BOT, "run", "--input", "-", "--db", str(db)], cwd=cwd, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "JOURNAL_PATH": ""},
    )  # fmt: skip
    try:
        until(lambda: "autoscalper running" in _peek_started(db, bot))
        yield bot
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGINT)
            try:
                bot.communicate(timeout=WAIT)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.communicate()


def _peek_started(db: Path, bot: subprocess.Popen[str]) -> str:
    """The bot has started once its journal has a ``started`` notice. Peeked at with plain SQLite:
    the journal may still be being created, and a reader must not race the bot's schema."""
    if bot.poll() is not None:
        raise AssertionError(f"the bot exited: {bot.stderr.read() if bot.stderr else ''}")
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            count = conn.execute("SELECT COUNT(*) FROM notices WHERE kind = 'started'").fetchone()[0]
    except sqlite3.Error:
        return ""
    return "autoscalper running" if count else ""


def type_alert(bot: subprocess.Popen[str], text: str) -> None:
    assert bot.stdin is not None
    bot.stdin.write(text + "\n")
    bot.stdin.flush()


def stopped_by_itself(bot: subprocess.Popen[str]) -> str:
    """Wait for the bot to exit with its input still open (within a control poll); its stderr."""
    bot.wait(timeout=WAIT)
    assert bot.stderr is not None
    return bot.stderr.read()


def until(condition: object, within: float = WAIT) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def decided(db: Path) -> int:
    return int(journal_rows(db, "SELECT COUNT(*) AS n FROM decisions")[0]["n"])


def trading_state(db: Path) -> tuple[str, str]:
    [row] = journal_rows(db, "SELECT state, detail FROM trading_states ORDER BY id DESC LIMIT 1")
    return row["state"], row["detail"]


def test_a_second_bot_on_the_same_journal_refuses_to_start_naming_the_first(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    alerts = tmp_path / "alerts.txt"
    alerts.write_text(ALERT + "\n")
    with running_bot(db, tmp_path) as first:
        type_alert(first, ALERT)
        until(lambda: decided(db) == 1)
        second = cli("run", "--input", str(alerts), "--db", str(db), cwd=tmp_path, timeout=60)
        assert second.returncode == 2, second.stderr
        [line] = second.stderr.strip().splitlines()
        assert f"in use by pid {first.pid} (run" in line and "one trading process per journal" in line
        relative = cli("replay", str(alerts), "--db", "d.db", cwd=tmp_path, timeout=60)  # another spelling
        assert relative.returncode == 2 and f"pid {first.pid}" in relative.stderr
    runs = journal_rows(db, "SELECT pid FROM runs")
    assert [r["pid"] for r in runs] == [first.pid]  # the second never opened the journal for trading
    assert decided(db) == 1


def test_a_bot_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with running_bot(db, tmp_path) as first:
        first.kill()
        first.wait()
    with running_bot(db, tmp_path) as second:
        type_alert(second, ALERT)
        until(lambda: decided(db) == 1)


def test_a_journal_deleted_under_the_bot_stops_it_and_kill_never_makes_a_new_one(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with running_bot(db, tmp_path) as bot:
        type_alert(bot, ALERT)
        until(lambda: decided(db) == 1)
        for path in (db, db.with_name("d.db-wal"), db.with_name("d.db-shm")):
            path.unlink(missing_ok=True)
        err = stopped_by_itself(bot)
        assert bot.returncode == 1 and "was deleted or moved while this bot ran" in err
        assert "stops at the broker" not in err and "stay at the broker" in err
    killed = cli("kill", "--db", str(db), cwd=tmp_path)
    assert (
        killed.returncode == 2 and "no journal at" in killed.stderr and "no bot is running" in killed.stderr
    )
    status = cli("status", "--db", str(db), cwd=tmp_path)
    assert status.returncode == 2
    assert not db.exists()  # neither made an empty journal that would then look like the truth


def test_a_journal_replaced_under_the_bot_stops_it_and_kill_acts_on_the_file_status_shows(
    tmp_path: Path,
) -> None:
    db, other = tmp_path / "d.db", tmp_path / "other.db"
    with running_bot(other, tmp_path):
        pass  # a journal of another bot, stopped
    with running_bot(db, tmp_path) as bot:
        type_alert(bot, ALERT)
        until(lambda: decided(db) == 1)
        db.rename(tmp_path / "moved-away.db")
        shutil.copy(other, db)
        err = stopped_by_itself(bot)
        assert bot.returncode == 1 and "was replaced by another file while this bot ran" in err
    killed = cli("kill", "--db", str(db), cwd=tmp_path)
    assert killed.returncode == 0, killed.stderr
    assert trading_state(db) == ("halted", "console kill")
    status = cli("status", "--db", str(db), cwd=tmp_path)
    assert (
        "HALTED (kill_switch: console kill)" in status.stdout and "bot       : not running" in status.stdout
    )


def test_kill_finds_the_running_bot_from_another_folder_and_refuses_a_wrong_db(tmp_path: Path) -> None:
    db, elsewhere = tmp_path / "bot" / "d.db", tmp_path / "elsewhere"
    db.parent.mkdir()
    elsewhere.mkdir()
    with running_bot(db, db.parent) as bot:
        wrong = cli("kill", "--db", "d.db", cwd=elsewhere)  # the right name, typed in the wrong folder
        assert wrong.returncode == 2
        assert (
            "no journal at d.db" in wrong.stderr and f"pid {bot.pid}: run on {db.resolve()}" in wrong.stderr
        )
        assert not (elsewhere / "d.db").exists()
        found = cli("kill", cwd=elsewhere)  # no --db, no reason: the one running bot, halted
        assert found.returncode == 0, found.stderr
        assert f"Trading halted in {db.resolve()}: console kill" in found.stdout
        assert "The running bot: done." in found.stdout
        assert trading_state(db) == ("halted", "console kill")
        type_alert(bot, ALERT)
        until(lambda: decided(db) == 1)
        [row] = journal_rows(db, "SELECT verdict, reasons FROM decisions")
        assert row["verdict"] == "denied" and "trading_halted" in row["reasons"]
        status = cli("status", cwd=elsewhere)
        assert f"bot       : running, pid {bot.pid} (run)" in status.stdout


def test_status_of_a_stopped_bot_says_so_and_shows_no_live_broker(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with running_bot(db, tmp_path) as bot:
        live = cli("status", "--db", str(db), cwd=tmp_path)
        assert f"running, pid {bot.pid}" in live.stdout and "broker    : connected at" in live.stdout
    stopped = cli("status", "--db", str(db), cwd=tmp_path)
    assert "bot       : not running (last: pid" in stopped.stdout
    assert "broker    : - (no bot is running; last: connected at" in stopped.stdout
    assert "ACTIVE (never halted)" in stopped.stdout


def test_kill_with_several_bots_and_no_db_names_them_and_all_halts_both(tmp_path: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    with running_bot(one, tmp_path), running_bot(two, tmp_path):
        unsure = cli("kill", cwd=tmp_path)  # not a terminal: it cannot ask which
        assert unsure.returncode == 2 and "2 bots are running" in unsure.stderr
        assert str(one.resolve()) in unsure.stderr and str(two.resolve()) in unsure.stderr
        both = cli("kill", "--all", "lunch", cwd=tmp_path)
        assert both.returncode == 0, both.stderr
        assert trading_state(one) == trading_state(two) == ("halted", "lunch")


def test_the_registry_forgets_a_bot_that_died(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with running_bot(db, tmp_path) as bot:
        bot.kill()
        bot.wait()
    latched = cli("kill", cwd=tmp_path, env={"JOURNAL_PATH": str(db)})  # none running: the settings' journal
    assert latched.returncode == 0 and "No bot is running on this journal" in latched.stdout
    entries = list((Path(os.environ["XDG_STATE_HOME"]) / "autoscalper" / "bots").glob(f"{bot.pid}.json"))
    assert entries == []


def test_python_kill_switch_shows_its_report_at_the_prompt() -> None:
    script = (
        "import asyncio\n"
        "from executor import Executor, MemoryStateStore, PaperBroker\n"
        "from datetime import UTC, datetime\n"
        "clock = lambda: datetime.now(UTC)\n"
        "executor = Executor(PaperBroker(clock), MemoryStateStore(), clock=clock)\n"
        "asyncio.run(executor.start())\n"
        "print(repr(executor.activate_kill_switch('manual stop')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("Kill switch: trading halted (manual stop)."), done.stderr


def test_status_tells_a_running_bot_from_a_stalled_one_by_its_heartbeat(tmp_path: Path) -> None:
    import os
    import signal
    import sqlite3

    from tests.cli import cli, console_bot

    db = tmp_path / "j.db"
    bot = console_bot(db)
    try:
        assert "; heartbeat " in cli("status", "--db", str(db)).stdout  # it journaled one at its start
        os.kill(bot.pid, signal.SIGSTOP)  # frozen: the process exists, nothing runs
        with sqlite3.connect(db) as journal:  # its last heartbeat, as old as a stall of five minutes
            journal.execute("UPDATE notices SET at = '2000-01-01T00:00:00+00:00' WHERE kind = 'heartbeat'")
        frozen = cli("status", "--db", str(db)).stdout
        assert "NOT RESPONDING: last heartbeat" in frozen and "though the process exists" in frozen
        sessions = sqlite3.connect(db).execute("SELECT detail FROM notices WHERE kind = 'session'").fetchall()
        assert sessions and sessions[0][0].startswith("autoscalper alive for ")
    finally:
        os.kill(bot.pid, signal.SIGCONT)
        bot.stdin.close()  # type: ignore[union-attr]
        bot.wait(timeout=30)
