"""`tui-lab runs`: listing, show, export, rename, tag, delete and unknown ids."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest

from store_fakes import add_run
from tui_lab.cli import runs_command
from tui_lab.store import RunStore


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tui-lab")
    parser.add_argument("--store", metavar="PATH")
    runs_command.register(parser.add_subparsers(dest="command"))
    arguments = parser.parse_args(argv)
    return arguments.handler(arguments)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        add_run(store, name="first", accuracies=(0.6, 0.8, 0.7))
        add_run(store, name="second", accuracies=(0.5,), status="failed", tags=("try",))
    return str(path)


def test_list_table(store_path, capsys):
    assert run_cli("runs", "--store", store_path) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].split() == ["ID", "NAME", "STARTED", "VAL", "ACC", "VAL", "LOSS", "EP", "STATUS"]
    assert lines[1].split()[1] == "second"
    assert lines[2].split()[1] == "first"
    assert "0.700/0.800" in lines[2]
    assert lines[2].endswith("finished")
    assert all(len(line) <= 80 for line in lines)


def test_list_store_before_runs(store_path, capsys):
    assert run_cli("--store", store_path, "runs", "--json") == 0

    assert len(json.loads(capsys.readouterr().out)) == 2


def test_list_json(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "--json", "--sort", "name") == 0
    runs = json.loads(capsys.readouterr().out)

    assert [run["name"] for run in runs] == ["first", "second"]
    assert runs[0]["best_val_accuracy"] == 0.8
    assert runs[0]["epochs"] == 3
    assert runs[1]["status"] == "failed"
    assert runs[1]["tags"] == ["try"]


def test_list_filter(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "--json", "--filter", "TRY") == 0

    assert [run["name"] for run in json.loads(capsys.readouterr().out)] == ["second"]


def test_list_bad_sort(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "--sort", "colour") == 2

    assert "order_by" in capsys.readouterr().err


def test_list_empty_store(tmp_path, capsys):
    assert run_cli("runs", "--store", str(tmp_path / "new.sqlite3")) == 0

    assert "no runs stored yet" in capsys.readouterr().out


def test_show_text(store_path, capsys):
    assert run_cli("runs", "show", "1", "--store", store_path) == 0
    output = capsys.readouterr().out

    assert output.startswith("run 1: first\n")
    assert "Keras 3.15.1, TensorFlow 2.21.0" in output
    assert "[[layers]]" in output


def test_show_json_strict(store_path, capsys):
    with RunStore(store_path) as store:
        from store_fakes import fake_report
        store.record_epoch(1, fake_report(4, val_loss=float("nan")))
    assert run_cli("runs", "--store", store_path, "show", "1", "--json") == 0
    document = json.loads(capsys.readouterr().out, parse_constant=pytest.fail)

    assert document["id"] == 1
    assert len(document["epochs_recorded"]) == 4
    assert document["epochs_recorded"][3]["logs"]["val_loss"] is None


@pytest.mark.parametrize("action", [["show"], ["export", "--csv"], ["rename"], ["tag"], ["delete", "--yes"]])
def test_unknown_id_exit_2(store_path, capsys, action):
    extra = ["x"] if action[0] in ("rename", "tag") else []
    status = run_cli("runs", "--store", store_path, action[0], "42", *action[1:], *extra)

    assert status == 2
    assert "run 42 not found" in capsys.readouterr().err


def test_export_csv_stdout(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "export", "1", "--csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert float(rows[1]["val_accuracy"]) == 0.8
    assert float(rows[0]["pred_mean"]) == 0.4
    assert rows[0]["learning_rate"] == "0.001"


def test_export_csv_file(store_path, tmp_path, capsys):
    output = tmp_path / "epochs.csv"

    assert run_cli("runs", "--store", store_path, "export", "1", "-o", str(output)) == 0
    assert output.read_text().splitlines()[0].startswith("epoch,loss,accuracy,val_loss")
    assert "wrote 3 epochs" in capsys.readouterr().err


def test_rename(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "rename", "1", "wider") == 0

    with RunStore(store_path) as store:
        assert store.get_run(1).name == "wider"


def test_tag_add_remove(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "tag", "1", "good", "lr") == 0
    assert "good, lr" in capsys.readouterr().out

    assert run_cli("runs", "--store", store_path, "tag", "1", "lr", "--remove") == 0
    with RunStore(store_path) as store:
        assert store.get_run(1).summary.tags == ("good",)


def test_delete_yes(store_path, capsys):
    assert run_cli("runs", "--store", store_path, "delete", "1", "--yes") == 0

    with RunStore(store_path) as store:
        assert [run.id for run in store.list_runs()] == [2]


def test_delete_without_tty_needs_yes(store_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))

    assert run_cli("runs", "--store", store_path, "delete", "1") == 2
    assert "--yes" in capsys.readouterr().err
    with RunStore(store_path) as store:
        assert len(store.list_runs()) == 2


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "remaining"), [("y\n", 1), ("\n", 2), ("no\n", 2)])
def test_delete_asks_on_terminal(store_path, capsys, monkeypatch, answer, remaining):
    monkeypatch.setattr("sys.stdin", FakeTerminal(answer))

    assert run_cli("runs", "--store", store_path, "delete", "1") == 0
    assert "delete run 1 (first, 3 epochs)?" in capsys.readouterr().out
    with RunStore(store_path) as store:
        assert len(store.list_runs()) == remaining


def test_unusable_store_exit_2(tmp_path, capsys):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"not a database" * 200)

    assert run_cli("runs", "--store", str(path)) == 2
    assert "cannot open the run store" in capsys.readouterr().err
