"""Autosave of the edited experiment: path, atomic private write, restore."""

from __future__ import annotations

import stat

from tui_lab import presets
from tui_lab.autosave import Autosave, autosave_path


def test_path_beside_store(tmp_path):
    assert autosave_path(tmp_path / "runs.sqlite3") == tmp_path / "runs.autosave.toml"


def test_path_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))

    assert autosave_path() == tmp_path / "tui-lab" / "autosave.toml"


def test_restore_returns_saved(tmp_path):
    experiment = presets.preset("not-learning").with_fit(batch_size=64)
    Autosave(tmp_path / "autosave.toml").save(experiment)

    assert Autosave(tmp_path / "autosave.toml").restore() == experiment


def test_restore_without_file(tmp_path):
    assert Autosave(tmp_path / "autosave.toml").restore() is None


def test_save_is_private(tmp_path):
    path = tmp_path / "data" / "autosave.toml"
    Autosave(path).save(presets.preset("baseline"))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_save_skips_unchanged(tmp_path):
    autosave = Autosave(tmp_path / "autosave.toml")
    experiment = presets.preset("baseline")

    assert autosave.save(experiment) is True
    assert autosave.save(experiment) is False
    assert autosave.save(experiment.with_fit(epochs=5)) is True


def test_save_leaves_no_temporary(tmp_path):
    autosave = Autosave(tmp_path / "autosave.toml")
    for epochs in range(1, 6):
        autosave.save(presets.preset("baseline").with_fit(epochs=epochs))

    assert [path.name for path in tmp_path.iterdir()] == ["autosave.toml"]


def test_restore_moves_invalid_aside(tmp_path, caplog):
    path = tmp_path / "autosave.toml"
    path.write_text("name = \"x\"\n[[layers]]\ntype = \"Dense\"\nunits = -3\n")

    assert Autosave(path).restore() is None
    assert not path.exists()
    assert (tmp_path / "autosave.toml.invalid").exists()
    assert "invalid" in caplog.text


def test_clear_removes_file(tmp_path):
    autosave = Autosave(tmp_path / "autosave.toml")
    autosave.save(presets.preset("baseline"))
    autosave.clear()

    assert autosave.restore() is None
    assert autosave.save(presets.preset("baseline")) is True
