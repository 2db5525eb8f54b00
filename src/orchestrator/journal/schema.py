"""The journal's schema, versioned with sqlite-utils' migrations: add a migration, never edit one.

Tables are append-only records of what happened; the current state (open positions, working orders,
daily P&L) is derived by views, so an audit with ``datasette JOURNAL`` reads the same facts the bot
acted on. Times are ISO-8601 UTC text; prices are decimal text so no cent is lost to a float.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from .version import MIGRATION_SET

MIGRATIONS = Migrations(MIGRATION_SET)

_TABLES = {
    "runs": (
        {
            "id": int,
            "started_at": str,
            "command": str,
            "version": str,
            "mode": str,
            "broker": str,
            "pid": int,
            "host": str,
            "settings": str,
        },
        {},
    ),
    "messages": (
        {
            "id": str,
            "run_id": int,
            "source": str,
            "channel_id": str,
            "author_id": str,
            "text": str,
            "sent_at": str,
            "received_at": str,
            "reply_to": str,
        },
        {"run_id": "runs"},
    ),
    "message_edits": (
        {"id": int, "message_id": str, "at": str, "text": str, "comparison": str, "detail": str},
        {"message_id": "messages"},
    ),
    "intents": (
        {
            "id": int,
            "message_id": str,
            "edit_id": int,
            "kind": str,
            "instrument": str,
            "reason": str,
            "parsed": str,
        },
        {"message_id": "messages", "edit_id": "message_edits"},
    ),
    "message_deletes": ({"id": int, "message_id": str, "at": str}, {"message_id": "messages"}),
    "decisions": (
        {
            "id": int,
            "message_id": str,
            "at": str,
            "trading_day": str,
            "kind": str,
            "verdict": str,
            "reasons": str,
            "notes": str,
            "sentence": str,
            "position": str,
            "plan": str,
        },
        {"message_id": "messages"},
    ),
    "executions": (
        {"id": int, "message_id": str, "at": str, "outcome": str, "detail": str},
        {"message_id": "messages"},
    ),
    "orders": (
        {
            "client_id": str,
            "message_id": str,
            "position": str,
            "instrument": str,
            "action": str,
            "order_type": str,
            "role": str,
            "leg": int,
            "quantity": int,
            "price": str,
            "alert_price": str,
            "parent": str,
            "submitted_at": str,
        },
        {"message_id": "messages"},
    ),
    "order_events": (
        {"id": int, "at": str, "kind": str, "client_id": str, "status": str, "detail": str, "event": str},
        {"client_id": "orders"},
    ),
    "fills": (
        {
            "fill_id": str,
            "client_id": str,
            "message_id": str,
            "position": str,
            "instrument": str,
            "side": str,
            "opens": int,
            "quantity": int,
            "multiplier": int,
            "price": str,
            "alert_price": str,
            "commission": str,
            "realized": str,
            "at": str,
            "trading_day": str,
        },
        {"client_id": "orders", "message_id": "messages"},
    ),
    "trading_states": (
        {"id": int, "at": str, "state": str, "cause": str, "detail": str, "run_id": int},
        {"run_id": "runs"},
    ),
    "notices": ({"id": int, "at": str, "kind": str, "detail": str}, {}),
    "control_requests": (
        {"id": int, "at": str, "command": str, "reason": str, "flatten": int, "requested_by": str},
        {},
    ),
    "control_results": (
        {"request_id": int, "at": str, "outcome": str, "detail": str},
        {"request_id": "control_requests"},
    ),
    "watermarks": ({"id": int, "source": str, "position": str, "at": str}, {}),
    # Every replayed input (message, edit, delete, quote, command), written once it was handled: the
    # replay's watermark, and what ``replay --compare`` re-runs.
    "inputs": ({"id": int, "source": str, "line": int, "at": str, "type": str, "payload": str}, {}),
}

_PRIMARY = {"messages": "id", "orders": "client_id", "fills": "fill_id", "control_results": "request_id"}

_INDEXES = {
    "decisions": ["message_id"],
    "executions": ["message_id"],
    "order_events": ["client_id"],
    "fills": ["position"],
    "message_edits": ["message_id"],
    "watermarks": ["source"],
    "inputs": ["source"],
}

_VIEWS = {
    # A position is open while its fills leave contracts held.
    "open_positions": """
        SELECT position, instrument, side,
               SUM(CASE WHEN opens THEN quantity ELSE -quantity END) AS quantity,
               printf('%.4f', SUM(CASE WHEN opens THEN quantity * CAST(price AS REAL) END)
                              / SUM(CASE WHEN opens THEN quantity END)) AS avg_price,
               MIN(at) AS opened_at
        FROM fills GROUP BY position
        HAVING SUM(CASE WHEN opens THEN quantity ELSE -quantity END) > 0""",
    # An order works until its latest status is filled, cancelled or rejected.
    "working_orders": """
        SELECT o.client_id, o.message_id, o.position, o.instrument, o.action, o.role, o.order_type,
               o.quantity, o.price, latest.status, latest.at AS since
        FROM orders o JOIN order_events latest ON latest.id = (
            SELECT MAX(id) FROM order_events e WHERE e.client_id = o.client_id AND e.status IS NOT NULL)
        WHERE latest.status IN ('pending', 'held', 'working')""",
    "daily_pnl": """
        SELECT trading_day,
               printf('%.2f', SUM(CAST(realized AS REAL))) AS realized_gross,
               printf('%.2f', SUM(CAST(commission AS REAL))) AS commissions,
               printf('%.2f', SUM(CAST(realized AS REAL)) - SUM(CAST(commission AS REAL))) AS realized_net,
               COUNT(*) AS fills
        FROM fills GROUP BY trading_day ORDER BY trading_day""",
    "trading_state": "SELECT * FROM trading_states ORDER BY id DESC LIMIT 1",
}


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    for name, (columns, foreign) in _TABLES.items():
        pk = _PRIMARY.get(name, "id")
        db.create_table(name, columns, pk=pk, foreign_keys=[(col, table) for col, table in foreign.items()])
    for name, indexed in _INDEXES.items():
        for column in indexed:
            db[name].create_index([column])  # type: ignore[union-attr]
    for name, sql in _VIEWS.items():
        db.create_view(name, sql)


@MIGRATIONS()
def m002_checkpoints(db: Database) -> None:
    """What a restart starts from: the positions still open or with orders working at a trading
    day's end (or a clean shutdown), and the last broker event before it. A restart replays only
    those positions' events, the recent days' fills and what came after."""
    db.create_table(
        "checkpoints",
        {"id": int, "at": str, "trading_day": str, "last_event_id": int, "positions": str},
        pk="id",
    )
    db["orders"].create_index(["position"])  # type: ignore[union-attr]
    db["fills"].create_index(["trading_day"])  # type: ignore[union-attr]
    db["decisions"].create_index(["trading_day"])  # type: ignore[union-attr]


@MIGRATIONS()
def m003_fill_price_basis(db: Database) -> None:
    """How the simulator priced a fill no market priced: ``at_alert_price`` or ``no_quote`` (NULL: a
    quote or the broker priced it)."""
    db["fills"].add_column("price_basis", str)  # type: ignore[union-attr]


@MIGRATIONS()
def m004_fill_quote(db: Database) -> None:
    """The quote the simulator filled on, as JSON (bid, ask, last, at, delayed): what an audit checks
    a paper fill against. NULL for a broker's fill or a made-up one."""
    db["fills"].add_column("quote", str)  # type: ignore[union-attr]


@MIGRATIONS()
def m005_decision_profile(db: Database) -> None:
    """The profile (``PROFILES_FILE``) whose settings decided the message; NULL: the global settings."""
    db["decisions"].add_column("profile", str)  # type: ignore[union-attr]
