"""The findings that explain what is wrong with a run, most severe first, each with a fix.

Every row starts with a severity letter (E for error, W for warning, i for info) so
the list reads without colour. The evidence and fix of the highlighted finding show
in a detail area below the list. `f` requests the fix and `F` requests the fix and
a new training run. The app applies the fix when it receives `FindingsList.FixRequested`.
For a finding that `tui_lab.diagnosis.fixes` has no fix for, the keys show a notice instead of posting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
"""Sort rank of each severity value. Unknown severities sort last."""

SEVERITY_MARKERS = {"error": ("E", "bold $error"), "warning": ("W", "bold $warning"),
                    "info": ("i", "$primary")}
"""The letter and style that start a finding's row, by severity value."""


class FindingLike(Protocol):
    """The fields the list reads from a finding, as `tui_lab.diagnosis.finding.Finding` defines them."""

    id: str
    severity: Any
    title: str
    evidence: Any
    fix: Any
    epochs: Any


def severity_name(finding: FindingLike) -> str:
    """Return a finding's severity as "error", "warning" or "info".

    Accepts `tui_lab.diagnosis.finding.Severity` (an IntEnum with a `label`), an
    enum whose value is the text, or the text itself.
    """
    severity = finding.severity
    label = getattr(severity, "label", None)
    if isinstance(label, str):
        return label.lower()
    value = getattr(severity, "value", severity)
    if isinstance(value, str):
        return value.lower()
    name = getattr(severity, "name", None)
    if isinstance(name, str):
        return name.lower()
    return str(severity).lower()


def sort_findings(findings: Iterable[FindingLike]) -> list[FindingLike]:
    """Return findings ordered error, warning, info, keeping the given order within a severity."""
    return sorted(findings, key=lambda finding: SEVERITY_ORDER.get(severity_name(finding), 3))


def describe_fix(fix: Any) -> str:
    """Return a fix as one line of text: a string as it is, else its description or title."""
    if fix is None:
        return ""
    if isinstance(fix, str):
        return fix
    for attribute in ("description", "title", "summary"):
        value = getattr(fix, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(fix)


def has_one_key_fix(finding: FindingLike) -> bool:
    """Return whether `tui_lab.diagnosis.fixes` can apply the finding's fix, so `f` and `F` work on it."""
    # Imported here because the fixes module imports pandas, which would delay the first frame.
    try:
        from tui_lab.diagnosis.fixes import fix_for
    except ModuleNotFoundError as error:
        if error.name != "tui_lab.diagnosis.fixes":
            raise
        return False
    return fix_for(finding) is not None


def no_fix_message(finding: FindingLike) -> str:
    """Return the notification for `f` or `F` on a finding without a one-key fix: its id and the fix text."""
    fix = describe_fix(finding.fix)
    if not fix:
        return f"{finding.id} has no fix."
    return f"{finding.id} has no one-key fix. {fix}"


def format_epochs(epochs: Sequence[int] | None) -> str:
    """Return epoch numbers as ranges: [1, 2, 3, 7] gives "1-3, 7"."""
    if not epochs:
        return ""
    ordered = sorted(set(int(epoch) for epoch in epochs))
    ranges: list[str] = []
    start = previous = ordered[0]
    for epoch in ordered[1:] + [None]:
        if epoch is not None and epoch == previous + 1:
            previous = epoch
            continue
        ranges.append(str(start) if start == previous else f"{start}-{previous}")
        if epoch is not None:
            start = previous = epoch
    return ", ".join(ranges)


def finding_row(finding: FindingLike) -> Content:
    """Return the list row of a finding: its severity letter, then its title."""
    letter, style = SEVERITY_MARKERS.get(severity_name(finding), ("?", "bold"))
    return Content.assemble((f"{letter} ", style), str(finding.title))


def finding_detail(finding: FindingLike) -> Content:
    """Return the detail text of a finding: severity and title, evidence, epochs and fix."""
    severity = severity_name(finding)
    _, style = SEVERITY_MARKERS.get(severity, ("?", "bold"))
    parts: list[str | tuple[str, str]] = [
        (f"{severity}: ", style),
        (f"{finding.title}\n", "bold"),
    ]
    subject = getattr(finding, "subject", "")
    if subject:
        parts.append(f"Where: {subject}\n")
    parts.append(f"Evidence: {finding.evidence}\n")
    epochs = format_epochs(getattr(finding, "epochs", None))
    if epochs:
        parts.append(f"Epochs: {epochs}\n")
    fix = describe_fix(finding.fix)
    if fix and has_one_key_fix(finding):
        parts.append(f"Fix: {fix}  (f: apply, F: apply and retrain)")
    elif fix:
        parts.append(f"Fix: {fix}  (no one-key fix: change it by hand)")
    else:
        parts.append("Fix: none available")
    return Content.assemble(*parts)


class FindingsList(Widget):
    """Findings ordered by severity, with the highlighted one's evidence and fix below.

    The highlight stays on the same finding (by `id`) when `set_findings` brings a
    new list that still contains it.
    """

    DEFAULT_CSS = """
    FindingsList {
        height: 1fr;
        min-height: 5;
    }
    FindingsList > OptionList {
        height: 1fr;
        min-height: 2;
    }
    FindingsList > #finding-detail {
        height: auto;
        max-height: 8;
        padding: 0 1;
        border-top: solid $primary;
    }
    """

    BINDINGS = [
        Binding("f", "apply_fix", "Apply fix", tooltip="Apply the highlighted finding's fix",
                id="findings.fix"),
        Binding("F,shift+f", "fix_and_retrain", "Fix and retrain",
                tooltip="Apply the highlighted finding's fix and train again", id="findings.fix_retrain"),
    ]

    class FixRequested(Message):
        """The user asked to apply `finding`'s fix, and to train again when `retrain` is true."""

        def __init__(self, finding: FindingLike, retrain: bool = False) -> None:
            super().__init__()
            self.finding = finding
            self.retrain = retrain

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._findings: list[FindingLike] = []
        self._ready = False
        self._rows: list[tuple[str, str]] = []
        """The id and text of each row shown, to leave an unchanged list alone."""
        self._detail: Content | None = None

    def compose(self) -> ComposeResult:
        # NOTE: the highlighted row differs from the others only by its background, so
        # without colour the detail area, which repeats the title, shows which one it is.
        yield OptionList(id="finding-options")
        yield Static("No findings yet.", id="finding-detail", markup=False)

    def on_mount(self) -> None:
        # Textual sets `is_mounted` only after this handler, so the widget keeps its own flag.
        self._ready = True
        if self._findings:
            self.set_findings(self._findings)

    @property
    def findings(self) -> list[FindingLike]:
        """The findings shown, in display order."""
        return list(self._findings)

    @property
    def selected(self) -> FindingLike | None:
        """The highlighted finding, or None when the list is empty."""
        if not self._ready:
            return self._findings[0] if self._findings else None
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self._findings):
            return None
        return self._findings[index]

    def set_findings(self, findings: Iterable[FindingLike]) -> None:
        """Show `findings`, most severe first, keeping the highlight on the same id if it is there."""
        previous = self.selected
        previous_id = previous.id if previous is not None else None
        self._findings = sort_findings(findings)
        if not self._ready:
            return

        # A running training sends findings after every epoch, mostly the same rows, and
        # rebuilding an unchanged list would repaint it for nothing.
        rows = [(finding.id, finding_row(finding)) for finding in self._findings]
        plain_rows = [(id_, row.plain) for id_, row in rows]
        if plain_rows == self._rows:
            self._show_detail()
            return
        self._rows = plain_rows

        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(row, id=id_) for id_, row in rows)

        ids = [finding.id for finding in self._findings]
        if previous_id in ids:
            options.highlighted = ids.index(previous_id)
        elif self._findings:
            options.highlighted = 0
        self._show_detail()

    def action_apply_fix(self) -> None:
        """Post `FixRequested` for the highlighted finding without retraining."""
        self._request_fix(retrain=False)

    def action_fix_and_retrain(self) -> None:
        """Post `FixRequested` for the highlighted finding and ask to train again."""
        self._request_fix(retrain=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _request_fix(self, retrain: bool) -> None:
        finding = self.selected
        if finding is None:
            self.app.bell()
            return
        if not has_one_key_fix(finding):
            self.notify(no_fix_message(finding), markup=False)
            return
        self.post_message(self.FixRequested(finding, retrain=retrain))

    def _show_detail(self) -> None:
        detail = self.query_one("#finding-detail", Static)
        finding = self.selected
        text = Content("No findings.") if finding is None else finding_detail(finding)
        if text != self._detail:
            self._detail = text
            detail.update(text)
