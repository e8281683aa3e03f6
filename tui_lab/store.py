"""Run history in SQLite: every training run, its epochs, findings and saved models.

A `RunStore` opens one database file (WAL mode) that several app instances may share.
Each write is one short transaction, and `busy_timeout` makes a second writer wait for
the lock instead of failing. Nothing here imports Keras or Textual.

The schema version lives in `PRAGMA user_version`, and `migrate()` moves an older
database forward one step at a time when a store opens it.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from tui_lab import experiment as experiment_module
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport, LayerProbe, PredictionStats, ProbeStats

SCHEMA_VERSION = 1
"""The schema version this code writes. Older databases are migrated up to it."""

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another connection's lock before it raises."""

RUNNING = "running"
END_STATUSES = ("finished", "stopped", "early_stopped", "nan", "failed", "interrupted")
"""Statuses of a run that ended: the `TrainingFinished` statuses, `failed` and `interrupted`."""
STATUSES = (RUNNING, *END_STATUSES)

ORDER_COLUMNS = {
    "started": "started_at",
    "name": "name COLLATE NOCASE",
    "val_accuracy": "final_val_accuracy",
    "best_val_accuracy": "best_val_accuracy",
    "val_loss": "final_val_loss",
    "best_val_loss": "best_val_loss",
    "epochs": "epochs_done",
    "status": "status",
    "id": "id",
}
"""Keys that `list_runs(order_by=...)` accepts, with the SQL they sort by."""

ACCURACY_KEYS = ("val_accuracy", "val_binary_accuracy", "val_acc")
"""Log keys read as the validation accuracy, in order of preference."""


class StoreError(Exception):
    """The run store cannot be opened or used."""


class RunNotFound(StoreError, LookupError):
    """No run has the requested id."""

    def __init__(self, run_id: object) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id} not found: list the stored runs with `tui-lab runs`")


def default_store_path() -> Path:
    """Return the default database path, `runs.sqlite3` in the user's data directory."""
    return Path(platformdirs.user_data_dir("tui-lab")) / "runs.sqlite3"


# --- records ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One row of the run list: what the runs table and `tui-lab runs` show.

    Times are Unix seconds. The validation figures are `None` until an epoch reports them.
    """

    id: int
    name: str
    status: str
    started_at: float
    ended_at: float | None
    epochs: int
    final_val_accuracy: float | None
    best_val_accuracy: float | None
    final_val_loss: float | None
    best_val_loss: float | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    """A whole stored run: its summary, experiment, versions, findings and model paths."""

    summary: RunSummary
    experiment_toml: str
    keras_version: str | None
    tensorflow_version: str | None
    seed: int | None
    error: str | None
    findings: list[dict[str, Any]]
    model_paths: list[str]
    pid: int
    hostname: str

    @property
    def id(self) -> int:
        """The run id."""
        return self.summary.id

    @property
    def name(self) -> str:
        """The run name."""
        return self.summary.name

    @property
    def status(self) -> str:
        """The run status, one of `STATUSES`."""
        return self.summary.status

    def experiment(self) -> Experiment:
        """Parse the stored experiment, raising `ExperimentError` if it is no longer valid."""
        return experiment_module.loads(self.experiment_toml, source=f"run {self.id}")


@dataclass(frozen=True)
class RunHistory:
    """One run's curves and prediction histograms, ready to overlay on another run's.

    `history` has the form of Keras's `History.history`: each log key maps to one value
    per epoch in `epochs`, with `None` where an epoch did not log that key.
    `histograms` contains each epoch's prediction histogram (empty when none was reported).
    """

    run_id: int
    name: str
    epochs: list[int]
    history: dict[str, list[float | None]]
    histograms: list[list[int]] = field(default_factory=list)


# --- the store ----------------------------------------------------------------------


class RunStore:
    """The run history in one SQLite file, shared safely by several processes.

    The connection is guarded by a lock, so that the UI thread and a worker may use
    the same store. Call `close()` when done, or use the store as a context manager.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = threading.Lock()
        self._hostname = socket.gethostname()
        _create_private_file(self.path)

        self._connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )
        try:
            self._connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _enable_wal(self._connection)
            # NOTE: synchronous=NORMAL in WAL mode survives an app crash, but a power loss
            # may drop the last few committed epochs.
            self._connection.execute("PRAGMA synchronous = NORMAL")
            self._connection.execute("PRAGMA foreign_keys = ON")
            migrate(self._connection)
        except StoreError:
            self._connection.close()
            raise
        except sqlite3.DatabaseError as error:
            self._connection.close()
            raise StoreError(
                f"cannot open the run store {self.path}: {error}. "
                "Give another file with --store PATH, or move this one aside."
            ) from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._connection.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- writing a run ---------------------------------------------------------------

    def start_run(self, experiment: Experiment, versions: Mapping[str, str] | Any = None,
                  name: str | None = None, tags: Iterable[str] = ()) -> int:
        """Record a new run in the `running` status and return its id.

        `versions` is a mapping with `keras` and `tensorflow` keys, or an object with
        `keras_version` and `tensorflow_version` attributes such as `EngineReady`.
        """
        keras_version, tensorflow_version = _versions(versions)
        row = {
            "name": name or experiment.name,
            "experiment_toml": experiment.to_toml(),
            "keras_version": keras_version,
            "tensorflow_version": tensorflow_version,
            "seed": experiment.data.seed,
            "status": RUNNING,
            "started_at": time.time(),
            "pid": os.getpid(),
            "process_start": _process_start(os.getpid()),
            "hostname": self._hostname,
        }
        columns = ", ".join(row)
        placeholders = ", ".join(f":{key}" for key in row)
        with self._write() as connection:
            cursor = connection.execute(f"INSERT INTO runs ({columns}) VALUES ({placeholders})", row)
            run_id = int(cursor.lastrowid)
            connection.executemany("INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)",
                                   [(run_id, tag) for tag in _clean_tags(tags)])
        return run_id

    def record_epoch(self, run_id: int | str, report: EpochReport) -> None:
        """Store one epoch's logs, prediction statistics and probe in one transaction.

        Recording the same epoch number again replaces the earlier record.
        """
        run_id = _run_id(run_id)
        accuracy = _finite(val_accuracy(report.logs))
        loss = _finite(report.logs.get("val_loss"))
        epoch_row = (
            run_id,
            report.epoch,
            report.epochs,
            _dumps(report.logs),
            _dumps(dataclasses.asdict(report.predictions)) if report.predictions else None,
            _dumps(dataclasses.asdict(report.probe)) if report.probe else None,
            report.seconds,
            report.learning_rate,
            time.time(),
        )
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute(
                "INSERT OR REPLACE INTO epochs (run_id, epoch, epochs, logs, predictions, probe,"
                " seconds, learning_rate, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                epoch_row,
            )
            connection.execute(
                """UPDATE runs SET
                       epochs_done = MAX(epochs_done, :epoch),
                       final_val_accuracy = :accuracy,
                       final_val_loss = :loss,
                       best_val_accuracy = CASE
                           WHEN :accuracy IS NULL THEN best_val_accuracy
                           WHEN best_val_accuracy IS NULL OR :accuracy > best_val_accuracy
                               THEN :accuracy
                           ELSE best_val_accuracy END,
                       best_val_loss = CASE
                           WHEN :loss IS NULL THEN best_val_loss
                           WHEN best_val_loss IS NULL OR :loss < best_val_loss THEN :loss
                           ELSE best_val_loss END
                   WHERE id = :id""",
                {"epoch": report.epoch, "accuracy": accuracy, "loss": loss, "id": run_id},
            )

    def finish_run(self, run_id: int | str, status: str, error: str | None = None,
                   findings: Iterable[Any] = ()) -> None:
        """Mark a run as ended with `status`, an error text for `failed`, and its findings.

        Each finding is a mapping or a dataclass with id, severity, title, evidence and fix.
        """
        run_id = _run_id(run_id)
        if status not in END_STATUSES:
            raise ValueError(f"status: expected one of {', '.join(END_STATUSES)}, received {status!r}")
        stored_findings = _dumps([_plain_finding(finding) for finding in findings])
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute(
                "UPDATE runs SET status = ?, error = ?, findings = ?, ended_at = ? WHERE id = ?",
                (status, error, stored_findings, time.time(), run_id),
            )

    def add_model_path(self, run_id: int | str, path: str | os.PathLike[str]) -> None:
        """Record that the run's model was saved at `path`.

        `Run.model_paths` lists paths by the time of their last save, so saving to a
        path again moves it to the end.
        """
        run_id = _run_id(run_id)
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute(
                "INSERT OR REPLACE INTO model_paths (run_id, path, saved_at) VALUES (?, ?, ?)",
                (run_id, os.fspath(path), time.time()),
            )

    def mark_interrupted(self) -> list[int]:
        """Mark every `running` run whose writer process on this host is gone as `interrupted`.

        The epochs such a run recorded are kept. Runs written from other hosts are left
        alone, because their process cannot be checked from here. Returns the ids marked.
        """
        with self._write() as connection:
            rows = connection.execute(
                "SELECT id, pid, process_start FROM runs WHERE status = ? AND hostname = ?",
                (RUNNING, self._hostname),
            ).fetchall()
            ended = [run_id for run_id, pid, start in rows if not _process_alive(pid, start)]
            connection.executemany(
                "UPDATE runs SET status = 'interrupted', ended_at = COALESCE("
                "(SELECT MAX(recorded_at) FROM epochs WHERE run_id = runs.id), started_at)"
                " WHERE id = ?",
                [(run_id,) for run_id in ended],
            )
        return ended

    # --- editing runs ----------------------------------------------------------------

    def rename(self, run_id: int | str, name: str) -> None:
        """Give a run a new name (the stored experiment keeps its own name)."""
        run_id = _run_id(run_id)
        if not name.strip():
            raise ValueError("name: expected a non-empty name, received an empty one")
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute("UPDATE runs SET name = ? WHERE id = ?", (name.strip(), run_id))

    def tag(self, run_id: int | str, *tags: str) -> None:
        """Add tags to a run, keeping one copy of a tag it already has."""
        run_id = _run_id(run_id)
        with self._write() as connection:
            self._require(connection, run_id)
            connection.executemany("INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)",
                                   [(run_id, tag) for tag in _clean_tags(tags)])

    def untag(self, run_id: int | str, *tags: str) -> None:
        """Remove tags from a run, ignoring tags it does not have."""
        run_id = _run_id(run_id)
        with self._write() as connection:
            self._require(connection, run_id)
            connection.executemany("DELETE FROM run_tags WHERE run_id = ? AND tag = ?",
                                   [(run_id, tag) for tag in _clean_tags(tags)])

    def set_tags(self, run_id: int | str, tags: Iterable[str]) -> None:
        """Replace a run's tags with `tags`."""
        run_id = _run_id(run_id)
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute("DELETE FROM run_tags WHERE run_id = ?", (run_id,))
            connection.executemany("INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)",
                                   [(run_id, tag) for tag in _clean_tags(tags)])

    def delete(self, run_id: int | str) -> None:
        """Delete a run with its epochs, tags and model paths (the model files stay on disk)."""
        run_id = _run_id(run_id)
        with self._write() as connection:
            self._require(connection, run_id)
            connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    # --- reading ---------------------------------------------------------------------

    def list_runs(self, order_by: str = "-started", filter: str | None = None,
                  tag: str | None = None, limit: int | None = None) -> list[RunSummary]:
        """Return run summaries sorted by `order_by`, newest first by default.

        `order_by` is a key of `ORDER_COLUMNS`, with a leading `-` for descending order.
        Runs without the value sort last in both directions. `filter` keeps runs whose name,
        status or a tag contains it (ignoring case), and `tag` keeps runs with that tag.
        """
        descending = order_by.startswith("-")
        key = order_by.removeprefix("-")
        if key not in ORDER_COLUMNS:
            raise ValueError(f"order_by: expected one of {', '.join(ORDER_COLUMNS)} "
                             f"(with an optional leading -), received {order_by!r}")
        column = ORDER_COLUMNS[key]
        direction = "DESC" if descending else "ASC"

        conditions = []
        parameters: list[Any] = []
        if filter:
            pattern = "%" + _escape_like(filter.lower()) + "%"
            conditions.append(
                "(lower(name) LIKE ? ESCAPE '\\' OR status LIKE ? ESCAPE '\\' OR EXISTS ("
                "SELECT 1 FROM run_tags WHERE run_id = runs.id AND lower(tag) LIKE ? ESCAPE '\\'))"
            )
            parameters += [pattern, pattern, pattern]
        if tag:
            conditions.append("EXISTS (SELECT 1 FROM run_tags WHERE run_id = runs.id AND tag = ?)")
            parameters.append(tag)
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        sort_column = column.split()[0]
        query = (
            f"SELECT {_SUMMARY_COLUMNS}, (SELECT group_concat(tag, char(31)) FROM "
            f"(SELECT tag FROM run_tags WHERE run_id = runs.id ORDER BY tag)) AS tags "
            f"FROM runs {where} ORDER BY {sort_column} IS NULL, {column} {direction}, id {direction}"
        )
        if limit is not None:
            query += " LIMIT ?"
            parameters.append(int(limit))

        with self._lock:
            rows = self._connection.execute(query, parameters).fetchall()
        return [_summary(row) for row in rows]

    def get_run(self, run_id: int | str) -> Run:
        """Return the whole record of one run, raising `RunNotFound` for an unknown id."""
        run_id = _run_id(run_id)
        with self._lock:
            row = self._connection.execute(
                f"SELECT {_SUMMARY_COLUMNS}, (SELECT group_concat(tag, char(31)) FROM "
                f"(SELECT tag FROM run_tags WHERE run_id = runs.id ORDER BY tag)), "
                f"experiment_toml, keras_version, tensorflow_version, seed, error, findings,"
                f" pid, hostname FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise RunNotFound(run_id)
            paths = self._connection.execute(
                "SELECT path FROM model_paths WHERE run_id = ? ORDER BY saved_at, path", (run_id,)
            ).fetchall()

        summary = _summary(row[:11])
        toml_text, keras_version, tensorflow_version, seed, error, findings, pid, hostname = row[11:]
        return Run(
            summary=summary,
            experiment_toml=toml_text,
            keras_version=keras_version,
            tensorflow_version=tensorflow_version,
            seed=seed,
            error=error,
            findings=json.loads(findings) if findings else [],
            model_paths=[path for (path,) in paths],
            pid=pid,
            hostname=hostname,
        )

    def epochs(self, run_id: int | str) -> list[EpochReport]:
        """Return a run's epochs in order, rebuilt as `EpochReport`s."""
        run_id = _run_id(run_id)
        with self._lock:
            self._require(self._connection, run_id)
            rows = self._connection.execute(
                "SELECT epoch, epochs, logs, predictions, probe, seconds, learning_rate"
                " FROM epochs WHERE run_id = ? ORDER BY epoch",
                (run_id,),
            ).fetchall()
        return [_epoch_report(row) for row in rows]

    def overlay(self, run_ids: Iterable[int | str]) -> dict[int, RunHistory]:
        """Return the curves and histograms of several runs, keyed by run id, in the given order."""
        histories: dict[int, RunHistory] = {}
        for run_id in run_ids:
            run = self.get_run(run_id)
            reports = self.epochs(run.id)
            keys: list[str] = []
            for report in reports:
                keys += [key for key in report.logs if key not in keys]
            histories[run.id] = RunHistory(
                run_id=run.id,
                name=run.name,
                epochs=[report.epoch for report in reports],
                history={key: [report.logs.get(key) for report in reports] for key in keys},
                histograms=[list(report.predictions.histogram) if report.predictions else []
                            for report in reports],
            )
        return histories

    def diff(self, run_a: int | str, run_b: int | str, context: int = 3) -> list[str]:
        """Return the unified diff of two runs' experiment TOML, one line per item."""
        first = self.get_run(run_a)
        second = self.get_run(run_b)
        return list(difflib.unified_diff(
            first.experiment_toml.splitlines(),
            second.experiment_toml.splitlines(),
            fromfile=f"run {first.id} ({first.name})",
            tofile=f"run {second.id} ({second.name})",
            n=context,
            lineterm="",
        ))

    def integrity_check(self) -> str:
        """Run SQLite's `PRAGMA integrity_check` and return its result, `ok` when sound."""
        with self._lock:
            rows = self._connection.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    # --- transactions ----------------------------------------------------------------

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self._lock, self._connection, self.path)

    @staticmethod
    def _require(connection: sqlite3.Connection, run_id: int) -> None:
        if connection.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            raise RunNotFound(run_id)


class _WriteTransaction:
    """Holds the store's lock around one `BEGIN IMMEDIATE` ... `COMMIT` transaction.

    `BEGIN IMMEDIATE` takes the write lock at the start, so a busy database makes the
    writer wait (up to `BUSY_TIMEOUT_MS`) instead of failing halfway through. SQLite
    errors (a lock held too long, a full disk) are raised as `StoreError`.
    """

    def __init__(self, lock: threading.Lock, connection: sqlite3.Connection, path: Path) -> None:
        self._lock = lock
        self._connection = connection
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._lock.release()
            raise StoreError(f"writing to the run store {self._path} failed: {error} "
                             f"(another process may have held its lock for over "
                             f"{BUSY_TIMEOUT_MS / 1000:.0f} s)") from error
        except BaseException:
            self._lock.release()
            raise
        return self._connection

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if exc_type is None:
                self._connection.execute("COMMIT")
            else:
                self._connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise StoreError(f"writing to the run store {self._path} failed: {error}") from error
        finally:
            self._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"writing to the run store {self._path} failed: {exc}") from exc


# --- schema and migrations ----------------------------------------------------------

_SCHEMA_1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    experiment_toml TEXT NOT NULL,
    keras_version TEXT,
    tensorflow_version TEXT,
    seed INTEGER,
    status TEXT NOT NULL,
    error TEXT,
    findings TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    pid INTEGER NOT NULL,
    process_start INTEGER,
    hostname TEXT NOT NULL,
    epochs_done INTEGER NOT NULL DEFAULT 0,
    final_val_accuracy REAL,
    best_val_accuracy REAL,
    final_val_loss REAL,
    best_val_loss REAL
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    epochs INTEGER NOT NULL,
    logs TEXT NOT NULL,
    predictions TEXT,
    probe TEXT,
    seconds REAL,
    learning_rate REAL,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE run_tags (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, tag)
);
CREATE TABLE model_paths (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    saved_at REAL NOT NULL,
    PRIMARY KEY (run_id, path)
);
"""


def _create_schema_1(connection: sqlite3.Connection) -> None:
    for statement in _SCHEMA_1.split(";"):
        if statement.strip():
            connection.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _create_schema_1,
}
"""Step `n` moves a database from version `n - 1` to version `n`. Version 0 is an empty file."""


def migrate(connection: sqlite3.Connection,
            steps: Mapping[int, Callable[[sqlite3.Connection], None]] | None = None) -> int:
    """Move the database forward to the newest version in `steps` and return that version.

    Every step runs in one transaction with its `user_version` update, so a failed step
    leaves the database at the version before it. Raises `StoreError` for a database
    written by a newer tui-lab.
    """
    steps = MIGRATIONS if steps is None else steps
    target = max(steps)
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise StoreError(
                    f"the run store is at schema version {version}, but this tui-lab reads up to "
                    f"version {target}: upgrade tui-lab, or give another file with --store PATH"
                )
            if version == target:
                connection.execute("COMMIT")
                return version
            steps[version + 1](connection)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def _enable_wal(connection: sqlite3.Connection) -> None:
    """Switch the database to WAL mode, retrying while another connection holds a lock.

    SQLite 3.40.1 returns "database is locked" at once, without waiting for the busy
    timeout, when two connections switch a new file to WAL at the same moment.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        if mode.lower() != "wal":
            raise StoreError(f"the run store could not switch to WAL mode (journal mode {mode!r}); "
                             "give a file on a local disk with --store PATH")
        return


# --- helpers ------------------------------------------------------------------------

_SUMMARY_COLUMNS = (
    "id, name, status, started_at, ended_at, epochs_done, final_val_accuracy,"
    " best_val_accuracy, final_val_loss, best_val_loss"
)


def _summary(row: Sequence[Any]) -> RunSummary:
    tags = tuple(row[10].split("\x1f")) if row[10] else ()
    return RunSummary(*row[:10], tags=tags)


def _epoch_report(row: Sequence[Any]) -> EpochReport:
    epoch, epochs, logs, predictions, probe, seconds, learning_rate = row
    prediction_stats = PredictionStats(**json.loads(predictions)) if predictions else None
    probe_stats = None
    if probe:
        tables = json.loads(probe)
        layers = [LayerProbe(**layer) for layer in tables.pop("layers", [])]
        probe_stats = ProbeStats(layers=layers, **tables)
    return EpochReport(
        epoch=epoch,
        epochs=epochs,
        logs=json.loads(logs),
        predictions=prediction_stats,
        probe=probe_stats,
        seconds=seconds or 0.0,
        learning_rate=learning_rate,
    )


def _create_private_file(path: Path) -> None:
    """Create the database file (0o600) and any missing directories (0o700) before SQLite opens it."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)

    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"cannot create the run store {path}: {error.strerror}. "
                         "Give a writable location with --store PATH.") from None
    os.close(handle)
    os.chmod(path, 0o600)


def _run_id(value: int | str) -> int:
    if isinstance(value, bool):
        raise RunNotFound(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise RunNotFound(value)
    return int(text)


def _versions(versions: Any) -> tuple[str | None, str | None]:
    if versions is None:
        return None, None
    if isinstance(versions, Mapping):
        return versions.get("keras"), versions.get("tensorflow")
    return getattr(versions, "keras_version", None), getattr(versions, "tensorflow_version", None)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def val_accuracy(logs: Mapping[str, Any]) -> Any:
    """Return the validation accuracy in an epoch's logs, or `None` when it has none."""
    for key in ACCURACY_KEYS:
        if key in logs:
            return logs[key]
    for key, value in logs.items():
        if key.startswith("val_") and key.endswith("accuracy"):
            return value
    return None


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _plain_finding(finding: Any) -> dict[str, Any]:
    if isinstance(finding, Mapping):
        return dict(finding)
    if dataclasses.is_dataclass(finding) and not isinstance(finding, type):
        return {f.name: getattr(finding, f.name) for f in dataclasses.fields(finding)}
    raise TypeError(f"findings: expected mappings or dataclasses, received {type(finding).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, allow_nan=True)


def _json_default(value: Any) -> Any:
    """Turn numpy values, sets, dataclasses and callables into JSON-ready values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if callable(value):
        doc = (getattr(value, "__doc__", None) or "").strip()
        return doc.splitlines()[0] if doc else getattr(value, "__name__", repr(value))
    return str(value)


# --- process liveness ---------------------------------------------------------------


def _process_start(pid: int) -> int | None:
    """Return the process's start time in clock ticks since boot (Linux), or None elsewhere.

    Stored with the pid, it distinguishes a live writer from a new process that reuses its pid.
    """
    fields_after_name = _proc_stat(pid)
    if fields_after_name is None or len(fields_after_name) < 20:
        return None
    return int(fields_after_name[19])


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in brackets may contain spaces, so split after its closing bracket.
    return text.rsplit(")", 1)[1].split()


def _process_alive(pid: int, start: int | None) -> bool:
    """Return whether the process that wrote a run still runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False

    stat = _proc_stat(pid)
    if stat is None:
        return True
    if stat[0] == "Z":
        return False
    if start is not None and len(stat) >= 20 and int(stat[19]) != start:
        return False
    return True
