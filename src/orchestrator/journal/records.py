"""Named writes of what the pipeline, the edits and the replay journal: one method per kind of row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from parser import Intent, NotASignal
from risk import OrderPlan, trading_day

from ..messages import Message
from .tables import Tables, iso

_MESSAGE = (
    "INSERT OR IGNORE INTO messages (id, run_id, source, channel_id, author_id, text, sent_at, received_at,"
    " reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INTENT = (
    "INSERT INTO intents (message_id, edit_id, kind, instrument, reason, parsed) VALUES (?, ?, ?, ?, ?, ?)"
)
_DECISION = (
    "INSERT INTO decisions (message_id, at, trading_day, kind, verdict, reasons, notes, sentence,"
    " position, plan, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_EXECUTION = "INSERT INTO executions (message_id, at, outcome, detail) VALUES (?, ?, ?, ?)"
_INPUT = "INSERT INTO inputs (source, line, at, type, payload) VALUES (?, ?, ?, ?, ?)"


@lru_cache(maxsize=256)
def _codes(codes: tuple[str, ...]) -> str:
    return json.dumps(list(codes))


class Records(Tables):
    run_id: int | None

    def record_message(self, message: Message) -> None:
        """The message as received; one already journaled (a redelivery) is kept as it was."""
        self._write(
            _MESSAGE,
            (
                message.id,
                self.run_id,
                message.source,
                message.channel_id,
                message.author_id,
                message.text,
                iso(message.sent_at),
                iso(message.received_at),
                message.reply_to,
            ),
        )

    def record_intent(self, message_id: str, intent: Intent | NotASignal, edit_id: int | None = None) -> None:
        contract = intent.to_contract()
        instrument = contract.get("instrument") or {}
        values = (message_id, edit_id, intent.kind, instrument.get("symbol"), contract.get("reason"))
        self._write(_INTENT, (*values, json.dumps(contract)))

    def record_decision(
        self,
        message_id: str,
        at: datetime,
        *,
        kind: str,
        verdict: str,
        codes: Sequence[str],
        sentence: str,
        position: str | None,
        plan: OrderPlan | None,
        profile: str | None = None,
    ) -> None:
        """``codes`` are the reasons of a denial or refusal, the notes of an approval."""
        approved = verdict == "approved"
        codes_json, none = _codes(tuple(codes)), "[]"
        self._write(
            _DECISION,
            (
                message_id,
                iso(at),
                trading_day(at).isoformat(),
                kind,
                verdict,
                none if approved else codes_json,
                codes_json if approved else none,
                sentence,
                position,
                plan.model_dump_json() if plan is not None else None,
                profile,
            ),
        )

    def record_execution(self, message_id: str, at: datetime, outcome: str, detail: str) -> None:
        self._write(_EXECUTION, (message_id, iso(at), outcome, detail))

    def record_edit(self, message_id: str, at: datetime, text: str, comparison: str, detail: str) -> int:
        return self._insert(
            "message_edits",
            {
                "message_id": message_id,
                "at": iso(at),
                "text": text,
                "comparison": comparison,
                "detail": detail,
            },
        )

    def record_delete(self, message_id: str, at: datetime) -> None:
        self._insert("message_deletes", {"message_id": message_id, "at": iso(at)})

    def record_input(self, source: str, line: int, at: datetime, kind: str, payload: str) -> None:
        """A replayed session line: the replay's watermark and what ``--compare`` re-runs."""
        self._insert(
            "inputs", {"source": source, "line": line, "at": iso(at), "type": kind, "payload": payload}
        )

    def record_checkpoint(self, at: datetime, positions: Sequence[str]) -> None:
        """A checkpoint after the last broker event journaled so far (see ``recovery_events``)."""
        last = self._value("SELECT MAX(id) FROM order_events") or 0
        row = {
            "at": iso(at),
            "trading_day": trading_day(at).isoformat(),
            "last_event_id": last,
            "positions": json.dumps(sorted(positions)),
        }
        self._insert("checkpoints", row)
