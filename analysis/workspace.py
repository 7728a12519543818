"""A workspace folder that survives restarts: SQLite for small records, Parquet for tables.

Layout: ``<root>/rightfit.db`` (WAL mode) holds settings (JSON text), decisions, overrides and
one row per stored table; ``<root>/tables/<id>.parquet`` holds the tables, named by a generated id
so a user-typed name never becomes a path. A table is visible only once its row commits, and its
file is written completely before that (temp file, fsync, ``os.replace``), so killing the process
at any point leaves the previous state readable. Files without a row are orphans of an interrupted
save and are removed by `clean_orphans`. Nothing is ever unpickled: Parquet and JSON only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analysis import schema as s
from analysis.decisions import Decision, DecisionError, Override, clean_label
from analysis.errors import RightfitError

ENV_ROOT = "RIGHTFIT_WORKSPACE"
DB_NAME = "rightfit.db"
TABLES_DIR = "tables"
SNAPSHOT, DATA = "snapshot", "data"  # kinds of stored table
# Setting keys the app uses; any other valid name works too.
MAPPING, UNIT_COSTS, TIER_POLICY, BEST_CUSTOMER, TARGETS = (
    "mapping",
    "unit_costs",
    "tier_policy",
    "best_customer",
    "targets",
)
ORPHAN_GRACE_SECONDS = 3600.0  # younger files may belong to a save still in progress elsewhere

SNAPSHOT_COLUMNS = ("name", "created_at", "accounts", "meta")
DECISION_COLUMNS = (
    "id",
    s.ACCOUNT_ID,
    "action",
    "tier",
    "owner",
    "decided_on",
    "agreed_by",
    "note",
    "recorded_at",
)
OVERRIDE_COLUMNS = (s.ACCOUNT_ID, s.SEGMENT, "reason", "by", "decided_on", "recorded_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (
    kind TEXT NOT NULL, name TEXT NOT NULL, file_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL, rows INTEGER NOT NULL, meta TEXT NOT NULL,
    PRIMARY KEY (kind, name));
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, action TEXT NOT NULL,
    tier TEXT NOT NULL, owner TEXT NOT NULL, decided_on TEXT NOT NULL, agreed_by TEXT NOT NULL,
    note TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_account ON decisions (account_id);
CREATE TABLE IF NOT EXISTS overrides (
    account_id TEXT PRIMARY KEY, segment TEXT NOT NULL, reason TEXT NOT NULL, by TEXT NOT NULL,
    decided_on TEXT NOT NULL, recorded_at TEXT NOT NULL);
"""


class WorkspaceError(RightfitError):
    """A workspace operation that cannot be done as asked (unknown name, duplicate, bad JSON)."""


def default_root() -> Path:
    """``$RIGHTFIT_WORKSPACE`` when set, else ``./workspace``."""
    return Path(os.environ.get(ENV_ROOT) or "workspace")


def _name(value: object, what: str = "Snapshot name") -> str:
    try:
        return clean_label(value, what)
    except DecisionError as exc:
        raise WorkspaceError(str(exc)) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, fsync it, then rename over: all or nothing."""
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


class Workspace:
    """One workspace folder. Holds only its path: every call opens and closes its own
    connection, so several objects (or processes) may use the same folder."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.tables_dir = self.root / TABLES_DIR
        try:
            self.tables_dir.mkdir(parents=True, exist_ok=True)
            with self._db() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise WorkspaceError(f"Cannot open the workspace folder {self.root}: {exc}.") from None
        self.clean_orphans()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.root / DB_NAME, timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _file(self, file_id: str) -> Path:
        return self.tables_dir / f"{file_id}.parquet"

    # -- tables (snapshots and uploaded data) -------------------------------------------------

    def _save_table(
        self, kind: str, name: str, frame: pd.DataFrame, meta: dict, *, replace: bool
    ) -> None:
        try:
            meta_json = json.dumps(meta, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise WorkspaceError(f"'{name}': metadata must be plain JSON values ({exc}).") from None
        file_id = uuid.uuid4().hex
        _write_atomic(self._file(file_id), _parquet_bytes(frame))
        try:
            with self._transaction() as db:
                old = db.execute(
                    "SELECT file_id FROM tables WHERE kind=? AND name=?", (kind, name)
                ).fetchone()
                if old and not replace:
                    raise WorkspaceError(f"A {kind} named '{name}' already exists.")
                db.execute(
                    "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?, ?)",
                    (kind, name, file_id, _now(), len(frame), meta_json),
                )
        except BaseException:
            self._file(file_id).unlink(missing_ok=True)
            raise
        if old:
            self._file(old[0]).unlink(missing_ok=True)

    def _load_table(self, kind: str, name: str) -> tuple[pd.DataFrame, dict]:
        with self._db() as db:
            row = db.execute(
                "SELECT file_id, meta FROM tables WHERE kind=? AND name=?", (kind, name)
            ).fetchone()
        if row is None:
            raise WorkspaceError(f"No {kind} named '{name}'.")
        try:
            frame = pd.read_parquet(self._file(row[0]))
        except FileNotFoundError:
            raise WorkspaceError(f"The {kind} '{name}' was deleted while loading it.") from None
        return frame, json.loads(row[1])

    def _delete_table(self, kind: str, name: str) -> None:
        with self._transaction() as db:
            row = db.execute(
                "DELETE FROM tables WHERE kind=? AND name=? RETURNING file_id", (kind, name)
            ).fetchone()
        if row is None:
            raise WorkspaceError(f"No {kind} named '{name}'.")
        self._file(row[0]).unlink(missing_ok=True)

    def save_snapshot(
        self, name: str, scored: pd.DataFrame, meta: dict, *, replace: bool = False
    ) -> None:
        """Store a scored accounts frame under `name` with JSON-able `meta` (period, settings
        used, ...). Raises WorkspaceError when the name exists, unless `replace`."""
        self._save_table(SNAPSHOT, _name(name), scored, meta, replace=replace)

    def load_snapshot(self, name: str) -> tuple[pd.DataFrame, dict]:
        return self._load_table(SNAPSHOT, _name(name))

    def list_snapshots(self) -> pd.DataFrame:
        """One row per snapshot, oldest first: name, created_at (UTC), accounts, meta (dict)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT name, created_at, rows, meta FROM tables WHERE kind=? "
                "ORDER BY created_at, name",
                (SNAPSHOT,),
            ).fetchall()
        frame = pd.DataFrame(
            [(n, c, r, json.loads(m)) for n, c, r, m in rows], columns=list(SNAPSHOT_COLUMNS)
        )
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        return frame.astype({"accounts": "int64"})

    def rename_snapshot(self, old: str, new: str) -> None:
        old, new = _name(old), _name(new)
        try:
            with self._transaction() as db:
                done = db.execute(
                    "UPDATE tables SET name=? WHERE kind=? AND name=?", (new, SNAPSHOT, old)
                ).rowcount
                if not done:
                    raise WorkspaceError(f"No snapshot named '{old}'.")
        except sqlite3.IntegrityError:
            raise WorkspaceError(f"A snapshot named '{new}' already exists.") from None

    def delete_snapshot(self, name: str) -> None:
        self._delete_table(SNAPSHOT, _name(name))

    def save_table(self, name: str, frame: pd.DataFrame) -> None:
        """Store (or replace) a data table, such as the uploaded canonical account table."""
        self._save_table(DATA, _name(name, "Table name"), frame, {}, replace=True)

    def load_table(self, name: str) -> pd.DataFrame | None:
        """The stored table, or None when none was saved under `name`."""
        try:
            return self._load_table(DATA, _name(name, "Table name"))[0]
        except WorkspaceError:
            return None

    def clean_orphans(self, older_than: float = ORPHAN_GRACE_SECONDS) -> int:
        """Remove table files no row points to (left by an interrupted save) that are older than
        `older_than` seconds; returns how many were removed."""
        with self._db() as db:
            live = {r[0] for r in db.execute("SELECT file_id FROM tables")}
        cutoff = time.time() - older_than
        removed = 0
        for path in self.tables_dir.iterdir():
            orphan = path.name.startswith(".tmp-") or (
                path.suffix == ".parquet" and path.stem not in live
            )
            with contextlib.suppress(FileNotFoundError):
                if orphan and path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
        return removed

    # -- settings -------------------------------------------------------------------------------

    def save_setting(self, key: str, json_text: str) -> None:
        """Store JSON text (mapping, unit costs, tier policy, targets, ...) under `key`."""
        key = _name(key, "Setting key")
        try:
            json.loads(json_text)
        except (TypeError, ValueError) as exc:
            raise WorkspaceError(f"Setting '{key}' is not valid JSON ({exc}).") from None
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?, ?)", (key, json_text, _now()))

    def load_setting(self, key: str) -> str | None:
        """The JSON text saved under `key`, or None."""
        with self._db() as db:
            row = db.execute(
                "SELECT value FROM settings WHERE key=?", (_name(key, "Setting key"),)
            ).fetchone()
        return None if row is None else row[0]

    # -- decisions and overrides ----------------------------------------------------------------

    def add_decision(self, decision: Decision) -> int:
        """Append a decision to the log; returns its id."""
        if not isinstance(decision, Decision):
            raise WorkspaceError("add_decision takes a Decision.")
        d = decision
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO decisions (account_id, action, tier, owner, decided_on, agreed_by, "
                "note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    d.account_id,
                    d.action,
                    d.tier,
                    d.owner,
                    d.decided_on.isoformat(),
                    json.dumps(list(d.agreed_by)),
                    d.note,
                    _now(),
                ),
            )
        return int(cur.lastrowid)

    def decisions(self, account_id: str | None = None) -> pd.DataFrame:
        """The decision log in the order recorded (one account's when `account_id` is given);
        agreed_by is a tuple of names, decided_on a date, recorded_at a UTC timestamp."""
        frame = self._rows("decisions", DECISION_COLUMNS, account_id, order="id")
        frame["id"] = frame["id"].astype("int64")
        frame["agreed_by"] = _objects(frame["agreed_by"], lambda v: tuple(json.loads(v)))
        frame["decided_on"] = _objects(frame["decided_on"], date.fromisoformat)
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
        return frame

    def set_override(self, override: Override) -> None:
        """Record (or replace) the team's segment for one account."""
        if not isinstance(override, Override):
            raise WorkspaceError("set_override takes an Override.")
        o = override
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, ?, ?, ?)",
                (o.account_id, o.segment, o.reason, o.by, o.decided_on.isoformat(), _now()),
            )

    def remove_override(self, account_id: str) -> None:
        with self._transaction() as db:
            done = db.execute(
                "DELETE FROM overrides WHERE account_id=?", (str(account_id),)
            ).rowcount
        if not done:
            raise WorkspaceError(f"No override for account '{account_id}'.")

    def overrides(self, account_id: str | None = None) -> pd.DataFrame:
        """Current overrides, by account id (one account's when `account_id` is given)."""
        frame = self._rows("overrides", OVERRIDE_COLUMNS, account_id, order="account_id")
        frame["decided_on"] = _objects(frame["decided_on"], date.fromisoformat)
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
        return frame

    def _rows(
        self, table: str, columns: tuple[str, ...], account_id: str | None, *, order: str
    ) -> pd.DataFrame:
        """A table's rows as stored (one account's when `account_id` is given)."""
        sql = f"SELECT {', '.join(columns)} FROM {table}"
        args: tuple = ()
        if account_id is not None:
            sql, args = sql + " WHERE account_id=?", (str(account_id),)
        with self._db() as db:
            rows = db.execute(f"{sql} ORDER BY {order}", args).fetchall()
        return pd.DataFrame(rows, columns=list(columns))


def _objects(values: pd.Series, parse: Callable[[str], object]) -> pd.Series:
    """Parsed values as an object column (also when empty, so dtypes do not depend on rows)."""
    return pd.Series([parse(v) for v in values], index=values.index, dtype=object)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet with the index, so a loaded frame equals the saved one."""
    try:
        return frame.to_parquet(index=None)
    except (ValueError, TypeError, ImportError) as exc:
        raise WorkspaceError(f"This table cannot be stored as Parquet ({exc}).") from None
