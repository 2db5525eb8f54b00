"""Named writes of what the pipeline, the edits and the replay journal: one method per kind of row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from parser import Intent, NotASignal
from risk import OrderPlan, trading_day

from ..messages import Message
from .tables import Tables, iso


class Records(Tables):
    run_id: int | None

    def record_message(self, message: Message) -> None:
        """The message as received; one already journaled (a redelivery) is kept as it was."""
        self._insert(
            "messages",
            {
                "id": message.id,
                "run_id": self.run_id,
                "source": message.source,
                "channel_id": message.channel_id,
                "author_id": message.author_id,
                "text": message.text,
                "sent_at": message.sent_at,
                "received_at": message.received_at,
                "reply_to": message.reply_to,
            },
            ignore=True,
        )

    def record_intent(self, message_id: str, intent: Intent | NotASignal, edit_id: int | None = None) -> None:
        contract = intent.to_contract()
        instrument = contract.get("instrument") or {}
        self._insert(
            "intents",
            {
                "message_id": message_id,
                "edit_id": edit_id,
                "kind": intent.kind,
                "instrument": instrument.get("symbol"),
                "reason": contract.get("reason"),
                "parsed": json.dumps(contract),
            },
        )

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
    ) -> None:
        """``codes`` are the reasons of a denial or refusal, the notes of an approval."""
        approved = verdict == "approved"
        self._insert(
            "decisions",
            {
                "message_id": message_id,
                "at": iso(at),
                "trading_day": trading_day(at).isoformat(),
                "kind": kind,
                "verdict": verdict,
                "reasons": json.dumps([] if approved else list(codes)),
                "notes": json.dumps(list(codes) if approved else []),
                "sentence": sentence,
                "position": position,
                "plan": plan.model_dump_json() if plan is not None else None,
            },
        )

    def record_execution(self, message_id: str, at: datetime, outcome: str, detail: str) -> None:
        self._insert(
            "executions", {"message_id": message_id, "at": iso(at), "outcome": outcome, "detail": detail}
        )

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
