"""Output formats of ``sprawl scan``: SARIF valid against the official schema, JSON/JSONL/CSV records,
the grouped table, ``--baseline``, ``--show-secrets``, ``--exit-code`` and ``--output``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from secret_sprawl.detectors.posture import posture_rules

from fixtures.build_demo_repo import DemoRepo
from tests.scanner.helpers import sarif_schema, secret_findings

SARIF_SCHEMA = sarif_schema()


@pytest.fixture(scope="module")
def demo_outputs(demo: DemoRepo) -> dict[str, str]:
    """Every format rendered from one scan of the demo repository."""
    from secret_sprawl.scanner.formats import names, renderer
    from secret_sprawl.scanner.pipeline import Runner
    from secret_sprawl.scanner.report import Report
    from secret_sprawl.scanner.targets import ScanOptions, scan_target

    with Runner((), jobs=1) as runner:
        result = scan_target(str(demo.path), ScanOptions(), runner)
    report = Report.build([result], runner.scanner.catalog, 0.5)
    return {name: renderer("scan", name)(report) for name in names("scan")}


def test_no_format_ever_contains_a_plaintext_secret(demo: DemoRepo, demo_outputs: dict[str, str]) -> None:
    for name, text in demo_outputs.items():
        for planted in demo.planted:
            assert planted.secret not in text, (name, planted.name)


@pytest.mark.skipif(SARIF_SCHEMA is None, reason="SARIF schema not found in any shared/schemas")
def test_sarif_is_valid_for_code_scanning(demo: DemoRepo, demo_outputs: dict[str, str]) -> None:
    sarif = json.loads(demo_outputs["sarif"])
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    posture = {"gha-literal-credential", "gitlab-literal-variable"}
    assert [r["id"] for r in rules] == sorted({p.rule_id for p in demo.planted} | posture)
    fixes = {r["id"]: r["help"]["text"] for r in rules if r["id"] in posture}
    assert fixes == {rule_id: posture_rules()[rule_id].fix for rule_id in posture}
    for rule in rules:
        assert float(rule["properties"]["security-severity"]) > 0
        assert rule["help"]["text"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert len(run["results"]) == len(demo.planted) + len(posture)
    fingerprints = {p.secret for p in demo.planted}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["partialFingerprints"]["secretFingerprint/v1"]) == 64
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["artifactLocation"]["uriBaseId"] in run["originalUriBaseIds"]
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert not any(secret in result["message"]["text"] for secret in fingerprints)
    places = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
              r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]}
    assert places[".env"] == demo.get("env")[0].line


def test_json_jsonl_and_csv_hold_the_same_records(demo_outputs: dict[str, str]) -> None:
    document = json.loads(demo_outputs["json"])
    assert document["tool"] == "secret-sprawl" and document["version"]
    assert set(document["scan"]) >= {"targets", "files", "blobs", "bytes", "duration_s", "errors"}
    lines = [json.loads(line) for line in demo_outputs["jsonl"].splitlines()]
    assert lines == document["findings"]
    rows = list(csv.DictReader(io.StringIO(demo_outputs["csv"])))
    assert [(r["fingerprint"], r["path"], int(r["line"])) for r in rows] == [
        (f["fingerprint"], f["path"], f["line"]) for f in document["findings"]]
    required = {"rule_id", "provider", "category", "lifetime", "fingerprint", "redacted", "target", "path",
                "line", "column", "location_kind", "commit", "committed_at", "author", "in_head"}
    assert required <= set(document["findings"][0]) and required <= set(rows[0])


def test_table_groups_places_under_each_secret(demo: DemoRepo, demo_outputs: dict[str, str]) -> None:
    table = demo_outputs["table"]
    assert "shared" in table
    assert "18 finding(s), 15 unique secret(s), 1 shared, 2 CI posture" in table
    assert table.count(demo.get("env")[0].commit[:10]) == 2  # both places of the shared key, one group


def test_show_secrets_reveals_values_only_when_asked(demo: DemoRepo, sprawl_scan) -> None:
    hidden = sprawl_scan(demo.path, "--format", "json")
    shown = sprawl_scan(demo.path, "--format", "json", "--show-secrets")
    assert all("secret" not in f for f in hidden.doc["findings"])
    assert {f["secret"] for f in secret_findings(shown.doc["findings"])} == {p.secret for p in demo.planted}
    assert all("secret" not in f for f in shown.doc["findings"] if f["kind"] == "posture")


def test_baseline_reports_only_new_fingerprints(tmp_path: Path, demo: DemoRepo, sprawl_scan) -> None:
    first = sprawl_scan(demo.path, "--format", "json")
    baseline = tmp_path / "baseline.json"
    document = first.doc
    document["findings"] = [f for f in document["findings"] if f["path"] != "vector.py"]
    baseline.write_text(json.dumps(document))
    second = sprawl_scan(demo.path, "--format", "json", "--baseline", baseline)
    assert [f["path"] for f in second.doc["findings"]] == ["vector.py"]
    everything = tmp_path / "all.json"
    everything.write_text(first.out)
    quiet = sprawl_scan(demo.path, "--format", "json", "--baseline", everything)
    assert quiet.code == 0 and quiet.doc["findings"] == []


def test_bad_baseline_is_a_usage_error(tmp_path: Path, demo: DemoRepo, sprawl_scan) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert sprawl_scan(demo.path, "--baseline", bad).code == 2


def test_exit_code_and_output_file(tmp_path: Path, demo: DemoRepo, sprawl_scan) -> None:
    out = tmp_path / "report.sarif"
    run = sprawl_scan(demo.path, "--format", "sarif", "--output", out, "--exit-code", "7")
    assert run.code == 7 and run.out == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "readme.md").write_text("nothing\n")
    assert sprawl_scan(clean, "--format", "json").code == 0
