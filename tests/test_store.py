"""Run store: recording, reading, editing, overlay, diff, migration and file permissions."""

from __future__ import annotations

import math
import sqlite3
import stat
from dataclasses import dataclass

import pytest

from store_fakes import VERSIONS, add_run, fake_report
from tui_lab import presets
from tui_lab.reports import EngineReady
from tui_lab.store import (
    SCHEMA_VERSION,
    RunNotFound,
    RunStore,
    StoreError,
    default_store_path,
    migrate,
)


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        yield opened


# --- recording ------------------------------------------------------------------------


def test_start_run_records_experiment(store):
    experiment = presets.preset("not-learning")
    run_id = store.start_run(experiment, VERSIONS)
    run = store.get_run(run_id)

    assert run.status == "running"
    assert run.name == "not-learning"
    assert run.experiment() == experiment
    assert run.keras_version == "3.15.1"
    assert run.tensorflow_version == "2.21.0"
    assert run.seed == experiment.data.seed
    assert run.pid > 0
    assert run.hostname


def test_start_run_reads_engine_ready(store):
    ready = EngineReady(tensorflow_version="2.21.0", keras_version="3.15.1", seconds=3.0)
    run = store.get_run(store.start_run(presets.preset("baseline"), ready))

    assert run.keras_version == "3.15.1"
    assert run.tensorflow_version == "2.21.0"


def test_record_epoch_round_trip(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    reports = [fake_report(epoch) for epoch in (1, 2, 3)]
    for report in reports:
        store.record_epoch(run_id, report)

    assert store.epochs(run_id) == reports


def test_record_epoch_replaces_same_epoch(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    store.record_epoch(run_id, fake_report(1, val_accuracy=0.5))
    store.record_epoch(run_id, fake_report(1, val_accuracy=0.9))

    epochs = store.epochs(run_id)
    assert len(epochs) == 1
    assert epochs[0].logs["val_accuracy"] == 0.9


def test_record_epoch_keeps_nan_loss(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    store.record_epoch(run_id, fake_report(1, val_loss=0.7))
    store.record_epoch(run_id, fake_report(2, val_loss=math.nan))

    summary = store.list_runs()[0]
    assert math.isnan(store.epochs(run_id)[1].logs["val_loss"])
    assert summary.final_val_loss is None
    assert summary.best_val_loss == 0.7


def test_summary_final_and_best(store):
    run_id = add_run(store, accuracies=(0.6, 0.8, 0.7))
    summary = store.list_runs()[0]

    assert summary.id == run_id
    assert summary.epochs == 3
    assert summary.final_val_accuracy == 0.7
    assert summary.best_val_accuracy == 0.8
    assert summary.final_val_loss == pytest.approx(0.6)
    assert summary.best_val_loss == pytest.approx(0.5)


def test_summary_binary_accuracy_key(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    report = fake_report(1)
    logs = {"loss": 0.5, "val_loss": 0.4, "val_binary_accuracy": 0.77}
    store.record_epoch(run_id, type(report)(1, 1, logs, None))

    assert store.list_runs()[0].final_val_accuracy == 0.77


def test_finish_run_stores_findings(store):
    @dataclass
    class Finding:
        id: str
        severity: str
        title: str
        evidence: dict
        fix: object

    def use_sigmoid(experiment):
        """Replace the softmax output with sigmoid."""
        return experiment

    run_id = store.start_run(presets.preset("not-learning"), VERSIONS)
    findings = [
        {"id": "softmax-single-unit", "severity": "error", "title": "t", "evidence": {"units": 1},
         "fix": "use sigmoid"},
        Finding("high-learning-rate", "warning", "t", {"learning_rate": 0.1}, use_sigmoid),
    ]
    store.finish_run(run_id, "early_stopped", findings=findings)
    run = store.get_run(run_id)

    assert run.status == "early_stopped"
    assert run.summary.ended_at is not None
    assert run.findings[0]["id"] == "softmax-single-unit"
    assert run.findings[1]["evidence"] == {"learning_rate": 0.1}
    assert run.findings[1]["fix"] == "Replace the softmax output with sigmoid."


def test_finish_run_failed_error(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    store.finish_run(run_id, "failed", error="ValueError: bad shape")

    assert store.get_run(run_id).error == "ValueError: bad shape"


def test_finish_run_rejects_status(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)

    with pytest.raises(ValueError, match="expected one of"):
        store.finish_run(run_id, "done")


def test_model_paths_in_save_order(store):
    run_id = add_run(store)
    store.add_model_path(run_id, "/tmp/a.keras")
    store.add_model_path(run_id, "/tmp/b.keras")
    assert store.get_run(run_id).model_paths == ["/tmp/a.keras", "/tmp/b.keras"]

    store.add_model_path(run_id, "/tmp/a.keras")
    assert store.get_run(run_id).model_paths == ["/tmp/b.keras", "/tmp/a.keras"]


# --- unknown ids ----------------------------------------------------------------------


@pytest.mark.parametrize("run_id", [99, "99", "abc", ""])
def test_unknown_id_raises(store, run_id):
    add_run(store)

    with pytest.raises(RunNotFound, match="not found"):
        store.get_run(run_id)


def test_unknown_id_record_epoch(store):
    with pytest.raises(RunNotFound):
        store.record_epoch(5, fake_report(1))


def test_string_id_accepted(store):
    run_id = add_run(store)

    assert store.get_run(str(run_id)).id == run_id


# --- listing --------------------------------------------------------------------------


def test_list_newest_first(store):
    first = add_run(store, name="first")
    second = add_run(store, name="second")

    assert [run.id for run in store.list_runs()] == [second, first]


def test_list_order_by_accuracy(store):
    low = add_run(store, accuracies=(0.55,))
    high = add_run(store, accuracies=(0.9,))
    none = store.start_run(presets.preset("baseline"), VERSIONS)

    assert [run.id for run in store.list_runs("-val_accuracy")] == [high, low, none]
    assert [run.id for run in store.list_runs("val_accuracy")] == [low, high, none]


def test_list_order_by_name_ignores_case(store):
    add_run(store, name="beta")
    add_run(store, name="Alpha")
    add_run(store, name="gamma")

    assert [run.name for run in store.list_runs("name")] == ["Alpha", "beta", "gamma"]


def test_list_rejects_order(store):
    with pytest.raises(ValueError, match="order_by"):
        store.list_runs("colour")


def test_list_filter_name_status_tag(store):
    relu = add_run(store, name="relu-wide")
    failed = add_run(store, name="tanh", status="failed")
    tagged = add_run(store, name="other", tags=("Keeper",))

    assert [run.id for run in store.list_runs(filter="RELU")] == [relu]
    assert [run.id for run in store.list_runs(filter="fail")] == [failed]
    assert [run.id for run in store.list_runs(filter="keep")] == [tagged]


def test_list_filter_like_wildcards_literal(store):
    add_run(store, name="lr_0.1")
    add_run(store, name="lr-0.1")

    assert [run.name for run in store.list_runs(filter="_")] == ["lr_0.1"]
    assert store.list_runs(filter="%") == []


def test_list_by_tag(store):
    add_run(store, tags=("a",))
    tagged_b = add_run(store, tags=("a", "b"))

    assert [run.id for run in store.list_runs(tag="b")] == [tagged_b]


# --- editing --------------------------------------------------------------------------


def test_rename(store):
    run_id = add_run(store)
    store.rename(run_id, "  wider layers ")

    assert store.get_run(run_id).name == "wider layers"
    assert store.get_run(run_id).experiment().name == "baseline"


def test_rename_rejects_empty(store):
    run_id = add_run(store)

    with pytest.raises(ValueError, match="non-empty"):
        store.rename(run_id, "  ")


def test_tag_untag_set(store):
    run_id = add_run(store)
    store.tag(run_id, "good", "lr", "good")
    assert store.get_run(run_id).summary.tags == ("good", "lr")

    store.untag(run_id, "lr", "missing")
    assert store.get_run(run_id).summary.tags == ("good",)

    store.set_tags(run_id, ["z", "a"])
    assert store.get_run(run_id).summary.tags == ("a", "z")


def test_delete_removes_everything(store):
    run_id = add_run(store, tags=("x",))
    store.add_model_path(run_id, "/tmp/m.keras")
    remaining = add_run(store)
    store.delete(run_id)

    assert [run.id for run in store.list_runs()] == [remaining]
    with pytest.raises(RunNotFound):
        store.epochs(run_id)
    for table in ("epochs", "run_tags", "model_paths"):
        count = store._connection.execute(
            f"SELECT count(*) FROM {table} WHERE run_id = ?", (run_id,)).fetchone()[0]
        assert count == 0, table


def test_deleted_id_not_reused(store):
    first = add_run(store)
    store.delete(first)

    assert add_run(store) > first


# --- overlay and diff -----------------------------------------------------------------


def test_overlay_histories(store):
    short = add_run(store, name="short", accuracies=(0.6, 0.7))
    long = add_run(store, name="long", accuracies=(0.5, 0.6, 0.8))
    overlay = store.overlay([long, short])

    assert list(overlay) == [long, short]
    assert overlay[short].name == "short"
    assert overlay[short].epochs == [1, 2]
    assert overlay[long].history["val_accuracy"] == [0.5, 0.6, 0.8]
    assert set(overlay[long].history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(overlay[long].histograms) == 3
    assert sum(overlay[long].histograms[0]) == 100


def test_overlay_missing_key_is_none(store):
    run_id = store.start_run(presets.preset("baseline"), VERSIONS)
    store.record_epoch(run_id, fake_report(1))
    report = fake_report(2)
    store.record_epoch(run_id, type(report)(2, 2, {"loss": 0.4}, None))
    history = store.overlay([run_id])[run_id]

    assert history.history["val_loss"][1] is None
    assert history.histograms[1] == []


def test_overlay_unknown_id(store):
    with pytest.raises(RunNotFound):
        store.overlay([1])


def test_diff_shows_changed_lines(store):
    baseline = presets.preset("baseline")
    first = add_run(store, baseline)
    second = add_run(store, baseline.with_fit(batch_size=64))
    lines = store.diff(first, second)

    assert lines[0] == f"--- run {first} (baseline)"
    assert lines[1] == f"+++ run {second} (baseline)"
    assert "-batch_size = 32" in lines
    assert "+batch_size = 64" in lines


def test_diff_same_experiment_empty(store):
    first = add_run(store)
    second = add_run(store)

    assert store.diff(first, second) == []


# --- files and schema -----------------------------------------------------------------


def test_store_file_permissions(tmp_path):
    path = tmp_path / "new" / "deeper" / "runs.sqlite3"
    with RunStore(path) as store:
        add_run(store)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_store_wal_file_permissions(tmp_path):
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        add_run(store)
        wal = tmp_path / "runs.sqlite3-wal"

        assert wal.exists()
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_store_uses_wal(store):
    mode = store._connection.execute("PRAGMA journal_mode").fetchone()[0]

    assert mode == "wal"


def test_default_path_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))

    assert default_store_path() == tmp_path / "tui-lab" / "runs.sqlite3"


def test_not_a_database(tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)

    with pytest.raises(StoreError, match="--store PATH"):
        RunStore(path)


def test_migrate_empty_database(tmp_path):
    path = tmp_path / "empty.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)

    assert migrate(connection) == SCHEMA_VERSION
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"runs", "epochs", "run_tags", "model_paths"} <= tables
    assert migrate(connection) == SCHEMA_VERSION
    connection.close()


def test_store_opens_version_zero_file(tmp_path):
    path = tmp_path / "runs.sqlite3"
    sqlite3.connect(path).close()

    with RunStore(path) as store:
        run_id = add_run(store)
        assert store.get_run(run_id).status == "finished"


def test_migrate_old_version_keeps_rows(tmp_path):
    """A hand-made version-1 database moves to a version 2 that adds a column."""
    path = tmp_path / "old.sqlite3"
    with RunStore(path) as store:
        run_id = add_run(store, name="old run")

    def add_notes(connection):
        connection.execute("ALTER TABLE runs ADD COLUMN notes TEXT DEFAULT ''")

    from tui_lab.store import MIGRATIONS
    steps = {**MIGRATIONS, 2: add_notes}
    connection = sqlite3.connect(path, isolation_level=None)

    assert migrate(connection, steps) == 2
    row = connection.execute("SELECT name, notes FROM runs WHERE id = ?", (run_id,)).fetchone()
    assert row == ("old run", "")
    assert connection.execute("SELECT count(*) FROM epochs").fetchone()[0] == 3
    connection.close()


def test_migrate_failed_step_rolls_back(tmp_path):
    path = tmp_path / "old.sqlite3"
    RunStore(path).close()

    def broken(connection):
        connection.execute("ALTER TABLE runs ADD COLUMN notes TEXT")
        raise RuntimeError("step failed")

    from tui_lab.store import MIGRATIONS
    connection = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(RuntimeError):
        migrate(connection, {**MIGRATIONS, 2: broken})

    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in connection.execute("PRAGMA table_info(runs)")]
    assert "notes" not in columns
    connection.close()


def test_newer_schema_rejected(tmp_path):
    path = tmp_path / "new.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with pytest.raises(StoreError, match="upgrade tui-lab"):
        RunStore(path)


def test_store_has_no_ui_or_tensorflow_imports():
    import subprocess
    import sys

    code = ("import sys, tui_lab.store, tui_lab.autosave; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tensorflow', 'keras', 'textual')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert output.stdout.strip() == "[]"
