"""Edits and deletes: journaled and compared, never executed blindly.

An edit is re-parsed (at the original's time) and compared with the original intent. What changed is
journaled and reported. The one case that can act: the edit changes an entry that has not filled
yet, and ``AMEND_ON_EDIT`` allows it; the old entry is then cancelled and the edited alert decided
as a new message ``<id>~edit<n>``, through every risk check (a late edit is a stale alert). A delete
is journaled; an entry still working for a deleted alert is reported, not cancelled (the analyst may
just have tidied the channel).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from parser import Intent, NotASignal, contract_json, parse_all
from risk import BracketPlan, CancelPlan

from .messages import EDIT, Delete, Edit, Message, part_id
from .pipeline import Handled, Pipeline, load_plan

SAME = "edit_same_intent"
CHANGED = "edit_changed"
UNFILLED = "edit_changes_unfilled_entry"
UNKNOWN = "edit_of_unknown_message"


async def on_edit(pipeline: Pipeline, edit: Edit, *, amend: bool) -> Handled:
    journal = pipeline.journal
    original = journal.message(edit.id)
    with journal.transaction():
        if original is None:
            _record(pipeline, edit, UNKNOWN, "the edited message was never received")
            return Handled(edit.id, "edit", "ignored", (UNKNOWN,))
        sent_at = datetime.fromisoformat(original["sent_at"])
        old, new = parse_all(original["text"], sent_at), parse_all(edit.text, sent_at)
        changes = _changes(contract_json(old), contract_json(new))
        if not changes:
            _record(pipeline, edit, SAME, "the edit reads as the same alert", new)
            return Handled(edit.id, "edit", "ignored", (SAME,))
        detail = "; ".join(changes)
        if not _unfilled_entry(pipeline, edit.id):
            _record(pipeline, edit, CHANGED, detail, new)
            return Handled(edit.id, "edit", "reported", (CHANGED,), detail)
        edit_id = _record(pipeline, edit, UNFILLED, detail, new)
        if not amend:
            return Handled(edit.id, "edit", "reported", (UNFILLED,), f"{detail} (AMEND_ON_EDIT is off)")
    # After the edit's commit: the amended alert goes through ``on_message``, which commits its
    # decision before a plan leaves for a broker outside the process.
    return await _amend(pipeline, edit, original, edit_id, detail)


def on_delete(pipeline: Pipeline, delete: Delete) -> Handled:
    journal = pipeline.journal
    journal.record_delete(delete.id, delete.at)
    if _unfilled_entry(pipeline, delete.id):
        detail = f"alert {delete.id} was deleted; its entry is still working (cancel it with a cancel alert)"
        journal.record_notice("deleted_alert_working", delete.at, detail)
        return Handled(delete.id, "delete", "reported", ("deleted_entry_working",), detail)
    holding = pipeline.executor.book.holdings.get(delete.id)
    if holding is not None and holding.quantity > 0:
        detail = (
            f"alert {delete.id} was deleted; you still hold {holding.quantity} {holding.key} from it "
            "(its stop and target stay working: exit by hand or with an exit alert)"
        )
        journal.record_notice("deleted_alert_held", delete.at, detail)
        return Handled(delete.id, "delete", "reported", ("deleted_position_held",), detail)
    return Handled(delete.id, "delete", "ignored", ("deleted",))


async def _amend(
    pipeline: Pipeline, edit: Edit, original: dict[str, Any], edit_id: int, detail: str
) -> Handled:
    plan = _approved_bracket(pipeline, edit.id)
    assert plan is not None  # _unfilled_entry found it
    new_id = f"{edit.id}~edit{edit_id}"
    cancel = CancelPlan(
        message_id=f"{new_id}-cancel", instrument=plan.instrument, side=plan.side, position=edit.id
    )
    cancelled = await pipeline.executor.execute(cancel)
    pipeline.journal.record_notice(
        "edit_amend", edit.at, f"{edit.id}: cancel {cancelled.outcome} {cancelled.detail}"
    )
    if cancelled.outcome != "sent":
        return Handled(edit.id, "edit", "reported", (UNFILLED, "amend_cancel_failed"), cancelled.detail)
    amended = Message(
        id=new_id,
        channel_id=original["channel_id"],
        author_id=original["author_id"],
        text=edit.text,
        sent_at=edit.at,
        received_at=edit.at,
        source=EDIT,
    )
    pipeline.forget_entry(edit.id)  # cancelled unfilled: it no longer counts as today's entry
    placed = await pipeline.on_message(amended)
    reasons = placed.reasons or ()
    return Handled(
        edit.id,
        "edit",
        "amended" if placed.verdict == "approved" else "reported",
        reasons,
        f"{detail}; {new_id} {placed.verdict}: {placed.detail}",
        placed.execution,
    )


def _unfilled_entry(pipeline: Pipeline, message_id: str) -> bool:
    """The message opened a position whose entry is working and of which nothing has filled."""
    holding = pipeline.executor.book.holdings.get(message_id)
    if holding is None or holding.quantity or holding.fills:
        return False
    return bool(pipeline.executor.book.working(message_id))


def _approved_bracket(pipeline: Pipeline, message_id: str) -> BracketPlan | None:
    raw = pipeline.journal.approved_plan(message_id)
    if raw is None:
        return None
    plan = load_plan(raw)
    return plan if isinstance(plan, BracketPlan) else None


def _record(
    pipeline: Pipeline,
    edit: Edit,
    comparison: str,
    detail: str,
    intents: Sequence[Intent | NotASignal] = (),
) -> int:
    edit_id = pipeline.journal.record_edit(edit.id, edit.at, edit.text, comparison, detail)
    for number, intent in enumerate(intents, 1):
        pipeline.journal.record_intent(part_id(edit.id, number), intent, edit_id)
    pipeline.journal.record_notice(comparison, edit.at, f"{edit.id}: {detail}")
    return edit_id


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"{key}: {old.get(key)!s} -> {new.get(key)!s}" for key in new if old.get(key) != new.get(key)]
