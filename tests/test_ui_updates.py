"""How the app keeps its repaints few: the key hints line, throttled updates, cached charts."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList

from test_widgets import FINDINGS, SMALL, WidgetApp, finding, report, screen_text
from tui_lab import data, diagnosis, presets
from tui_lab.diagnosis import Severity
from tui_lab.diagnosis.data_rules import LEAKAGE_ROWS, leakage_rows
from tui_lab.engine.fake import FakeEngine
from tui_lab.ui import domain, messages
from tui_lab.ui.app import LabApp
from tui_lab.ui.throttle import Throttle
from tui_lab.ui.widgets.charts import MetricChart, TrainingCharts
from tui_lab.ui.widgets.findings import FindingsList
from tui_lab.ui.widgets.key_hints import KeyHints
from tui_lab.ui.widgets.spinner import FRAME_SECONDS, FRAMES, Spinner


class HintsApp(App):
    """Two inputs with their own bindings, and the key hints line."""

    BINDINGS = [Binding("ctrl+t", "train", "Train"), Binding("ctrl+x", "hidden", "Hidden", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.trained = 0

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield KeyHints()

    def action_train(self) -> None:
        self.trained += 1


def hints_line(app: App) -> str:
    return screen_text(app).splitlines()[-1]


async def test_key_hints_shown_bindings():
    app = HintsApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        line = hints_line(app)

        assert "^t Train" in line
        assert "Hidden" not in line
        assert line.rstrip().endswith("^p palette")


async def test_key_hints_repaint_only_on_change():
    app = HintsApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        hints = app.query_one(KeyHints)
        shown = hints.hints

        app.query_one("#second").focus()
        await pilot.pause()

        assert hints.hints is shown


async def test_key_hints_click_presses_key():
    app = HintsApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        column = hints_line(app).index("^t Train")

        await pilot.click(KeyHints, offset=(column, 0))
        await pilot.pause()

        assert app.trained == 1


async def test_key_hints_cut_keeps_palette():
    app = HintsApp()
    async with app.run_test(size=(24, 10)) as pilot:
        await pilot.pause()
        line = hints_line(app)

        assert len(line) <= 24
        assert line.rstrip().endswith("^p palette")


class ThrottleApp(App):
    """An app that owns one throttle and counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.throttle = Throttle(self, 0.2, self.count)

    def count(self) -> None:
        self.calls += 1


async def test_throttle_folds_requests():
    app = ThrottleApp()
    async with app.run_test():
        for _ in range(10):
            app.throttle.request()
        first = app.calls
        await asyncio.sleep(0.35)

        assert first == 1
        assert app.calls == 2
        assert not app.throttle.pending


async def test_throttle_flush_and_cancel():
    app = ThrottleApp()
    async with app.run_test():
        app.throttle.request()
        app.throttle.request()
        app.throttle.flush()
        flushed = app.calls
        app.throttle.request()
        app.throttle.cancel()
        await asyncio.sleep(0.3)

        assert flushed == 2
        assert app.calls == 2


async def test_findings_same_rows_kept():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        await pilot.pause()
        first_option = findings.query_one(OptionList).get_option_at_index(0)

        findings.set_findings(list(reversed(FINDINGS)))
        await pilot.pause()

        assert findings.query_one(OptionList).get_option_at_index(0) is first_option


async def test_findings_changed_rows_replaced():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        await pilot.pause()

        findings.set_findings([*FINDINGS, finding("new-one", Severity.ERROR, "A new error")])
        await pilot.pause()

        assert findings.query_one(OptionList).option_count == 4
        assert "E A new error" in screen_text(app)


async def test_chart_render_cached_until_draw():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.add_report(report(1))
        charts.redraw()
        await pilot.pause()
        chart = charts.query(MetricChart).first()
        builds = []
        original = chart.plt.build
        chart.plt.build = lambda: builds.append(1) or original()

        chart.render()
        chart.render()
        unchanged = len(builds)
        charts.add_report(report(2))
        charts.redraw()
        chart.render()

        assert unchanged == 0
        assert len(builds) == 1


async def test_spinner_turns_without_animations():
    spinner = Spinner()
    app = WidgetApp(spinner)
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        first = spinner.render().plain
        await asyncio.sleep(FRAME_SECONDS * 1.5)
        second = spinner.render().plain

    assert first in FRAMES
    assert second in FRAMES
    assert first != second


def test_leakage_rows_all_when_small():
    assert leakage_rows(1_000) == slice(0, 1_000, 1)


def test_leakage_rows_spaced_when_large():
    rows = leakage_rows(900_000)

    assert rows.step == 5
    assert len(range(900_000)[rows]) <= LEAKAGE_ROWS


def test_static_findings_reuse_data_rules(monkeypatch):
    experiment = presets.preset("baseline")
    dataset = data.load(experiment.data)
    calls = []
    original = diagnosis.check_data
    monkeypatch.setattr(diagnosis, "check_data", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))

    first = domain.static_findings(experiment, dataset, [])
    second = domain.static_findings(experiment, dataset, ["a Keras warning"])
    domain.static_findings(experiment.with_fit(validation_split=0.3), dataset, [])

    assert [f.id for f in first] == [f.id for f in second if f.id != "keras-warning"]
    assert len(calls) == 2


async def test_data_progress_under_layer_stack():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.post_message(messages.DataProgress(app.experiment.data, 0.6, "Checking columns"))
        await pilot.pause()
        shown = str(app.query_one("#layer-total").render())
        app.post_message(messages.DataLoaded(app.experiment.data, data.load(app.experiment.data)))
        await pilot.pause()
        after = str(app.query_one("#layer-total").render())

    assert "loading data: Checking columns (60%)" in shown
    assert "loading data" not in after
