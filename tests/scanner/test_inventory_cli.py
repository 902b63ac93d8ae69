"""End to end over real git repositories and a real tracker: three repositories whose CI jobs share
``OPENAI_API_KEY`` give one shared-credential finding naming all three, and ``sprawl inventory``
lists their workloads (by secret, as JSON, CSV and a table)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from git import Actor, Repo
from secret_sprawl.detectors.types import TargetResult
from secret_sprawl.scanner.cli import common_options
from secret_sprawl.scanner.commands import inventory
from secret_sprawl.scanner.inventory_scan import (
    MAX_CI_FILE_BYTES,
    ci_files_at_head,
    ci_files_in_tree,
    scan_ci_files,
    shared_credential_findings,
    shared_jobs_threshold,
)
from secret_sprawl.tracker.config import ConfigError, validate_config
from secret_sprawl.tracker.recording import Recorder

SHARED = Path(__file__).resolve().parents[2] / "fixtures" / "ci" / "shared"
REPOS = ("chat-evals", "doc-indexer", "vision-api")


def sprawl_inventory(*argv: str) -> int:
    """Run the ``inventory`` subcommand through its own registration, as ``sprawl`` does."""
    parser = argparse.ArgumentParser(prog="sprawl")
    inventory.register(parser.add_subparsers(dest="command"), common_options())
    args = parser.parse_args(["inventory", *argv])
    return args.func(args)


@pytest.fixture
def repos(tmp_path: Path) -> list[Path]:
    made = []
    for name in REPOS:
        path = tmp_path / name
        shutil.copytree(SHARED / name, path)
        repo = Repo.init(path)
        repo.git.add(A=True)
        who = Actor("CI Owner", "owner@example.invalid")
        repo.index.commit("add CI", author=who, committer=who)
        made.append(path)
    return made


def scan_and_record(engine, repos: list[Path]):
    recorder = Recorder(engine, actor="tester")
    workloads, findings = [], []
    for path in repos:
        target = str(path)
        ci = scan_ci_files(target, ci_files_at_head(path))
        recorder.record(TargetResult(target=target, kind="git", workloads=ci.workloads))
        workloads += ci.workloads
        findings += ci.findings
    recorder.finish()
    return workloads, findings


def test_three_repositories_sharing_a_key_give_one_finding_naming_all_three(repos):
    workloads = [w for path in repos for w in scan_ci_files(str(path), ci_files_at_head(path)).workloads]

    shared = shared_credential_findings(workloads)

    assert [(f.rule_id, f.redacted, f.category) for f in shared] == [
        ("shared-credential", "OPENAI_API_KEY", "ci")]
    assert all(str(path) in shared[0].message for path in repos)
    assert shared[0].fix and shared[0].secret == ""
    # The same sharing seen from a different first repository is the same finding.
    assert shared_credential_findings(workloads[1:] + workloads[:1])[0].fingerprint == shared[0].fingerprint


def test_inventory_by_secret_json_lists_the_workloads(engine, repos, capsys):
    scan_and_record(engine, repos)
    url = engine.url.render_as_string(hide_password=False)

    assert sprawl_inventory("--db", url, "--by-secret", "--format", "json") == 0

    document = json.loads(capsys.readouterr().out)
    by_name = {entry["name"]: entry for entry in document["secrets"]}
    openai = by_name["OPENAI_API_KEY"]
    assert openai["shared"] is True
    assert openai["targets"] == sorted(str(path) for path in repos)
    places = sorted((Path(w["target"]).name, w["file"], w["job"], w["federation"])
                    for w in openai["workloads"])
    assert places == [
        ("chat-evals", ".github/workflows/nightly.yml", "evals", "mixed"),
        ("doc-indexer", ".gitlab-ci.yml", "index", "static-secret"),
        ("vision-api", ".github/workflows/test.yml", "test", "static-secret"),
    ]


def test_inventory_lists_workloads_with_identities_as_json_csv_and_table(engine, repos, capsys):
    scan_and_record(engine, repos)
    url = engine.url.render_as_string(hide_password=False)
    chat_evals = str(repos[0])

    sprawl_inventory("--db", url, "--format", "json", "--target", chat_evals)
    [workload] = json.loads(capsys.readouterr().out)["workloads"]
    assert workload["identities"] == ["arn:aws:iam::111122223333:role/chat-evals"]
    assert workload["secrets"] == ["OPENAI_API_KEY"]

    sprawl_inventory("--db", url, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(Path(r["target"]).name, r["federation"], r["secrets"]) for r in rows] == [
        ("chat-evals", "mixed", "OPENAI_API_KEY"),
        ("doc-indexer", "static-secret", "OPENAI_API_KEY"),
        ("vision-api", "static-secret", "OPENAI_API_KEY"),
    ]

    sprawl_inventory("--db", url, "--by-secret")
    table = capsys.readouterr().out
    assert "OPENAI_API_KEY" in table and "vision-api" in table


def test_ci_files_of_a_plain_directory_are_read_from_the_tree(tmp_path):
    shutil.copytree(SHARED / "vision-api", tmp_path / "project")
    (tmp_path / "project" / "notes.yml").write_text("not: ci\n", encoding="utf-8")

    assert [path for path, _text in ci_files_in_tree(tmp_path / "project")] == [".github/workflows/test.yml"]


@pytest.mark.parametrize("value", [0, -1, "5", True, 1e9])
def test_shared_jobs_threshold_must_be_a_positive_integer(value):
    with pytest.raises(ConfigError, match=r"\[inventory\] shared_jobs_threshold"):
        validate_config({"inventory": {"shared_jobs_threshold": value}}, "test")
    assert shared_jobs_threshold(validate_config({}, "test")) == 5
    assert shared_jobs_threshold(validate_config({"inventory": {"shared_jobs_threshold": 2}}, "test")) == 2


def test_ci_files_of_a_repository_are_the_committed_ones(repos, tmp_path):
    workflow = repos[2] / ".github" / "workflows" / "test.yml"
    committed = workflow.read_text(encoding="utf-8")
    workflow.write_text("edited: in the work tree only\n", encoding="utf-8")
    assert list(ci_files_at_head(repos[2], repos[2])) == [(".github/workflows/test.yml", committed)]

    unborn = tmp_path / "unborn"
    shutil.copytree(SHARED / "doc-indexer", unborn)
    Repo.init(unborn)
    assert [path for path, _text in ci_files_at_head(unborn, unborn)] == [".gitlab-ci.yml"]
    assert list(ci_files_at_head(unborn)) == []  # a bare repository with no commit has no CI files


def test_a_committed_ci_file_over_the_size_limit_is_not_read(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "small.yml").write_text("on: push\n", encoding="utf-8")
    (repo / ".gitlab-ci.yml").write_text("# x\n" * (MAX_CI_FILE_BYTES // 4 + 1), encoding="utf-8")
    for args in (["init", "--quiet"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit",
                                                      "--quiet", "-m", "ci"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    assert list(ci_files_at_head(repo)) == [(".github/workflows/small.yml", "on: push\n")]
