"""Every key planted in the demo repository is reported with its commit, date, author, in_head,
location kind, path, line (and notebook cell), whatever the number of worker processes."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from fixtures.build_demo_repo import DemoRepo
from tests.scanner.helpers import secret_findings


@pytest.fixture(scope="module")
def report(demo: DemoRepo, request: pytest.FixtureRequest) -> dict:
    # Scanned once per module through the same code path as the CLI's json output.
    from secret_sprawl.scanner.formats.json import document
    from secret_sprawl.scanner.pipeline import Runner
    from secret_sprawl.scanner.report import Report
    from secret_sprawl.scanner.targets import ScanOptions, scan_target

    with Runner((), jobs=2) as runner:
        result = scan_target(str(demo.path), ScanOptions(), runner)
    return document(Report.build([result], runner.scanner.catalog, 0.0))


def _found(report: dict, path: str, rule_id: str) -> list[dict]:
    return [f for f in report["findings"] if f["path"] == path and f["rule_id"] == rule_id]


def test_each_planted_key_is_found_where_and_when_it_was_introduced(demo: DemoRepo, report: dict) -> None:
    assert report["scan"]["errors"] == []
    for planted in demo.planted:
        found = _found(report, planted.path, planted.rule_id)
        assert len(found) == 1, (planted.name, found)
        finding = found[0]
        assert finding["commit"] == planted.commit, planted.name
        assert datetime.fromisoformat(finding["committed_at"]) == planted.committed_at, planted.name
        assert finding["author"] == planted.author, planted.name
        assert finding["in_head"] is planted.in_head, planted.name
        assert finding["location_kind"] == planted.location_kind, planted.name
        assert finding["line"] == planted.line, planted.name
        assert finding["cell"] == planted.cell, planted.name
        assert "secret" not in finding


def test_nothing_but_the_planted_keys_is_reported(demo: DemoRepo, report: dict) -> None:
    assert len(secret_findings(report["findings"])) == len(demo.planted)
    assert report["scan"]["unique_secrets"] == len({p.secret for p in demo.planted})


def test_literal_keys_in_ci_files_also_give_posture_findings_with_job_context(report: dict) -> None:
    posture = [(f["rule_id"], f["path"], f["line"]) for f in report["findings"] if f["kind"] == "posture"]
    assert posture == [("gha-literal-credential", ".github/workflows/deploy.yml", 7),
                       ("gitlab-literal-variable", ".gitlab-ci.yml", 2)]


def test_history_only_findings_keep_their_original_kind(report: dict) -> None:
    kinds = {f["path"]: (f["location_kind"], f["original_kind"])
             for f in report["findings"] if not f["in_head"]}
    assert kinds == {"settings.py": ("git-history", "source"), "vector.py": ("git-history", "source"),
                     "release.txt": ("git-history", "source")}


def test_one_key_in_two_files_is_one_shared_secret(demo: DemoRepo, report: dict) -> None:
    secret = demo.get("shared")[0]
    places = (".env", "scripts/deploy.sh")
    fingerprints = {f["fingerprint"] for f in report["findings"] if f["path"] in places}
    assert len(fingerprints) == 1
    shared = [f for f in report["findings"] if f["shared"]]
    assert {f["path"] for f in shared} == {".env", "scripts/deploy.sh"}
    assert report["scan"]["shared_secrets"] == 1
    assert secret.line == 2


def test_a_secret_still_at_head_is_reported_at_heads_line(demo: DemoRepo, report: dict) -> None:
    # .env gained two lines above the key after it was introduced: HEAD's line, first commit's date.
    (env,) = _found(report, ".env", "openai-project-key")
    assert env["line"] == 4
    assert env["commit"] == demo.get("env")[0].commit


def test_refs_at_scan_time_are_returned_for_incremental_scans(demo: DemoRepo) -> None:
    from secret_sprawl.scanner.pipeline import Runner
    from secret_sprawl.scanner.targets import ScanOptions, scan_target

    with Runner((), jobs=1) as runner:
        result = scan_target(str(demo.path), ScanOptions(), runner)
    assert set(result.refs) == {"refs/heads/main", "refs/heads/feature/vector-store", "refs/tags/v0.9-rc1"}
    assert result.refs["refs/heads/main"] == demo.head
    assert result.complete and result.kind == "git"


def test_output_is_identical_with_one_or_two_workers(demo: DemoRepo, sprawl_scan) -> None:
    one = sprawl_scan(demo.path, "--format", "jsonl", "--jobs", "1")
    two = sprawl_scan(demo.path, "--format", "jsonl", "--jobs", "2")
    assert one.code == two.code == 1
    assert one.out == two.out
    assert len(secret_findings(map(json.loads, one.out.splitlines()))) == len(demo.planted)


def test_no_history_scans_only_the_work_tree(demo: DemoRepo, sprawl_scan) -> None:
    run = sprawl_scan(demo.path, "--no-history", "--format", "json")
    found = {(f["path"], f["rule_id"]) for f in secret_findings(run.doc["findings"])}
    expected = {(p.path, p.rule_id) for p in demo.planted if p.in_head}
    assert found == expected
    assert all(f["commit"] is None for f in run.doc["findings"])
