"""Run the diagnosis case corpus and print each rule's true and false positives.

    python benchmarks/diagnosis_scores.py [CASE_ID ...]

A firing counts as a true positive when the case expects the rule (or lists it in
expect_one_of). It counts as a false positive when the case lists it in must_not,
or when the case is healthy and the finding is at or above its quiet severity. A rule the case
expects but that stays quiet is a false negative. Other firings are unlabelled:
the corpus expects neither them nor their absence, and they are listed so that they can be read.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cases import CASES, CASES_BY_ID, run_case  # noqa: E402


def score(case_ids: list[str]) -> None:
    """Train each case, then print per-case outcomes and per-rule TP/FP/FN, precision and recall."""
    true_pos, false_pos, false_neg, unlabelled = Counter(), Counter(), Counter(), Counter()
    seconds = 0.0
    for case_id in case_ids:
        case = CASES_BY_ID[case_id]
        run = run_case(case)
        seconds += run.seconds
        fired = run.ids
        labelled = set(case.expect) | set(case.must_not) | set(case.expect_one_of)

        for rule_id in case.expect:
            (true_pos if rule_id in fired else false_neg)[rule_id] += 1
        matched = fired & set(case.expect_one_of)
        for rule_id in matched:
            true_pos[rule_id] += 1
        if case.expect_one_of and not matched:
            false_neg["/".join(case.expect_one_of)] += 1
        for rule_id in fired & set(case.must_not):
            false_pos[rule_id] += 1
        loud = {f.id for f in run.findings
                if case.quiet_from is not None and f.severity >= case.quiet_from and f.id not in case.must_not}
        for rule_id in loud:
            false_pos[rule_id] += 1
        for rule_id in fired - labelled - loud:
            unlabelled[rule_id] += 1

        status = run.status + (f" ({run.failure})" if run.failure else "")
        print(f"{case.id:30} {status:14} {run.seconds:5.1f} s  fired: {', '.join(sorted(fired)) or '-'}")

    rules = sorted(set(true_pos) | set(false_pos) | set(false_neg) | set(unlabelled))
    print()
    print(f"{'rule':34} {'TP':>3} {'FP':>3} {'FN':>3} {'other':>5}")
    for rule_id in rules:
        print(f"{rule_id:34} {true_pos[rule_id]:3} {false_pos[rule_id]:3} {false_neg[rule_id]:3} {unlabelled[rule_id]:5}")

    tp, fp, fn = sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print()
    print(f"precision {precision:.3f} ({tp} TP, {fp} FP); recall {recall:.3f} ({fn} FN); "
          f"{sum(unlabelled.values())} unlabelled firings; {len(case_ids)} cases in {seconds:.0f} s")


if __name__ == "__main__":
    score(sys.argv[1:] or [case.id for case in CASES])
