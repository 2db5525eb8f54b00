"""Named reads of the journal: what the pipeline, the listeners, the views and the console ask it.

Each returns plain values or rows (a dict per row, keyed by column) and takes its parameters bound,
never formatted into the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from .tables import Row, Tables, iso, parent_id_sql, parts_range

_FIRST_DECISIONS = (
    "SELECT d.message_id, d.verdict, d.reasons, d.plan, d.sentence, m.text FROM decisions d"
    " JOIN messages m ON m.id = d.message_id"
    " WHERE d.id IN (SELECT MIN(id) FROM decisions GROUP BY message_id) ORDER BY d.id"
)
_TRADE_FILLS = (
    "SELECT f.*, m.author_id, m.source FROM fills f"  # noqa: S608 - constant SQL; the days are bound
    f" LEFT JOIN messages m ON m.id = {parent_id_sql('f.position')}"
    " WHERE f.position IN (SELECT position FROM fills WHERE trading_day IN ({marks})) ORDER BY f.at"
)


_PART_BOUNDS = parts_range("")  # (mark, the character after it): the bounds of ``m1#...`` after ``m1``


class Queries(Tables):
    # ------------------------------------------------------------------ messages

    def message(self, message_id: str) -> Row | None:
        rows = self._rows("SELECT * FROM messages WHERE id = ?", message_id)
        return rows[0] if rows else None

    def has_message(self, message_id: str) -> bool:
        return self._value("SELECT 1 FROM messages WHERE id = ?", message_id) is not None

    def author_of(self, message_id: str) -> str | None:
        return self._value("SELECT author_id FROM messages WHERE id = ?", message_id)  # type: ignore[no-any-return]

    def channel_of(self, message_id: str) -> str | None:
        return self._value("SELECT channel_id FROM messages WHERE id = ?", message_id)  # type: ignore[no-any-return]

    def latest_text(self, message_id: str) -> str | None:
        """The message's text as last journaled (its latest edit, else the original); None if unknown."""
        for sql in (
            "SELECT text FROM message_edits WHERE message_id = ? ORDER BY id DESC LIMIT 1",
            "SELECT text FROM messages WHERE id = ?",
        ):
            text = self._value(sql, message_id)
            if text is not None:
                return str(text)
        return None

    def instrument_of(self, signal_id: str) -> str | None:
        """The symbol the instruction's latest intent names, if any."""
        return self._value(  # type: ignore[no-any-return]
            "SELECT instrument FROM intents WHERE message_id = ? AND instrument IS NOT NULL ORDER BY id DESC",
            signal_id,
        )

    def newest_decided(self, channel_id: str, sources: Iterable[str]) -> int | None:
        """The highest numeric id of a decided message of ``channel_id`` from ``sources``."""
        kinds = tuple(sources)
        marks = ", ".join("?" * len(kinds))
        value = self._value(
            "SELECT MAX(CAST(m.id AS INTEGER)) FROM messages m JOIN decisions d ON d.message_id = m.id"  # noqa: S608
            f" WHERE m.channel_id = ? AND m.source IN ({marks})",
            channel_id,
            *kinds,
        )
        return None if value is None else int(value)

    def recent_messages(self, limit: int = 8) -> list[Row]:
        return self._rows(
            "SELECT m.id, m.source, m.received_at, m.author_id, m.text, d.verdict, d.reasons, d.sentence"
            " FROM messages m LEFT JOIN decisions d ON d.message_id = m.id"
            " ORDER BY m.received_at DESC LIMIT ?",
            limit,
        )

    def received_messages(self) -> list[Row]:
        """Every message as received, in the order they came: not edits, not the bot's own rule
        instructions (a re-run makes its own)."""
        return self._rows(
            "SELECT * FROM messages WHERE source NOT IN ('edit', 'rule') ORDER BY received_at, rowid"
        )

    def message_with_parts(self, message_id: str) -> list[Row]:
        """The message with its first decision and execution, then a row for each further
        instruction (``m1#2``): what the session table shows."""
        found = self._rows(
            "SELECT m.id, m.author_id, m.text, m.received_at, d.verdict, d.sentence,"
            " e.outcome, e.detail AS exec_detail FROM messages m"
            " LEFT JOIN decisions d ON d.id = (SELECT MIN(id) FROM decisions WHERE message_id = m.id)"
            " LEFT JOIN executions e ON e.id = (SELECT MIN(id) FROM executions WHERE message_id = m.id)"
            " WHERE m.id = ?",
            message_id,
        )
        if not found:
            return []
        parts = self._rows(
            "SELECT d.message_id AS id, d.verdict, d.sentence, e.outcome, e.detail AS exec_detail"
            " FROM decisions d"
            " LEFT JOIN executions e"
            " ON e.id = (SELECT MIN(id) FROM executions WHERE message_id = d.message_id)"
            " WHERE d.id IN (SELECT MIN(id) FROM decisions WHERE message_id > ? AND message_id < ?"
            " GROUP BY message_id) ORDER BY d.id",
            *parts_range(message_id),
        )
        first = found[0]
        same = {"author_id": first["author_id"], "text": "", "received_at": first["received_at"]}
        return [first, *({**same, **part} for part in parts)]

    # ------------------------------------------------------------------ decisions

    def decided(self, message_id: str) -> bool:
        return self._value("SELECT 1 FROM decisions WHERE message_id = ?", message_id) is not None

    def approved_plan(self, message_id: str) -> str | None:
        """The JSON of the message's latest approved plan."""
        return self._value(  # type: ignore[no-any-return]
            "SELECT plan FROM decisions WHERE message_id = ? AND verdict = 'approved'"
            " ORDER BY id DESC LIMIT 1",
            message_id,
        )

    def decision_profile(self, message_id: str | None) -> str | None:
        """The profile that decided the message (None: the global settings, or no decision)."""
        if message_id is None:
            return None
        return self._value(  # type: ignore[no-any-return]
            "SELECT profile FROM decisions WHERE message_id = ? ORDER BY id DESC LIMIT 1", message_id
        )

    def decisions_of(self, message_id: str) -> list[Row]:
        """The message's decisions and its further instructions', oldest first."""
        return self._rows(
            "SELECT message_id, kind, verdict, reasons FROM decisions"
            " WHERE message_id = ? OR (message_id > ? AND message_id < ?) ORDER BY id",
            message_id,
            *parts_range(message_id),
        )

    def first_decisions(self) -> list[Row]:
        """Each instruction's first decision with its message's text (what ``--compare`` compares)."""
        return self._rows(_FIRST_DECISIONS)

    def reference(self, message_id: str) -> tuple[str | None] | None:
        """(the position) a signal opened or acted on, as its latest decision says; None when the
        message is no signal the bot decided (chatter, or unknown)."""
        row = self.conn.execute(
            "SELECT position FROM decisions WHERE message_id = ? AND kind != 'none' ORDER BY id DESC LIMIT 1",
            (message_id,),
        ).fetchone()
        return None if row is None else (row[0],)

    def entries_on(self, day: str) -> list[Row]:
        """The plans approved on trading day ``day`` that reached the broker, oldest first."""
        return self._rows(
            "SELECT d.message_id, d.plan, d.at FROM decisions d"
            " WHERE d.trading_day = ? AND d.plan IS NOT NULL AND d.kind != 'none' AND EXISTS"
            " (SELECT 1 FROM executions e WHERE e.message_id = d.message_id"
            " AND e.outcome IN ('sent', 'duplicate')) ORDER BY d.id",
            day,
        )

    # ------------------------------------------------------------------ replay inputs

    def last_input_line(self, source: str) -> int:
        return int(self._value("SELECT MAX(line) FROM inputs WHERE source = ?", source) or 0)

    def input_payloads(self) -> list[str]:
        return [str(row["payload"]) for row in self._rows("SELECT payload FROM inputs ORDER BY id")]

    def session_decisions(self, source: str) -> Iterator[Row]:
        """For each message line replayed from ``source``, in session order: its id (``mid``), which
        delivery of that id it is (``nth``), and for the first the first decision of it and of each
        further instruction (``m1#2``); one row with no decision (``message_id`` None) for a later
        delivery or a message never decided. Streamed, not loaded."""
        cursor = self.conn.execute(
            "WITH lines AS (SELECT line, json_extract(payload, '$.id') AS mid,"
            " ROW_NUMBER() OVER (PARTITION BY json_extract(payload, '$.id') ORDER BY line) AS nth"
            " FROM inputs WHERE source = ? AND type = 'message')"
            " SELECT lines.mid, lines.nth, d.message_id, d.kind, d.verdict, d.reasons FROM lines"
            " LEFT JOIN decisions d ON lines.nth = 1 AND d.id IN (SELECT MIN(id) FROM decisions"
            " WHERE message_id = lines.mid OR (message_id > lines.mid || ? AND message_id < lines.mid || ?)"
            " GROUP BY message_id) ORDER BY lines.line, d.id",
            (source, *_PART_BOUNDS),
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield dict(zip(names, values, strict=True))

    def input_times(self, source: str) -> Iterator[str]:
        """When each event replayed from ``source`` happened (ISO text, streamed)."""
        for (at,) in self.conn.execute("SELECT at FROM inputs WHERE source = ?", (source,)):
            yield str(at)

    def session_events(self, source: str) -> Iterator[Row]:
        """The messages (each id once, where it first came), edits, deletes and commands replayed
        from ``source``, in session order: ``type``, ``mid`` (the message an edit or delete is of),
        ``at``. Streamed."""
        cursor = self.conn.execute(
            "SELECT type, mid, at FROM (SELECT line, type, at, json_extract(payload, '$.id') AS mid,"
            " ROW_NUMBER() OVER (PARTITION BY type, json_extract(payload, '$.id') ORDER BY line) AS nth"
            " FROM inputs WHERE source = ? AND type IN ('message', 'edit', 'delete', 'command'))"
            " WHERE type != 'message' OR nth = 1 ORDER BY line",
            (source,),
        )
        for kind, mid, at in cursor:
            yield {"type": kind, "mid": mid, "at": at}

    def edits_of(self, message_id: str) -> list[Row]:
        return self._rows(
            "SELECT at, comparison, detail FROM message_edits WHERE message_id = ? ORDER BY id", message_id
        )

    def session_commands(self) -> list[Row]:
        """The kills and resumes a replayed session's command lines asked for, with their results."""
        return self._rows(
            "SELECT r.command, r.reason, s.outcome, s.detail FROM control_requests r"
            " LEFT JOIN control_results s ON s.request_id = r.id"
            " WHERE r.requested_by = 'session' ORDER BY r.id"
        )

    # ------------------------------------------------------------------ fills and positions

    def all_fills(self) -> Iterator[Row]:
        """Every fill in the order it came (streamed), with its order's role and trading day."""
        cursor = self.conn.execute(
            "SELECT f.message_id, f.instrument, f.side, f.quantity, f.price, f.realized, f.commission,"
            " f.client_id, f.trading_day, f.price_basis, f.quote, o.role"
            " FROM fills f LEFT JOIN orders o ON o.client_id = f.client_id"
            " ORDER BY f.rowid"
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield dict(zip(names, values, strict=True))

    def recent_fill_days(self, days: int) -> list[str]:
        return [
            str(r["trading_day"])
            for r in self._rows(
                "SELECT DISTINCT trading_day FROM fills ORDER BY trading_day DESC LIMIT ?", days
            )
        ]

    def trade_fills(self, days: list[str]) -> list[Row]:
        """Every fill of the positions that had a fill on ``days``, with the alert's author, by time."""
        marks = ",".join("?" * len(days))  # placeholders only: the days are bound parameters
        return self._rows(_TRADE_FILLS.format(marks=marks), *days)

    # ------------------------------------------------------------------ readiness (go-live checklist)

    def trading_days(self) -> list[str]:
        """The trading days with at least one fill."""
        return [
            str(r["trading_day"]) for r in self._rows("SELECT DISTINCT trading_day FROM fills ORDER BY 1")
        ]

    def approved_entries(self) -> int:
        return int(
            self._value("SELECT COUNT(*) FROM decisions WHERE kind = 'open' AND verdict = 'approved'") or 0
        )

    def undecided_messages(self) -> list[str]:
        """Messages with no decision (a crash between the two), the bot's own rules and edits aside."""
        return [
            str(r["id"])
            for r in self._rows(
                "SELECT m.id FROM messages m WHERE m.source NOT IN ('edit', 'rule') AND NOT EXISTS"
                " (SELECT 1 FROM decisions d WHERE d.message_id = m.id OR d.message_id LIKE m.id || '#%')"
            )
        ]

    def entries_filled_without_stop(self) -> list[str]:
        """Positions whose entry filled while no stop order of theirs had been submitted."""
        return [
            str(r["position"])
            for r in self._rows(
                "SELECT DISTINCT f.position FROM fills f JOIN orders o ON o.client_id = f.client_id"
                " WHERE o.role = 'entry' AND NOT EXISTS (SELECT 1 FROM orders s WHERE s.position = f.position"
                " AND s.role = 'stop' AND s.submitted_at <= f.at)"
            )
        ]

    def fills_by_role(self) -> dict[str, int]:
        rows = self._rows(
            "SELECT o.role, COUNT(*) AS n FROM fills f JOIN orders o ON o.client_id = f.client_id"
            " GROUP BY o.role"
        )
        return {str(r["role"]): int(r["n"]) for r in rows}

    def entry_sizes(self) -> list[Row]:
        """Each entry's total size per position, with the run's settings it was placed under."""
        return self._rows(
            "SELECT o.position, o.instrument, SUM(o.quantity) AS quantity, MAX(o.submitted_at) AS at"
            " FROM orders o WHERE o.role = 'entry' GROUP BY o.position"
        )

    def run_settings(self) -> list[Row]:
        return self._rows("SELECT id, started_at, settings FROM runs ORDER BY id")

    def notice_count(self, kind: str) -> int:
        return int(self._value("SELECT COUNT(*) FROM notices WHERE kind = ?", kind) or 0)

    def broker_errors(self) -> list[Row]:
        """Broker errors that were not warnings."""
        return self._rows(
            "SELECT id, at, detail FROM order_events WHERE kind = 'error'"
            " AND json_extract(event, '$.warning') IS NOT 1 ORDER BY id"
        )

    def refusal_reasons(self) -> list[Row]:
        """Why messages were not trades (chatter, refusals), most frequent first."""
        return self._rows(
            "SELECT j.value AS reason, COUNT(*) AS n FROM decisions d, json_each(d.reasons) j"
            " WHERE d.verdict = 'ignored' GROUP BY j.value ORDER BY n DESC"
        )

    def first_entry_day(self) -> str | None:
        """The first trading day with an approved entry: a live journal's first live day."""
        return self._value(  # type: ignore[no-any-return]
            "SELECT MIN(trading_day) FROM decisions WHERE kind = 'open' AND verdict = 'approved'"
        )

    def decision_count(self) -> int:
        return int(self._value("SELECT COUNT(*) FROM decisions") or 0)

    def day_trades_since(self, day: str) -> int:
        """Positions with an opening and a closing fill on the same trading day, from ``day`` on."""
        return int(
            self._value(
                "SELECT COUNT(*) FROM (SELECT 1 FROM fills WHERE trading_day >= ?"
                " GROUP BY position, trading_day HAVING MIN(opens) = 0 AND MAX(opens) = 1)",
                day,
            )
            or 0
        )

    def day_pnl(self, day: str) -> Row | None:
        rows = self._rows("SELECT * FROM daily_pnl WHERE trading_day = ?", day)
        return rows[0] if rows else None

    def open_positions(self) -> list[Row]:
        return self._rows("SELECT * FROM open_positions")

    def working_orders(self) -> list[Row]:
        return self._rows("SELECT * FROM working_orders")

    # ------------------------------------------------------------------ runs, notices, control

    def last_trading_run(self) -> Row | None:
        rows = self._rows(
            "SELECT started_at, pid, command FROM runs WHERE command = 'run' OR command LIKE 'replay %'"
            " OR command = 'console' ORDER BY id DESC LIMIT 1"
        )
        return rows[0] if rows else None

    def last_connection_event(self) -> Row | None:
        rows = self._rows(
            "SELECT kind, at, detail FROM order_events"
            " WHERE kind IN ('connection_lost', 'connection_restored') ORDER BY id DESC LIMIT 1"
        )
        return rows[0] if rows else None

    def last_notice(self, kind: str) -> Row | None:
        rows = self._rows("SELECT at, detail FROM notices WHERE kind = ? ORDER BY id DESC LIMIT 1", kind)
        return rows[0] if rows else None

    def notices_since(self, kind: str, since: datetime) -> int:
        return int(
            self._value("SELECT COUNT(*) FROM notices WHERE kind = ? AND at > ?", kind, iso(since)) or 0
        )

    def control_result(self, request_id: int) -> Row | None:
        rows = self._rows("SELECT outcome, detail FROM control_results WHERE request_id = ?", request_id)
        return rows[0] if rows else None

    def outside_requests(self) -> int:
        """Kills and resumes that came from outside the recorded inputs (the console, Discord)."""
        sql = (
            "SELECT COUNT(*) FROM control_requests"
            " WHERE requested_by != 'session' AND command IN ('kill', 'resume')"
        )
        return int(self._value(sql) or 0)

    def pending_requests(self, after: int = 0) -> list[Row]:
        return self._rows(
            "SELECT r.* FROM control_requests r LEFT JOIN control_results d ON d.request_id = r.id"
            " WHERE d.request_id IS NULL AND r.id > ? ORDER BY r.id",
            after,
        )

    def watermark(self, source: str) -> str | None:
        return self._value(  # type: ignore[no-any-return]
            "SELECT position FROM watermarks WHERE source = ? ORDER BY id DESC LIMIT 1", source
        )
