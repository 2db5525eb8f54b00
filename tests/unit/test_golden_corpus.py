"""The golden corpus: every message in tests/fixtures/alerts parses to exactly its expected JSON.

Adding a case is adding two files: ``group/name.txt`` (the message) and ``group/name.json``
(``{"at": ISO time, "expected": <parse JSON>, "note": optional}``).
"""

from __future__ import annotations

import json

import pytest
from tests.conftest import ALERTS, GoldenCase, golden_cases

from parser import contract_json, parse_all

CASES = golden_cases()
# The classes of the parser issue, each written as its own folder with its must-not-trade twins.
ISSUE_CLASSES = ("ticker_evidence", "tags_and_sizes", "word_orders", "entry_layouts", "levels", "management",
                 "scope", "market_talk", "garbled", "assets", "multi")  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_message_parses_to_expected_json(case: GoldenCase) -> None:
    got = contract_json(parse_all(case.text, case.at))
    assert got == case.expected, json.dumps(got, indent=1)


def test_golden_corpus_pairs_every_message_with_an_expectation() -> None:
    texts = {p.with_suffix("") for p in ALERTS.rglob("*.txt")}
    specs = {p.with_suffix("") for p in ALERTS.rglob("*.json")}
    assert texts == specs


def test_golden_corpus_covers_every_class_with_enough_refusals() -> None:
    groups = {c.name.split("/")[0] for c in CASES}
    assert {"option_entry", "futures", "stock", "exit", "trim", "move_stop", "add", "cancel"} <= groups
    refusals = [c for c in CASES if c.expected["kind"] == "none"]
    assert len(CASES) >= 550
    assert len(refusals) >= 150
    reasons = {c.expected["reason"] for c in refusals}
    assert {"commentary", "recap", "conditional", "question", "watchlist", "missing_right", "retracted",
            "ambiguous", "negated", "discretionary", "informational",
            "missing_symbol"} <= reasons  # fmt: skip


@pytest.mark.parametrize("group", ISSUE_CLASSES)
def test_each_language_class_has_twenty_cases_with_twins_that_must_not_trade(group: str) -> None:
    cases = [c for c in CASES if c.name.startswith(group + "/")]
    assert len(cases) >= 20
    refused = [c for c in cases if c.expected["kind"] == "none"]
    acting = [c for c in cases if c.expected["kind"] != "none"]
    assert refused and acting  # each class shows both what trades and what must not
