"""Git sources: incremental scans (``--since``, refs of the last scan), remote mirrors (cloned once,
fetched after, credentials never stored), staged changes, and history attribution rules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.sources.remote import mirror_path, strip_credentials
from secret_sprawl.scanner.targets import ScanOptions, scan_target

from fixtures.build_demo_repo import DemoRepo
from tests.scanner.helpers import commit_all, git, groq_key, secret_findings


def _repo(tmp_path: Path, name: str = "repo", object_format: str = "sha1") -> Path:
    repo = tmp_path / name
    repo.mkdir()
    git(repo, "init", "--quiet", f"--object-format={object_format}")
    return repo


def _paths(run) -> set[str]:
    return {f["path"] for f in run.doc["findings"]}


def test_since_scans_only_objects_not_reachable_from_rev(tmp_path: Path, sprawl_scan) -> None:
    repo = _repo(tmp_path)
    (repo / "old.py").write_text(f"K = '{groq_key(20)}'\n")
    first = commit_all(repo, "old")
    (repo / "new.py").write_text(f"K = '{groq_key(21)}'\n")
    second = commit_all(repo, "new")
    run = sprawl_scan(repo, "--since", first, "--format", "json")
    assert [(f["path"], f["commit"]) for f in run.doc["findings"]] == [("new.py", second)]
    assert run.doc["scan"]["blobs"] == 1
    assert sprawl_scan(repo, "--since", "no-such-rev").code == 2


def test_excluded_refs_of_the_last_scan_make_an_incremental_scan(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "a.py").write_text(f"K = '{groq_key(22)}'\n")
    commit_all(repo, "a")
    with Runner((), jobs=1) as runner:
        before = scan_target(str(repo), ScanOptions(), runner)
        (repo / "b.py").write_text(f"K = '{groq_key(23)}'\n")
        commit_all(repo, "b")
        stale = ("0" * 40,)  # a ref that vanished since (force-push, gc) is ignored
        after = scan_target(str(repo), ScanOptions(exclude=(*before.refs.values(), *stale)), runner)
    assert [f.provenance.path for f in before.findings] == ["a.py"]
    assert [f.provenance.path for f in after.findings] == ["b.py"]
    assert after.blobs == 1 and after.complete


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])  # SHA-256 ids are 64 digits
def test_secret_moved_to_a_new_blob_keeps_its_first_commit(tmp_path: Path, sprawl_scan,
                                                           object_format: str) -> None:
    repo = _repo(tmp_path, object_format=object_format)
    key = groq_key(24)
    (repo / "conf.py").write_text(f"K = '{key}'\n")
    first = commit_all(repo, "add key")
    (repo / "conf.py").write_text(f"import os\nDEBUG = True\nK = '{key}'\n")
    commit_all(repo, "edit elsewhere in the file")
    (finding,) = sprawl_scan(repo, "--format", "json").doc["findings"]
    assert (finding["commit"], finding["line"], finding["in_head"]) == (first, 3, True)
    assert len(first) == {"sha1": 40, "sha256": 64}[object_format]


def test_without_temporary_files_git_log_is_read_after_the_scan(tmp_path: Path, monkeypatch) -> None:
    repo = _repo(tmp_path)
    (repo / "conf.py").write_text(f"K = '{groq_key(30)}'\n")
    first = commit_all(repo, "add key")

    def no_space(*_args: object, **_kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.TemporaryFile", no_space)
    with Runner((), jobs=1) as runner:
        result = scan_target(str(repo), ScanOptions(), runner)
    assert [(f.provenance.path, f.provenance.commit) for f in result.findings] == [("conf.py", first)]


def test_secret_written_only_by_a_merge_is_dated_to_the_merge(tmp_path: Path, sprawl_scan) -> None:
    repo = _repo(tmp_path)
    (repo / "conf.py").write_text("K = None\n")
    commit_all(repo, "start")
    git(repo, "checkout", "--quiet", "-b", "side")
    (repo / "conf.py").write_text("K = 'side'\n")
    commit_all(repo, "side")
    git(repo, "checkout", "--quiet", "main")
    (repo / "conf.py").write_text("K = 'main'\n")
    commit_all(repo, "main")
    conflict = subprocess.run(["git", "merge", "--quiet", "side"], cwd=repo, capture_output=True, check=False)
    assert conflict.returncode != 0
    key = groq_key(26)
    (repo / "conf.py").write_text(f"K = '{key}'\n")  # the resolution writes what neither parent had
    merge = commit_all(repo, "merge side")
    assert len(git(repo, "rev-list", "--parents", "-n", "1", merge).split()) == 3
    (finding,) = sprawl_scan(repo, "--format", "json").doc["findings"]
    assert (finding["path"], finding["commit"], finding["in_head"]) == ("conf.py", merge, True)


def test_stash_and_remote_tracking_refs_are_scanned(tmp_path: Path, sprawl_scan) -> None:
    origin = _repo(tmp_path, "origin")
    (origin / "readme.md").write_text("hello\n")
    commit_all(origin, "init")
    git(origin, "switch", "--quiet", "-c", "topic")
    (origin / "topic.py").write_text(f"K = '{groq_key(25)}'\n")
    commit_all(origin, "topic")
    git(origin, "switch", "--quiet", "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", origin.as_uri(), str(clone))
    (clone / "readme.md").write_text(f"hello {groq_key(26)}\n")
    git(clone, "stash", "--quiet")
    run = sprawl_scan(clone, "--format", "json")
    assert _paths(run) == {"topic.py", "readme.md"}
    assert all(not f["in_head"] for f in run.doc["findings"])


def test_remote_is_mirrored_once_then_fetched(tmp_path: Path, sprawl_scan) -> None:
    origin = _repo(tmp_path, "origin")
    (origin / "a.py").write_text(f"K = '{groq_key(27)}'\n")
    commit_all(origin, "a")
    cache = tmp_path / "cache"
    url = origin.as_uri()
    first = sprawl_scan(url, "--format", "json", "--cache-dir", cache)
    assert _paths(first) == {"a.py"}
    assert {f["target"] for f in first.doc["findings"]} == {url}
    mirror = mirror_path(url, cache)
    marker = mirror / "objects" / "info" / "sprawl-test-marker"
    marker.write_text("kept across scans\n")
    (origin / "b.py").write_text(f"K = '{groq_key(28)}'\n")
    commit_all(origin, "b")
    second = sprawl_scan(url, "--format", "json", "--cache-dir", cache)
    assert _paths(second) == {"a.py", "b.py"}
    assert marker.exists()  # fetched into the same mirror, not cloned again
    assert all(f["in_head"] for f in second.doc["findings"])


def test_credentials_in_a_url_are_never_stored_or_shown(tmp_path: Path, sprawl_scan) -> None:
    url = "https://scanner:s3cr3t-t0ken@127.0.0.1:9/org/repo.git"
    assert strip_credentials(url) == "https://127.0.0.1:9/org/repo.git"
    assert strip_credentials("git@github.com:org/repo.git") == "github.com:org/repo.git"
    assert strip_credentials("ssh://git@host/x.git") == "ssh://host/x.git"
    cache = tmp_path / "cache"
    run = sprawl_scan(url, "--format", "json", "--cache-dir", cache)
    assert run.code == 2
    assert "s3cr3t" not in run.out and "s3cr3t" not in run.err
    assert run.doc["scan"]["targets"][0]["target"] == "https://127.0.0.1:9/org/repo.git"
    config = (mirror_path(url, cache) / "config").read_text()
    assert "s3cr3t" not in config and "127.0.0.1:9/org/repo.git" in config


def test_staged_reports_what_the_commit_would_introduce(tmp_path: Path, sprawl_scan) -> None:
    repo = _repo(tmp_path)
    old = groq_key(29)
    (repo / "settings.py").write_text(f"OLD = '{old}'\n")
    commit_all(repo, "old key already committed")
    new = groq_key(30)
    (repo / "settings.py").write_text(f"OLD = '{old}'\nNEW = '{new}'\n")
    (repo / "other.env").write_text(f"K={groq_key(31)}\n")
    git(repo, "add", "settings.py")
    (repo / "settings.py").write_text("work tree differs from the index\n")
    run = sprawl_scan(repo, "--staged", "--format", "json")
    assert [(f["path"], f["line"]) for f in run.doc["findings"]] == [("settings.py", 2)]
    assert run.code == 1
    git(repo, "reset", "--quiet")
    assert sprawl_scan(repo, "--staged", "--format", "json").code == 0


def test_staged_needs_a_repository(tmp_path: Path, sprawl_scan) -> None:
    assert sprawl_scan(tmp_path, "--staged").code == 2


def test_pre_commit_hook_definition_runs_the_staged_scan() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["entry"].startswith("sprawl scan --staged") and hook["pass_filenames"] is False


def test_demo_scan_through_the_installed_command(demo: DemoRepo) -> None:
    sprawl = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "sprawl"
    if not sprawl.exists():
        pytest.skip("the sprawl console script is not installed in .venv")
    done = subprocess.run([str(sprawl), "scan", str(demo.path), "--no-record", "--format", "jsonl",
                           "--jobs", "2"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert len(secret_findings(map(json.loads, done.stdout.splitlines()))) == len(demo.planted)
    assert "Traceback" not in done.stderr
