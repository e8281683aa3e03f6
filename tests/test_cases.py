"""The case corpus, trained with the real engine: each case's expected findings appear.

Training every case takes about 100 s (measured on 2 shared cores); each trains `case.epochs`.
"""

from __future__ import annotations

import pytest

from cases import CASES, run_case


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case):
    run = run_case(case)
    assert run.status != "failed", f"training failed: {run.failure}"

    for rule_id in case.expect:
        assert rule_id in run.ids, f"{rule_id} expected; found {sorted(run.ids)}"

    for rule_id in case.must_not:
        assert rule_id not in run.ids, f"{rule_id} must not fire: {[f.evidence for f in run.findings if f.id == rule_id]}"

    if case.expect_one_of:
        assert run.ids & set(case.expect_one_of), f"one of {case.expect_one_of} expected; found {sorted(run.ids)}"

    if case.quiet_from is not None:
        loud = [f"{f.id}: {f.evidence}" for f in run.findings if f.severity >= case.quiet_from]
        assert loud == []

    if case.min_val_accuracy is not None:
        assert run.best_val_accuracy() >= case.min_val_accuracy

