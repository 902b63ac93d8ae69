"""Each bad CI fixture yields exactly its rule once, on the line marked ``# expect: <rule>``; each good
fixture (the fixed version) yields nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from secret_sprawl.detectors.posture import check_ci_file, posture_rules

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ci"
LOGICAL_PATH = {
    "github-actions": ".github/workflows/{stem}.yml",
    "gitlab-ci": ".gitlab-ci.yml",
    "circleci": ".circleci/config.yml",
    "azure-pipelines": "azure-pipelines.yml",
}
EXPECT = re.compile(r"# expect: ([a-z0-9-]+)")


def fixtures(kind: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"*/{kind}/*.yml"))


def check(fixture: Path):
    system = fixture.parent.parent.name
    path = LOGICAL_PATH[system].format(stem=fixture.stem)
    return check_ci_file(path, fixture.read_text(encoding="utf-8"))


def test_every_posture_rule_has_bad_and_good_fixtures():
    per_file_rules = set(posture_rules()) - {"shared-credential"}
    assert {f.stem for f in fixtures("bad")} == per_file_rules
    assert {f.stem for f in fixtures("good")} == per_file_rules


@pytest.mark.parametrize("fixture", fixtures("bad"), ids=lambda f: f.stem)
def test_bad_fixture_yields_exactly_its_rule_at_the_marked_line(fixture: Path):
    lines = fixture.read_text(encoding="utf-8").splitlines()
    marked = [(n, m.group(1)) for n, line in enumerate(lines, 1) if (m := EXPECT.search(line))]
    assert len(marked) == 1 and marked[0][1] == fixture.stem

    result = check(fixture)

    assert result.errors == []
    assert [(f.rule_id, f.line) for f in result.findings] == [(fixture.stem, marked[0][0])]
    finding = result.findings[0]
    assert finding.fix == posture_rules()[fixture.stem].fix
    assert finding.subject and finding.message


@pytest.mark.parametrize("fixture", fixtures("good"), ids=lambda f: f.stem)
def test_good_fixture_yields_nothing(fixture: Path):
    result = check(fixture)

    assert result.errors == []
    assert result.findings == []
    assert result.workloads, "the fixed workflow still defines its jobs"
