"""Run store across processes: a writer killed mid-run, and two writers at once."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store_fakes import add_run
from tui_lab.store import RunStore, StoreError

TESTS = Path(__file__).parent

WRITER = """
import os, sys, time
sys.path.insert(0, {tests!r})
from store_fakes import VERSIONS, fake_report
from tui_lab import presets
from tui_lab.store import RunStore, StoreError

print("ready", 0, flush=True)
while {start_file!r} and not os.path.exists({start_file!r}):
    time.sleep(0.001)
store = RunStore({path!r})
run_id = store.start_run(presets.preset("baseline"), VERSIONS, name={name!r})
print("run", run_id, flush=True)
for epoch in range(1, {epochs} + 1):
    store.record_epoch(run_id, fake_report(epoch, {epochs}))
    print("epoch", epoch, flush=True)
    time.sleep({pause})
store.finish_run(run_id, "finished")
print("done", flush=True)
"""


def start_writer(path: Path, name: str, epochs: int, pause: float,
                 start_file: Path | None = None) -> subprocess.Popen:
    """Start a writer process; with `start_file` it opens the store once that file exists."""
    code = WRITER.format(tests=str(TESTS), path=str(path), name=name, epochs=epochs, pause=pause,
                         start_file=str(start_file) if start_file else "")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def read_until_epoch(writer: subprocess.Popen, epoch: int) -> int:
    """Read the writer's output until it reports `epoch`; return its run id."""
    run_id = None
    for line in writer.stdout:
        word, number = line.split()
        if word == "ready":
            continue
        if word == "run":
            run_id = int(number)
        if word == "epoch" and int(number) == epoch:
            return run_id
    raise AssertionError(f"writer ended before epoch {epoch} (exit status {writer.wait()})")


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGHUP])
def test_killed_writer_marked_interrupted(tmp_path, signal_number):
    path = tmp_path / "runs.sqlite3"
    writer = start_writer(path, "killed", epochs=1000, pause=0.01)
    try:
        run_id = read_until_epoch(writer, 5)
        writer.send_signal(signal_number)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        writer.stdout.close()

    with RunStore(path) as store:
        assert store.get_run(run_id).status == "running"

        assert store.mark_interrupted() == [run_id]
        run = store.get_run(run_id)
        epochs = store.epochs(run_id)

    assert run.status == "interrupted"
    assert run.summary.ended_at is not None
    assert len(epochs) >= 5
    assert [report.epoch for report in epochs] == list(range(1, len(epochs) + 1))
    assert run.summary.epochs == len(epochs)


def test_live_writer_not_interrupted(tmp_path):
    path = tmp_path / "runs.sqlite3"
    writer = start_writer(path, "alive", epochs=1000, pause=0.01)
    try:
        run_id = read_until_epoch(writer, 2)
        with RunStore(path) as store:
            assert store.mark_interrupted() == []
            assert store.get_run(run_id).status == "running"
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def test_own_running_run_kept(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = add_run(store, status="running")

        assert store.mark_interrupted() == []
        assert store.get_run(run_id).status == "running"


def test_reused_pid_counts_as_gone(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = add_run(store, status="running")
        store._connection.execute("UPDATE runs SET process_start = process_start + 1 WHERE id = ?",
                                  (run_id,))

        assert store.mark_interrupted() == [run_id]


def test_other_host_run_kept(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = add_run(store, status="running")
        store._connection.execute("UPDATE runs SET hostname = 'elsewhere', pid = 999999999"
                                  " WHERE id = ?", (run_id,))

        assert store.mark_interrupted() == []
        assert store.get_run(run_id).status == "running"


def test_two_writers_at_once(tmp_path):
    """Two processes create the same new store at once, then record 200 epochs each."""
    path = tmp_path / "shared.sqlite3"
    start_file = tmp_path / "start"
    writers = [start_writer(path, name, epochs=200, pause=0.001, start_file=start_file)
               for name in ("first", "second")]
    for writer in writers:
        assert writer.stdout.readline().split()[0] == "ready"
    start_file.touch()

    outputs = []
    for writer in writers:
        output, _ = writer.communicate(timeout=120)
        outputs.append(output)

    for writer, output in zip(writers, outputs):
        assert writer.returncode == 0, output
        assert output.rstrip().endswith("done")

    with RunStore(path) as store:
        runs = {run.name: run for run in store.list_runs()}
        assert set(runs) == {"first", "second"}
        for name, run in runs.items():
            assert run.status == "finished", name
            assert run.epochs == 200, name
            assert [report.epoch for report in store.epochs(run.id)] == list(range(1, 201)), name
        assert store.integrity_check() == "ok"

        spans = store._connection.execute(
            "SELECT min(recorded_at), max(recorded_at) FROM epochs GROUP BY run_id").fetchall()
    (first_start, first_end), (second_start, second_end) = spans
    assert first_start < second_end, "the writers did not overlap"
    assert second_start < first_end, "the writers did not overlap"


def test_store_shared_by_threads(tmp_path):
    import threading

    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_ids = []

        def write() -> None:
            run_ids.append(add_run(store, accuracies=(0.5,) * 50))

        threads = [threading.Thread(target=write) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(store.list_runs()) == 3
        for run_id in run_ids:
            assert len(store.epochs(run_id)) == 50


def test_lock_held_too_long_raises(tmp_path):
    import sqlite3

    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        run_id = add_run(store, status="running")
        store._connection.execute("PRAGMA busy_timeout = 100")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="held its lock"):
                store.finish_run(run_id, "finished")
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        store.finish_run(run_id, "finished")
        assert store.get_run(run_id).status == "finished"
