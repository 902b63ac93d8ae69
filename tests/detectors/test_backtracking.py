"""Bounded matching: ``rules check`` rejects backtracking patterns, and a scan survives one."""

from __future__ import annotations

import dataclasses

import pytest
from secret_sprawl.detectors.backtrack import backtracking_problems, slow_inputs
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.scanner.cli import main

from tests.detectors.helpers import fake, rule_table

CATALOG = load_catalog()
EVIL = rule_table(
    "user-evil",
    r"(?P<secret>(a+)+$)",  # the example: nested repetition, exponential on "aaaa...!"
    ["aaa"],
    examples=[{"text": "x aaaa", "secret": "aaaa"}, {"text": "y aaa", "secret": "aaa"}],
    negative_examples=["b", "aaa b"],
)
GOOD_VALUE = "zq_" + fake(3, 24)
GOOD = rule_table(
    "user-good",
    r"(?<![A-Za-z0-9_])(?P<secret>zq_[A-Za-z0-9]{24})(?![A-Za-z0-9_])",
    ["zq_"],
    examples=[{"text": f"T={GOOD_VALUE}", "secret": GOOD_VALUE},
              {"text": f"'{GOOD_VALUE}'", "secret": GOOD_VALUE}],
)


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda rule: rule.id)
def test_builtin_patterns_do_not_backtrack(rule):
    assert slow_inputs(rule, bound=1.0) == []


def test_nested_repetition_fails_the_check():
    rule = dataclasses.replace(CATALOG.rules[0], id="evil", pattern=r"(?P<secret>(a+)+$)", keywords=("zz",))
    [problem] = backtracking_problems(rule)
    assert problem.startswith("evil: ") and "backtracking" in problem


def test_rules_check_rejects_a_backtracking_rule(capsys, write_rules):
    path = write_rules([EVIL])
    assert main(["rules", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "user-evil" in err and "backtracking" in err


def test_scan_times_out_the_bad_rule_and_keeps_the_others(make_engine):
    engine: Engine = make_engine([EVIL, GOOD])
    data = f"{'a' * 100_000}!\nT={GOOD_VALUE}\n"
    outcome = engine.scan_outcome(data, timeout=0.2)
    assert outcome.timed_out == ("user-evil",)
    assert [m.secret for m in outcome.matches] == [GOOD_VALUE]


def test_timed_out_rule_is_a_warning_for_that_file(tmp_path, write_rules, capsys):
    rules = write_rules([EVIL, GOOD])
    target = tmp_path / "target"
    target.mkdir()
    (target / "long.txt").write_text(f"{'a' * 100_000}!\nT={GOOD_VALUE}\n")
    code = main(["scan", str(target), "--rules", str(rules), "--no-record", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1  # the good rule's finding is still reported
    assert GOOD_VALUE not in captured.out  # redacted, but present as a finding
    assert "user-good" in captured.out
    assert "user-evil" in captured.out + captured.err and "timed out" in captured.out + captured.err
