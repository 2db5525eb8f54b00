"""The journal's canned audit queries, and the datasette metadata that offers them for a journal of
any name (``autoscalper audit``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TITLE = "autoscalper journal"

QUERIES: dict[str, dict[str, str]] = {
    "message_story": {
        "title": "A message's story",
        "description": "The message, how it was read, the decision, the orders and the fills it caused.",
        "sql": (
            "SELECT 'message' AS step, m.received_at AS at, m.text AS detail\n"
            "  FROM messages m WHERE m.id = :message_id\n"
            "UNION ALL SELECT 'intent', NULL, i.parsed FROM intents i WHERE i.message_id = :message_id\n"
            "UNION ALL SELECT 'decision', d.at, d.verdict || ' ' || d.reasons || ': ' || d.sentence\n"
            "  FROM decisions d WHERE d.message_id = :message_id\n"
            "UNION ALL SELECT 'execution', e.at, e.outcome || ' ' || e.detail\n"
            "  FROM executions e WHERE e.message_id = :message_id\n"
            "UNION ALL SELECT 'order', o.submitted_at, o.client_id || ' ' || o.action || ' ' || o.quantity\n"
            "  || ' ' || o.instrument || ' ' || o.order_type || ' ' || coalesce(o.price, '')\n"
            "  FROM orders o WHERE o.message_id = :message_id\n"
            "UNION ALL SELECT 'fill', f.at, f.side || ' ' || f.quantity || ' @ ' || f.price\n"
            "  || ' (realized ' || f.realized || ')' FROM fills f WHERE f.message_id = :message_id"
        ),
    },
    "days_decisions": {
        "title": "The day's decisions",
        "sql": (
            "SELECT d.at, m.id, m.author_id, m.text, d.verdict, d.reasons, d.sentence\n"
            "FROM decisions d JOIN messages m ON m.id = d.message_id\n"
            "WHERE d.trading_day = :trading_day ORDER BY d.id"
        ),
    },
    "denials_by_reason": {
        "title": "Denials by reason",
        "sql": (
            "SELECT j.value AS reason, COUNT(*) AS denials\n"
            "FROM decisions d, json_each(d.reasons) j WHERE d.verdict = 'denied'\n"
            "GROUP BY j.value ORDER BY denials DESC"
        ),
    },
    "kill_switch_history": {
        "title": "Kill switch history",
        "sql": ("SELECT at, state, cause, detail FROM trading_states ORDER BY id"),
    },
}


def datasette_metadata(journal: Path) -> dict[str, Any]:
    """Datasette's metadata for ``journal``: the canned queries under the name datasette gives the file."""
    return {"title": TITLE, "databases": {journal.stem: {"queries": QUERIES}}}
