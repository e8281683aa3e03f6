"""The rule catalogue and its generated page, docs/rules.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tui_lab.diagnosis import RULES
from tui_lab.diagnosis.catalogue import STAGES
from tui_lab.diagnosis.rules_doc import render_rules_markdown, replace_readme_table

PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_rule_in_page():
    text = PAGE.read_text()
    missing = [rule.id for rule in RULES if f"### `{rule.id}`" not in text]
    assert missing == []


def test_page_is_current():
    assert PAGE.read_text() == render_rules_markdown(), "regenerate: python -m tui_lab.diagnosis.rules_doc > docs/rules.md"


def test_readme_lists_every_rule():
    text = README.read_text()
    missing = [rule.id for rule in RULES if f"| `{rule.id}` |" not in text]
    assert missing == []


def test_readme_table_is_current():
    text = README.read_text()
    assert text == replace_readme_table(text), "regenerate: python -m tui_lab.diagnosis.rules_doc --readme README.md"


def test_rule_ids_kebab_case():
    bad = [rule.id for rule in RULES if not re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)]
    assert bad == []


def test_rule_ids_unique():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))


def test_rule_stages_known():
    assert {rule.stage for rule in RULES} <= set(STAGES)


def test_diagnosis_imports_no_tensorflow():
    code = ("import sys, tui_lab.diagnosis, tui_lab.diagnosis.rules_doc; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'textual')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
