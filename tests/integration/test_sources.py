"""The source seam: any ``AlertSource`` runs in the one loop (``sources.base.listen``) with the
control poller; a source registered with one line in ``KINDS`` is started by ``run --source``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests import audit
from tests.builders import MONDAY
from tests.trading import SimClock, paper_bot

from executor import Notice, OrderFilled
from orchestrator.app import Orchestrator
from orchestrator.cli import main
from orchestrator.control import latch
from orchestrator.journal import Journal, JournalGone
from orchestrator.messages import Message
from orchestrator.pipeline import Allowlist
from orchestrator.sources import KINDS, listen
from orchestrator.sources.base import SourceContext, SourceKind

ALERT = "BTO MES @ 5001.25 stop 4991"


class ListSource:
    """A source of the tests' own: hands its texts to the bot, then ends (or waits, with ``hold``)."""

    name = "list"

    def __init__(self, orchestrator: Orchestrator, texts: list[str], *, hold: bool = False) -> None:
        self.orchestrator, self.texts, self.hold = orchestrator, texts, hold
        self.events: list[str] = []
        self.notices: list[Notice] = []

    async def start(self) -> None:
        self.events.append("start")

    async def deliver(self) -> None:
        for number, text in enumerate(self.texts, 1):
            now = self.orchestrator.clock()
            message = Message(
                id=f"list:{number}", text=text, sent_at=now, received_at=now, source="list", author_id="me"
            )
            await self.orchestrator.on_message(message)
        if self.hold:
            await asyncio.Event().wait()

    def notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    async def stop(self, because: BaseException | None = None) -> None:
        self.events.append(f"stop {type(because).__name__}" if because else "stop")


class FailingSource(ListSource):
    async def deliver(self) -> None:
        raise RuntimeError("the service hung up")


def _bot(tmp_path: Path) -> Orchestrator:
    return paper_bot(tmp_path / "j.db", SimClock(MONDAY), allow={"list": Allowlist()})


async def test_a_source_delivers_alerts_gets_the_fills_and_is_stopped_when_its_input_ends(
    tmp_path: Path,
) -> None:
    bot = _bot(tmp_path)
    try:
        await bot.start()
        source = ListSource(bot, ["good morning", ALERT])
        await listen(bot, [source], lambda line: None)
        assert source.events == ["start", "stop"]
        decided = audit.rows(bot.journal, "SELECT message_id, verdict FROM decisions ORDER BY id")
        assert [(d["message_id"], d["verdict"]) for d in decided] == [
            ("list:1", "ignored"),
            ("list:2", "approved"),
        ]
        assert any(isinstance(n, OrderFilled) for n in source.notices)  # notices in: the entry's fill
    finally:
        await bot.shutdown()


async def test_one_failing_source_stops_the_others_and_the_error_reaches_the_caller(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    try:
        await bot.start()
        steady, failing = ListSource(bot, [], hold=True), FailingSource(bot, [])
        with pytest.raises(RuntimeError, match="hung up"):
            await listen(bot, [steady, failing], lambda line: None)
        assert steady.events == ["start", "stop"] and failing.events == ["start", "stop"]
    finally:
        await bot.shutdown()


async def test_the_control_poller_runs_beside_every_source(tmp_path: Path) -> None:
    """A console kill latched in the journal reaches the bot while its source waits for input."""
    bot = _bot(tmp_path)
    said: list[str] = []
    try:
        await bot.start()
        source = ListSource(bot, [ALERT], hold=True)
        running = asyncio.create_task(listen(bot, [source], said.append))
        other = Journal(bot.journal.path, create=False)  # another process's connection
        latch(other, "kill", reason="drill")
        other.close()
        for _ in range(100):
            if any("Flat: yes." in line for line in said):
                break
            await asyncio.sleep(0.05)
        assert any("Flat: yes." in line for line in said)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        assert source.events == ["start", "stop"]
    finally:
        await bot.shutdown()


async def test_a_journal_gone_under_the_bot_stops_every_source_with_the_reason(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    try:
        await bot.start()
        source = ListSource(bot, [], hold=True)
        running = asyncio.create_task(listen(bot, [source], lambda line: None))
        await asyncio.sleep(0.05)
        bot.journal.path.rename(tmp_path / "moved.db")
        with pytest.raises(JournalGone):
            await asyncio.wait_for(running, 5)
        assert source.events == ["start", "stop JournalGone"]
    finally:
        await bot.shutdown()


def test_a_source_registered_with_one_line_is_started_by_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[ListSource] = []

    def build(context: SourceContext) -> ListSource:
        built.append(ListSource(context.orchestrator, [ALERT]))
        return built[-1]

    kind = SourceKind(
        name="list", message_sources=("list",), allowlist=lambda settings: Allowlist(), build=build
    )
    monkeypatch.setitem(KINDS, "list", kind)
    db = tmp_path / "j.db"
    done = CliRunner().invoke(main, ["run", "--source", "list", "--db", str(db)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert [s.events for s in built] == [["start", "stop"]]
    journal = Journal(db, create=False)
    decided = audit.value(journal, "SELECT kind FROM decisions WHERE message_id = 'list:1'")
    assert decided == "open"  # decided like any alert (its verdict depends on today's market hours)
    journal.close()


@pytest.mark.parametrize("args", [["--source", "fax"], ["--source", "session"], ["--source", "console"]])
def test_run_refuses_a_source_it_cannot_start(tmp_path: Path, args: list[str]) -> None:
    done = CliRunner().invoke(main, ["run", *args, "--db", str(tmp_path / "j.db")])
    assert done.exit_code == 2
    assert "--source" in done.output or "--input" in done.output
    assert not (tmp_path / "j.db").exists()  # refused before anything was opened


def test_sigterm_stops_a_console_run_cleanly_with_a_checkpoint(tmp_path: Path) -> None:
    """systemd and ``docker stop`` send SIGTERM: the bot stops like Ctrl-C, closes the journal and
    writes the checkpoint the next start reads from."""
    import signal

    from tests.cli import console_bot

    db = tmp_path / "j.db"
    bot = console_bot(db)
    try:
        bot.send_signal(signal.SIGTERM)
        _, err = bot.communicate(timeout=30)
    finally:
        bot.kill()
    assert bot.returncode == 0 and "stopped." in err
    journal = Journal(db, create=False)
    assert audit.value(journal, "SELECT COUNT(*) FROM checkpoints") == 2  # at start, at the shutdown
    journal.close()
