"""A long replay from the command line: plain lines as they are read (no table layout), and the
``--json`` summary, streamed from the journal, byte for byte what ``json.dumps`` of the in-process
summary is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli import cli
from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay


def test_a_long_replay_prints_plain_lines_and_the_same_summary(tmp_path: Path) -> None:
    lines = channel_session(1_200, days=2)
    session = tmp_path / "channel.jsonl"
    session.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli("replay", str(session), "--json", env=CHANNEL_SESSION_SETTINGS)
    assert out.returncode == 0, out.stderr
    printed = out.stdout.strip().splitlines()
    assert not any("│" in line for line in printed)  # no table: a line per decision
    assert any(" approved  'BTO SPY " in line and " -> buy 2 SPY " in line for line in printed)
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[arg-type]
    result = asyncio.run(replay(lines, settings, tmp_path / "j.db", source=str(session.resolve())))
    ignored = sum(d["verdict"] == "ignored" for d in result.summary["decisions"])
    assert f"{ignored:,} ignored messages" in out.stdout
    assert printed[-1] == json.dumps(result.summary)
