"""The app's handlers for choosing the target and the features in the Data tab's column table.

`ColumnChoiceActions` is a mixin of `LabApp`. Each change replaces the experiment's
`DataSpec` through `set_experiment`, so it is undoable and reloads the data.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tui_lab.ui.widgets.data_panel import DataPanel


def same_column(first: str, second: str) -> bool:
    """Return whether two column names are the same; the data layer matches names case-insensitively."""
    return first.lower() == second.lower()


class ColumnChoiceActions:
    """Toggle a raw column as a feature, or make it the target."""

    def on_data_panel_feature_toggled(self: Any, message: DataPanel.FeatureToggled) -> None:
        """Add the column to the features, or remove it."""
        self.toggle_feature(message.column)

    def on_data_panel_target_chosen(self: Any, message: DataPanel.TargetChosen) -> None:
        """Make the column the target."""
        self.choose_target(message.column)

    def action_toggle_feature(self: Any) -> None:
        """Toggle the column highlighted in the Data tab as a feature."""
        column = self.main_screen.query_one(DataPanel).selected_column
        if column is None:
            self.notify("No column is highlighted; load the data and open the Data tab (3).")
            return
        self.toggle_feature(column)

    def action_choose_target(self: Any) -> None:
        """Make the column highlighted in the Data tab the target."""
        column = self.main_screen.query_one(DataPanel).selected_column
        if column is None:
            self.notify("No column is highlighted; load the data and open the Data tab (3).")
            return
        self.choose_target(column)

    def toggle_feature(self: Any, column: str) -> None:
        """Add `column` to the experiment's features, or remove it (undoable)."""
        spec = self.experiment.data
        if same_column(column, spec.target):
            self.notify(f"{column} is the target; press T on another column to change the target first.",
                        markup=False)
            return

        remaining = tuple(name for name in spec.features if not same_column(name, column))
        if len(remaining) == len(spec.features):
            features, change = (*spec.features, column), "added"
        elif remaining:
            features, change = remaining, "removed"
        else:
            self.notify(f"{column} is the only feature; add another feature before removing it.",
                        markup=False)
            return

        self.set_experiment(replace(self.experiment, data=replace(spec, features=features)), reload_form=True)
        self.set_status(f"{change} the feature {column} ({len(features)} features); u undoes it")

    def choose_target(self: Any, column: str) -> None:
        """Make `column` the target and drop it from the features (undoable)."""
        spec = self.experiment.data
        if same_column(column, spec.target):
            self.notify(f"{column} is already the target.", markup=False)
            return

        features = tuple(name for name in spec.features if not same_column(name, column))
        if not features:
            self.notify(f"{column} is the only feature; add another feature before making it the target.",
                        markup=False)
            return

        self.set_experiment(replace(self.experiment, data=replace(spec, target=column, features=features)),
                            reload_form=True)
        self.set_status(f"the target is now {column} (was {spec.target}); u undoes it")
