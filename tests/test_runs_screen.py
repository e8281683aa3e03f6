"""Runs screen on a tiny host app at 80x24, with a store of fake runs."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from store_fakes import add_run
from tui_lab import presets
from tui_lab.store import RunStore
from tui_lab.ui.screens.confirm import ConfirmScreen
from tui_lab.ui.screens.runs import CompareRuns, OpenRun, RunDiffScreen, RunsScreen, TextPrompt


class Host(App):
    """Pushes a RunsScreen on start and keeps what it dismisses with."""

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(self.store), self.results.append)


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        baseline = presets.preset("baseline")
        add_run(opened, baseline, name="alpha", accuracies=(0.6, 0.7))
        add_run(opened, baseline.with_fit(batch_size=64), name="beta", accuracies=(0.8, 0.75))
        add_run(opened, presets.preset("not-learning"), name="gamma", accuracies=(0.62,),
                status="early_stopped", tags=("broken",))
        yield opened


def table_names(screen: RunsScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(row)[1]) for row in range(table.row_count)]


async def test_lists_newest_first(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen

        assert isinstance(screen, RunsScreen)
        assert table_names(screen) == ["gamma", "beta", "alpha"]
        row = screen.query_one(DataTable).get_row_at(1)
        assert str(row[3]) == "0.750/0.800"
        assert str(row[6]) == "finished"
        assert "3 runs" in str(screen.query_one("#runs-status", Static).render())


async def test_sort_cycle_and_reverse(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        assert table_names(app.screen) == ["alpha", "beta", "gamma"]

        await pilot.press("o")
        assert table_names(app.screen) == ["beta", "alpha", "gamma"]

        await pilot.press("O")
        assert table_names(app.screen) == ["gamma", "alpha", "beta"]


async def test_filter_input(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        assert app.screen.query_one(Input).has_focus

        await pilot.press("b", "r", "o")
        assert table_names(app.screen) == ["gamma"]

        await pilot.press("enter")
        assert app.screen.query_one(DataTable).has_focus
        assert app.results == []


async def test_filter_escape_keeps_screen(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "x", "escape")

        assert isinstance(app.screen, RunsScreen)
        assert app.screen.query_one(DataTable).has_focus


async def test_mark_and_compare(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[0]) == "●3"
        assert table.cursor_row == 1

        await pilot.press("space", "c")

    assert app.results == [CompareRuns((3, 2))]


async def test_compare_needs_two(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "c")
        await pilot.pause()

        assert isinstance(app.screen, RunsScreen)
        assert app.results == []
        assert any("two or more" in notification.message for notification in app._notifications)


async def test_unmark(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "up", "space")

        assert app.screen.marked == []
        assert str(app.screen.query_one(DataTable).get_row_at(0)[0]) == " 3"


async def test_diff_modal(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "space", "space", "D")
        await pilot.pause()

        assert isinstance(app.screen, RunDiffScreen)
        assert "+batch_size = 32" in app.screen.lines
        assert "-batch_size = 64" in app.screen.lines

        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)


async def test_diff_needs_two(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "D")

        assert isinstance(app.screen, RunsScreen)


async def test_enter_opens_experiment(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")

    assert app.results == [OpenRun(2, presets.preset("baseline").with_fit(batch_size=64))]


async def test_escape_closes(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")

    assert app.results == [None]


async def test_rename_prompt(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)

        app.screen.query_one(Input).value = "renamed"
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, RunsScreen)
        assert table_names(app.screen)[0] == "renamed"
    assert store.get_run(3).name == "renamed"


async def test_rename_escape_keeps_name(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "x", "escape")
        await pilot.pause()

    assert store.get_run(3).name == "gamma"


async def test_tag_prompt(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "broken"

        app.screen.query_one(Input).value = "softmax, lr  keep"
        await pilot.press("enter")
        await pilot.pause()

    assert store.get_run(3).summary.tags == ("keep", "lr", "softmax")


async def test_delete_confirmed(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)

        await pilot.press("y")
        await pilot.pause()
        assert table_names(app.screen) == ["beta", "alpha"]
    assert [run.id for run in store.list_runs()] == [2, 1]


async def test_delete_escape_keeps(store):
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x", "escape")
        await pilot.pause()

        assert isinstance(app.screen, RunsScreen)
    assert len(store.list_runs()) == 3


async def test_name_markup_shown_as_typed(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        add_run(opened, name="[red]x[/red]")
        app = Host(opened)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()

            assert table_names(app.screen) == ["[red]x[/red]"]
            assert "[red]x" in "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_delete_markup_name(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        add_run(opened, name="a[/b]")
        app = Host(opened)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)

            await pilot.press("y")
            await pilot.pause()
        assert opened.list_runs() == []


async def test_open_invalid_experiment_notifies(store):
    store._connection.execute("UPDATE runs SET experiment_toml = 'fit = 3' WHERE id = 3")
    app = Host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, RunsScreen)
        assert app.results == []
        assert any("Cannot open run 3" in notification.message for notification in app._notifications)


async def test_empty_store(tmp_path):
    with RunStore(tmp_path / "empty.sqlite3") as empty:
        app = Host(empty)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "space", "r", "x")
            await pilot.pause()

            assert isinstance(app.screen, RunsScreen)
            assert "no runs stored yet" in str(app.screen.query_one("#runs-status", Static).render())


def test_bindings_have_descriptions():
    for binding in RunsScreen.BINDINGS:
        assert binding.description, binding.key
        assert binding.id, binding.key
