"""The golden corpus: every message in tests/fixtures/alerts parses to exactly its expected JSON.

Adding a case is adding two files: ``group/name.txt`` (the message) and ``group/name.json``
(``{"at": ISO time, "expected": <parse JSON>, "note": optional}``).
"""

from __future__ import annotations

import json

import pytest
from tests.conftest import ALERTS, GoldenCase, golden_cases

from parser import parse

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_message_parses_to_expected_json(case: GoldenCase) -> None:
    got = parse(case.text, case.at).to_contract()
    assert got == case.expected, json.dumps(got, indent=1)


def test_golden_corpus_pairs_every_message_with_an_expectation() -> None:
    texts = {p.with_suffix("") for p in ALERTS.rglob("*.txt")}
    specs = {p.with_suffix("") for p in ALERTS.rglob("*.json")}
    assert texts == specs


def test_golden_corpus_covers_every_class_with_enough_refusals() -> None:
    groups = {c.name.split("/")[0] for c in CASES}
    assert {"option_entry", "futures", "stock", "exit", "trim", "move_stop", "add", "cancel"} <= groups
    refusals = [c for c in CASES if c.expected["kind"] == "none"]
    assert len(CASES) >= 250
    assert len(refusals) >= 60
    reasons = {c.expected["reason"] for c in refusals}
    assert {"commentary", "recap", "conditional", "question", "watchlist", "missing_right"} <= reasons
