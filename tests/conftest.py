"""Shared fixtures: paths and the golden alert corpus."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import freezegun
import pytest
from hypothesis import HealthCheck, settings

from orchestrator import calendar_cache
from risk.hours import warm_up

# pandas' C extensions crash when imported under freezegun's fake datetime; the calendar library's own
# calls keep the real clock (risk passes it explicit dates, so nothing it returns depends on it).
freezegun.configure(extend_ignore_list=["pandas", "pandas_market_calendars", "exchange_calendars", "numpy"])
# A cache of the venues' sessions of the tests' own (orchestrator/calendar_cache.py), so a run neither
# reads nor writes the user's; built here, so the calendar library is imported before any test freezes
# the clock.
# The CLI processes the tests start inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="autoscalper-tests-cache-")
# The running-bot registry (orchestrator/registry.py) of the tests' own, inherited by their CLI processes.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="autoscalper-tests-state-")
calendar_cache.install()
warm_up([2026])

# "ci" keeps the suite inside its time budget and derandomized, so a run on a clean clone is the run
# that passed here; HYPOTHESIS_PROFILE=deep searches much harder, with fresh randomness each time.
settings.register_profile(
    "ci", max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", max_examples=20000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
ALERTS = ROOT / "tests" / "fixtures" / "alerts"


@dataclass(frozen=True)
class GoldenCase:
    """One golden alert: ``NAME.txt`` holds the message, ``NAME.json`` its time and expected parse."""

    name: str
    text: str
    at: datetime
    expected: dict[str, Any]


def golden_cases() -> list[GoldenCase]:
    cases = []
    for txt in sorted(ALERTS.rglob("*.txt")):
        spec = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        at = datetime.fromisoformat(spec["at"].replace("Z", "+00:00"))
        name = str(txt.relative_to(ALERTS).with_suffix(""))
        cases.append(GoldenCase(name, txt.read_text(encoding="utf-8"), at, spec["expected"]))
    return cases


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
