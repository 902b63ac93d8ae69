"""Confidence on scan output: path context lowers it, every format shows it with its reasons, and
``--min-confidence`` decides what is shown and what the exit code counts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from secret_sprawl.detectors.context import lower_for_path, path_context
from secret_sprawl.detectors.types import Confidence

from tests.scanner.helpers import groq_key, sarif_schema, secret_findings

SARIF_SCHEMA = sarif_schema()
LEVELS = tuple(level.value for level in Confidence)


def _rank(level: str) -> int:
    return Confidence(level).rank


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The same key in application code, a test, the docs, an example and vendored code."""
    key = groq_key(7)
    files = {
        "app.py": f"GROQ_API_KEY = '{key}'\n",
        "tests/test_client.py": f"GROQ_API_KEY = '{key}'\n",
        "docs/setup.txt": f"export GROQ_API_KEY={key}\n",
        "examples/chat.py": f"GROQ_API_KEY = '{key}'\n",
        "node_modules/groq-sdk/index.js": f"const key = '{key}';\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    return tmp_path


def test_path_context_lowers_confidence_and_says_why(project: Path, sprawl_scan) -> None:
    run = sprawl_scan(project, "--format", "json", "--min-confidence", "low")
    found = {f["path"]: f for f in secret_findings(run.doc["findings"])}
    assert set(found) == {"app.py", "tests/test_client.py", "docs/setup.txt", "examples/chat.py",
                          "node_modules/groq-sdk/index.js"}
    app = found["app.py"]
    assert not {"test-path", "docs-path", "example-path", "vendored-path"} & set(app["reasons"])
    assert _rank(app["confidence"]) >= Confidence.MEDIUM.rank
    expected = {"tests/test_client.py": "test-path", "docs/setup.txt": "docs-path",
                "examples/chat.py": "example-path"}
    for path, reason in expected.items():
        assert reason in found[path]["reasons"], path
        assert _rank(found[path]["confidence"]) < _rank(app["confidence"]), path
        # The scanner applies the detectors' rule for paths to the engine's score of the same value.
        lowered = lower_for_path(Confidence(app["confidence"]), tuple(app["reasons"]), path_context(path),
                                 generic=False)
        assert (found[path]["confidence"], tuple(found[path]["reasons"])) == (lowered[0].value, lowered[1])
    vendored = found["node_modules/groq-sdk/index.js"]
    assert "vendored-path" in vendored["reasons"] and vendored["confidence"] == "low"


def test_min_confidence_filters_output_and_summary(project: Path, sprawl_scan) -> None:
    everything = secret_findings(sprawl_scan(project, "--format", "json", "--min-confidence", "low").doc[
        "findings"])
    for floor in LEVELS:
        run = sprawl_scan(project, "--format", "json", "--min-confidence", floor)
        shown = secret_findings(run.doc["findings"])
        expected = [f for f in everything if _rank(f["confidence"]) >= _rank(floor)]
        assert [(f["path"], f["confidence"]) for f in shown] == [
            (f["path"], f["confidence"]) for f in expected]
        summary = run.doc["scan"]
        assert summary["min_confidence"] == floor
        assert summary["below_min_confidence"] == len(everything) - len(expected)
        assert sum(summary["by_confidence"].values()) == summary["findings"] == len(shown)
    default = sprawl_scan(project, "--format", "json")
    assert default.doc["scan"]["min_confidence"] == "medium"
    assert "node_modules/groq-sdk/index.js" not in {f["path"] for f in default.doc["findings"]}


def test_exit_code_counts_only_shown_findings(tmp_path: Path, sprawl_scan) -> None:
    vendored = tmp_path / "vendor" / "lib"
    vendored.mkdir(parents=True)
    (vendored / "client.py").write_text(f"GROQ_API_KEY = '{groq_key(8)}'\n")
    quiet = sprawl_scan(tmp_path, "--format", "json")
    assert quiet.code == 0 and quiet.doc["findings"] == []
    assert quiet.doc["scan"]["below_min_confidence"] == 1
    loud = sprawl_scan(tmp_path, "--format", "json", "--min-confidence", "LOW")
    assert loud.code == 1 and [f["confidence"] for f in loud.doc["findings"]] == ["low"]


def test_bad_level_is_a_usage_error(project: Path, sprawl_scan) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sprawl_scan(project, "--min-confidence", "certain")
    assert exit_info.value.code == 2


def test_every_format_carries_confidence_and_reasons(project: Path, sprawl_scan) -> None:
    records = sprawl_scan(project, "--format", "json", "--min-confidence", "low").doc["findings"]
    expected = [(f["path"], f["confidence"], f["reasons"]) for f in records]
    assert all(f["confidence"] in LEVELS and isinstance(f["reasons"], list) for f in records)

    jsonl = sprawl_scan(project, "--format", "jsonl", "--min-confidence", "low").out.splitlines()
    assert [(r["path"], r["confidence"], r["reasons"]) for r in map(json.loads, jsonl)] == expected

    rows = list(csv.DictReader(io.StringIO(sprawl_scan(project, "--format", "csv", "--min-confidence",
                                                       "low").out)))
    assert [(r["path"], r["confidence"], r["reasons"].split(";") if r["reasons"] else []) for r in rows] \
        == expected

    sarif = json.loads(sprawl_scan(project, "--format", "sarif", "--min-confidence", "low").out)
    results = sarif["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert [(u, r["properties"]["confidence"], r["properties"]["reasons"]) for u, r in zip(uris, results,
                                                                                            strict=True)] \
        == expected
    ranks = {r["properties"]["confidence"]: r["rank"] for r in results}
    assert ranks["low"] < ranks.get("medium", 100) and all(0 <= rank <= 100 for rank in ranks.values())
    if SARIF_SCHEMA is not None:
        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))

    table = sprawl_scan(project, "--format", "table", "--min-confidence", "low").out
    assert "confidence" in table and "test-path" in table and "vendored-path" in table
    hidden = sprawl_scan(project, "--format", "table").out
    assert "vendored-path" not in hidden
    assert "below --min-confidence medium not shown" in hidden
