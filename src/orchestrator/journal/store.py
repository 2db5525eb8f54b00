"""The journal: every message, intent, decision, order, event, fill and state change, in SQLite.

Opened in WAL mode (a second process, such as ``autoscalper kill``, can write while the bot runs),
created with file mode 0600, schema applied by ``schema.MIGRATIONS``. It is append-only: nothing is
updated or deleted. It also implements the executor's ``StateStore``: the latched trading state is
its last ``trading_states`` row, read from disk on every call, so a kill written by another process
stops new entries at once. Writes go through prepared SQL (sqlite-utils builds the schema): a message
costs a handful of inserts, not a schema introspection each. sqlite-utils (which imports pandas when
it is installed, a fifth of a second) is loaded only to create or migrate the schema, so ``status``
and ``kill`` start fast on an existing journal.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from executor import BrokerEvent, OrderFilled, OrderSubmitted, PositionBook
from risk import TradingState, TradingStatus, instrument_key, multiplier, trading_day

from .queries import Queries
from .records import Records
from .tables import JournalError, iso
from .version import MIGRATION_SET, SCHEMA

if TYPE_CHECKING:
    from sqlite_utils import Database

_EVENTS: TypeAdapter[BrokerEvent] = TypeAdapter(BrokerEvent)
BUSY_TIMEOUT_MS = 10_000


class JournalGone(JournalError):
    """The journal file is no longer the file this process opened (deleted, moved or replaced)."""


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Journal(Queries, Records):
    def __init__(self, path: Path, *, durable: bool = True, create: bool = True) -> None:
        """``create=False``: a reader (``status``, ``kill``) that must never make an empty journal."""
        self.path = path
        if not create and not path.is_file():
            raise JournalError(f"no journal at {path}")
        try:
            _create_private(path)
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            # First: a journal another process is opening (recovering a killed bot's WAL) is waited
            # for, not "database is locked".
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            # FULL syncs every commit (power-loss safe); NORMAL survives a killed process, which is
            # all a replay on the simulator needs.
            conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self.durable = durable
            self.conn = conn
            if _pending_migrations(conn):
                _load_sqlite_utils()
                from .schema import MIGRATIONS

                MIGRATIONS.apply(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"journal {path}: {exc}") from exc
        self._identity = _identity(path)
        self.run_id: int | None = None
        self._status: TradingStatus | None = None
        self._status_version = -1
        self._depth = 0  # savepoints open

    @property
    def db(self) -> Database:
        """The journal as a sqlite-utils database, for the schema and for audits."""
        _load_sqlite_utils()
        from sqlite_utils import Database

        return Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def check_identity(self) -> None:
        """Raise ``JournalGone`` when the file at ``path`` is no longer the one opened: a bot would
        otherwise go on writing into an unlinked file, or another journal's, that nobody reads."""
        try:
            now = _identity(self.path)
        except OSError:
            now = None
        if now == self._identity:
            return
        what = "deleted or moved" if now is None else "replaced by another file"
        raise JournalGone(
            f"journal {self.path} was {what} while this bot ran: it stops deciding, and working orders "
            "and their stops stay at the broker. Put the journal back and start again"
        )

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self, *, immediate: bool = False, durable: bool = True) -> Iterator[None]:
        """Group writes into one commit (nested blocks become savepoints). A failed commit (disk
        full, read-only file) is a ``JournalError``: what it held was not journaled. ``immediate``
        takes the write lock first (waiting for the bot's commit, up to the busy timeout), so what
        the block reads and the times it writes come after every commit before it. ``durable=False``
        (chatter): the commit is not synced to disk; the next durable commit syncs it with its own."""
        if self.conn.in_transaction:
            self._depth += 1
            name = f"sp{self._depth}"  # one name per depth: SQLite reuses the prepared statement
            try:
                yield from self._savepoint(name)
            finally:
                self._depth -= 1
            return
        relaxed = self.durable and not durable
        if relaxed:
            self._execute("PRAGMA synchronous=NORMAL")
        try:
            yield from self._commit(immediate)
        finally:
            if relaxed:
                self._execute("PRAGMA synchronous=FULL")

    def _savepoint(self, name: str) -> Iterator[None]:
        self._execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self._execute(f"ROLLBACK TO SAVEPOINT {name}")
                self._execute(f"RELEASE SAVEPOINT {name}")
            raise
        self._execute(f"RELEASE SAVEPOINT {name}")

    def _commit(self, immediate: bool) -> Iterator[None]:
        self._execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        try:
            self._execute("COMMIT")
        except JournalError:
            self._rollback()
            raise

    def _execute(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path}: cannot write ({sql.split()[0]}): {exc}") from exc

    def _rollback(self) -> None:
        # the failure being raised says what went wrong; a rollback SQLite already did is fine
        with suppress(sqlite3.Error):
            self.conn.rollback()

    # ------------------------------------------------------------------ writing

    def start_run(
        self, command: str, *, version: str, mode: str, broker: str, settings: Mapping[str, Any]
    ) -> int:
        self.run_id = self._insert(
            "runs",
            {
                "started_at": iso(datetime.now(UTC)),
                "command": command,
                "version": version,
                "mode": mode,
                "broker": broker,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "settings": json.dumps(settings, default=str, sort_keys=True),
            },
        )
        return self.run_id

    def record_event(self, event: BrokerEvent, book: PositionBook) -> None:
        """One broker event, after the book applied it: the event, and the order or fill it made."""
        client_id = getattr(event, "client_id", None)
        state = book.orders.get(client_id or "")
        if isinstance(event, OrderSubmitted):
            self._record_order(event)
        if isinstance(event, OrderFilled) and state is not None:
            self._record_fill(event, book)
        status = state.status.value if state is not None else None
        detail = _detail(event.model_dump(mode="json", exclude=_NOT_DETAIL))
        values = (iso(event.at), event.kind, client_id, status, detail, event.model_dump_json())
        self._write(_ORDER_EVENT, values)

    def _record_order(self, event: OrderSubmitted) -> None:
        order = event.order
        values = (
            order.client_id,
            order.message_id,
            order.position,
            instrument_key(order.instrument),
            order.action.value,
            order.order_type.value,
            order.role.value,
            order.leg,
            order.quantity,
            _text(order.price),
            _text(order.alert_price),
            order.parent,
            iso(event.at),
        )
        self._write(_ORDER, values)

    def _record_fill(self, event: OrderFilled, book: PositionBook) -> None:
        fill = book.fills[-1] if book.fills and book.fills[-1].fill_id == event.fill_id else None
        if fill is None:
            return  # a fill the book had already seen (re-sent after a reconnect)
        order = book.orders[fill.client_id].order
        values = (
            fill.fill_id,
            fill.client_id,
            fill.message_id,
            fill.position,
            fill.instrument,
            fill.action.value,
            int(fill.opens),
            fill.quantity,
            multiplier(order.instrument),
            str(fill.price),
            _text(order.alert_price),
            str(fill.commission),
            str(fill.realized),
            iso(fill.at),
            trading_day(fill.at).isoformat(),
            fill.price_basis,
            fill.quote.model_dump_json(exclude_none=True) if fill.quote is not None else None,
        )
        self._write(_FILL, values)

    def record_notice(self, kind: str, at: datetime, detail: str) -> None:
        self._insert("notices", {"at": iso(at), "kind": kind, "detail": detail})

    # ------------------------------------------------------------------ StateStore

    def trading_status(self) -> TradingStatus:
        """Asked several times per decision: re-read only when another process (``autoscalper kill``)
        committed since, which SQLite's ``data_version`` tells for the price of a pragma."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if self._status is None or version != self._status_version:
            self._status, self._status_version = self._read_status(), version
        return self._status

    def _read_status(self) -> TradingStatus:
        row = self.conn.execute(
            "SELECT state, cause, detail, at FROM trading_states ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return TradingStatus()
        state, cause, detail, at = row
        return TradingStatus(
            state=TradingState(state), cause=cause, detail=detail or "", since=parse_time(at)
        )

    def record_status(self, status: TradingStatus) -> None:
        current = self.trading_status()
        if (current.state, current.cause, current.detail) == (status.state, status.cause, status.detail):
            return  # the same latch written again (a console kill the running bot then acts on)
        since = status.since or datetime.now(UTC)
        self._status = None  # re-read after our own write
        self._insert(
            "trading_states",
            {
                "at": iso(since),
                "state": status.state.value,
                "cause": status.cause,
                "detail": status.detail,
                "run_id": self.run_id,
            },
        )

    # ------------------------------------------------------------------ console control

    def request(self, command: str, *, reason: str = "", flatten: bool = True, by: str = "console") -> int:
        return self._insert(
            "control_requests",
            {
                "at": iso(datetime.now(UTC)),
                "command": command,
                "reason": reason,
                "flatten": flatten,
                "requested_by": by,
            },
        )

    def record_result(self, request_id: int, outcome: str, detail: str) -> None:
        self._insert(
            "control_results",
            {"request_id": request_id, "at": iso(datetime.now(UTC)), "outcome": outcome, "detail": detail},
            ignore=True,
        )

    # ------------------------------------------------------------------ watermarks

    def set_watermark(self, source: str, position: str, at: datetime) -> None:
        self._insert("watermarks", {"source": source, "position": position, "at": iso(at)})

    # ------------------------------------------------------------------ reading

    def broker_events(self) -> Iterator[BrokerEvent]:
        """Every journaled broker event, in order."""
        for (payload,) in self.conn.execute("SELECT event FROM order_events ORDER BY id"):
            yield _EVENTS.validate_json(payload)

    def recovery_events(self, since: date) -> Iterator[BrokerEvent]:
        """What the book is rebuilt from after a restart, in order. With a checkpoint: every event
        of the positions open or working at it, of the positions with a fill on trading day ``since``
        or later (today's P&L, the loss cooldown), and every event after it; the closed history
        before it is left on disk. Without one (a journal that never had one): every event."""
        checkpoint = self.conn.execute(
            "SELECT last_event_id, positions FROM checkpoints ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if checkpoint is None:
            yield from self.broker_events()
            return
        last, positions = checkpoint
        rows = self.conn.execute(
            "SELECT id, event FROM order_events WHERE id > ?"
            " UNION SELECT e.id, e.event FROM order_events e JOIN orders o ON o.client_id = e.client_id"
            " WHERE e.id <= ? AND (o.position IN (SELECT value FROM json_each(?))"
            " OR o.position IN (SELECT position FROM fills WHERE trading_day >= ?))"
            " ORDER BY 1",
            (last, last, positions, since.isoformat()),
        )
        for _, payload in rows:
            yield _EVENTS.validate_json(payload)


_ORDER_EVENT = (
    "INSERT INTO order_events (at, kind, client_id, status, detail, event) VALUES (?, ?, ?, ?, ?, ?)"
)
_ORDER = (
    "INSERT OR IGNORE INTO orders (client_id, message_id, position, instrument, action, order_type, role,"
    " leg, quantity, price, alert_price, parent, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FILL = (
    "INSERT OR IGNORE INTO fills (fill_id, client_id, message_id, position, instrument, side, opens,"
    " quantity, multiplier, price, alert_price, commission, realized, at, trading_day, price_basis, quote)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NOT_DETAIL: set[str] = {"kind", "at", "client_id", "order"}  # read only


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _detail(data: Mapping[str, Any]) -> str:
    return " ".join(
        f"{k}={v}" for k, v in data.items() if k not in _NOT_DETAIL and v not in (None, "", False)
    )


def _load_sqlite_utils() -> None:
    """Import sqlite-utils without the pandas and numpy it picks up when they are installed (the
    calendar library brings them): 0.2 s and 40 MB the journal never uses, as it hands sqlite-utils
    no DataFrame. Later imports of pandas (a calendar built from scratch) are unaffected."""
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes ``import name`` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


def _pending_migrations(conn: sqlite3.Connection) -> bool:
    """Is any migration of ``SCHEMA`` not applied yet (a new journal, or one from an older version)?"""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
        ).fetchall()
    except sqlite3.OperationalError:  # no migrations table: a new file
        return True
    return not set(SCHEMA) <= {name for (name,) in rows}


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only, before SQLite opens it (it copies the mode to
    its -wal and -shm files). An existing journal keeps its mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
