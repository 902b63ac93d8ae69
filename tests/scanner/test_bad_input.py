"""Bad input never stops a scan: each problem is a warning naming the path (in ``scan.errors`` and on
stderr), never a traceback, and findings in the other files are still reported."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
import secret_sprawl.scanner.sources.directory as directory_source

from tests.scanner.helpers import commit_all, git, groq_key

GOOD = "good.py"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / GOOD).write_text(f"x = 1\nGROQ_API_KEY = '{groq_key(1)}'\n")
    return root


def _errors(doc: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in doc["scan"]["errors"]}


def _assert_good_still_found(doc: dict) -> None:
    assert any(f["path"] == GOOD and f["line"] == 2 for f in doc["findings"]), doc["findings"]


def test_binary_file_is_skipped_but_text_files_are_scanned(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    # Mostly control and high bytes around the NULs: binary (text with a few NULs is scanned; see
    # test_real_repos), so the key inside it is not reported.
    (root / "blob.bin").write_bytes(bytes(range(256)) * 4 + groq_key(2).encode() + b"\x00" * 100)
    run = sprawl_scan(root, "--format", "json")
    assert [f["path"] for f in run.doc["findings"]] == [GOOD]
    assert run.doc["scan"]["files"] == 2


def test_invalid_utf8_is_scanned_as_bytes(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    (root / "latin.txt").write_bytes(b"caf\xe9 \xff\xfe\n" + f"key={groq_key(3)}\n".encode())
    run = sprawl_scan(root, "--format", "json")
    found = [f for f in run.doc["findings"] if f["path"] == "latin.txt"]
    assert [(f["line"], f["column"]) for f in found] == [(2, 5)]


def test_utf16_with_bom_is_decoded(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    text = f"A=1\r\nGROQ_API_KEY={groq_key(4)}\r\n"
    (root / "windows.env").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    run = sprawl_scan(root, "--format", "json")
    (found,) = [f for f in run.doc["findings"] if f["path"] == "windows.env"]
    assert (found["line"], found["column"], found["location_kind"]) == (2, 14, "env-file")


def test_file_over_the_size_limit_is_scanned_in_pieces_with_true_lines(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    filler = "".join(f"line {i} nothing to see here\n" for i in range(40_000))
    (root / "big.log").write_text(filler + f"token {groq_key(5)}\n" + filler + f"again {groq_key(6)}\n")
    run = sprawl_scan(root, "--format", "json", "--max-file-size", "64k")
    found = sorted((f["line"], f["column"]) for f in run.doc["findings"] if f["path"] == "big.log")
    assert found == [(40_001, 7), (80_002, 7)]
    assert run.doc["scan"]["bytes"] == sum(p.stat().st_size for p in root.iterdir())


def test_fifty_megabyte_single_line_file(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    size = 50 * 1024 * 1024
    key = groq_key(7)
    at = size - 1000
    with open(root / "one-line.min.js", "wb") as handle:
        handle.write(b"a=" + b"x" * (at - 2))
        handle.write(f" k='{key}'".encode())
        handle.write(b";" * 100)
    run = sprawl_scan(root, "--format", "json", "--min-confidence", "low")  # a *.min.js is vendored: low
    found = [f for f in run.doc["findings"] if f["path"] == "one-line.min.js"]
    assert [(f["line"], f["column"]) for f in found] == [(1, at + 5)]
    _assert_good_still_found(run.doc)


def test_broken_symlink_loop_and_outside_link_are_warnings(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text(f"k={groq_key(8)}\n")
    (root / "broken").symlink_to(root / "missing-target")
    (root / "loop").symlink_to(root / "loop")
    (root / "escape").symlink_to(outside)
    (root / "inside").symlink_to(root / GOOD)
    (root / "parent").symlink_to(root)
    run = sprawl_scan(root, "--format", "json")
    errors = _errors(run.doc)
    assert "broken symlink" in errors["broken"]
    assert "loop" in errors["loop"]
    assert "outside" in errors["escape"]
    assert "inside" not in errors and "parent" not in errors
    assert [f["path"] for f in run.doc["findings"]] == [GOOD]  # the link inside is not scanned twice
    assert "broken" in run.err and "Traceback" not in run.err


def test_unreadable_file_is_a_warning(tmp_path: Path, sprawl_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path)
    locked = root / "locked.env"
    locked.write_text(f"K={groq_key(9)}\n")
    if os.geteuid() == 0:  # root reads through chmod 000: make the open itself fail for that file
        real_open = directory_source._open

        def refuse(path: str):
            if path.endswith("locked.env"):
                raise PermissionError(13, "Permission denied", path)
            return real_open(path)

        monkeypatch.setattr(directory_source, "_open", refuse)
    else:
        locked.chmod(0)
    run = sprawl_scan(root, "--format", "json")
    assert "Permission denied" in _errors(run.doc)["locked.env"]
    _assert_good_still_found(run.doc)
    assert run.code == 1


def test_fifo_is_not_opened(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    os.mkfifo(root / "pipe")
    run = sprawl_scan(root, "--format", "json")
    assert "not a regular file" in _errors(run.doc)["pipe"]
    _assert_good_still_found(run.doc)


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("broken.ipynb", '{"cells": [{"cell_type": "code", "source": ["k = \'%s\'"]', "notebook"),
    (".github/workflows/ci.yml", "on: [push\njobs:\n  env: {GROQ: %s}\n", "ci-config"),
    ("mcp.json", '{"mcpServers": {"x": {"env": {"GROQ_API_KEY": "%s"}}}', "agent-config"),
    ("docker-compose.yml", "services:\n  - just a list\nenv: %s\n", "env-file"),
    (".env", "this is not an env file\nGROQ_API_KEY=%s\n", "env-file"),
])
def test_malformed_structured_file_falls_back_to_plain_text(tmp_path: Path, sprawl_scan, name: str,
                                                             content: str, kind: str) -> None:
    root = _tree(tmp_path)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    key = groq_key(10)
    path.write_text(content % key)
    run = sprawl_scan(root, "--format", "json")
    assert "scanned as plain text" in _errors(run.doc)[name]
    (found,) = [f for f in run.doc["findings"] if f["path"] == name]
    text = content % key
    assert found["line"] == text[: text.index(key)].count("\n") + 1
    assert found["location_kind"] == kind
    _assert_good_still_found(run.doc)
    assert name in run.err
    assert key[:8] not in run.out + run.err  # no warning quotes the malformed line


def test_empty_repository(tmp_path: Path, sprawl_scan) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "new.env").write_text(f"GROQ_API_KEY={groq_key(11)}\n")
    run = sprawl_scan(repo, "--format", "json")
    assert run.doc["scan"]["errors"] == []
    assert [(f["path"], f["commit"], f["in_head"]) for f in run.doc["findings"]] == [("new.env", None, True)]
    assert run.doc["scan"]["targets"][0]["complete"] is True


def test_repository_with_a_corrupt_object(tmp_path: Path, sprawl_scan) -> None:
    repo = tmp_path / "corrupt"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "a.txt").write_text("nothing here\n")
    (repo / "b.py").write_text(f"GROQ = '{groq_key(12)}'\n")
    (repo / "c.py").write_text(f"OTHER = '{groq_key(13)}'\n")
    commit_all(repo, "three files")
    blob = git(repo, "rev-parse", "HEAD:a.txt")
    obj = repo / ".git" / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"this is not zlib data")
    run = sprawl_scan(repo, "--format", "json", "--no-record")
    assert blob in _errors(run.doc)["a.txt"]
    assert {f["path"] for f in run.doc["findings"] if f["commit"]} == {"b.py", "c.py"}
    assert "Traceback" not in run.err


def test_shallow_clone_is_scanned_with_a_warning(tmp_path: Path, sprawl_scan) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "--quiet")
    (origin / "old.py").write_text(f"K = '{groq_key(14)}'\n")
    commit_all(origin, "old")
    (origin / "new.py").write_text(f"K = '{groq_key(15)}'\n")
    boundary = commit_all(origin, "new")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", origin.as_uri(), str(clone))
    run = sprawl_scan(clone, "--format", "json")
    assert "shallow clone" in _errors(run.doc)["."]
    found = {(f["path"], f["commit"]) for f in run.doc["findings"]}
    assert found == {("old.py", boundary), ("new.py", boundary)}


def test_unreachable_remote_fails_alone(tmp_path: Path, sprawl_scan) -> None:
    root = _tree(tmp_path)
    missing = (tmp_path / "no-such-repo").as_uri()
    run = sprawl_scan(missing, root, "--format", "json", "--cache-dir", tmp_path / "cache")
    targets = {t["target"]: t["complete"] for t in run.doc["scan"]["targets"]}
    assert targets == {missing: False, str(root): True}
    assert "cannot fetch" in next(e for e in run.doc["scan"]["errors"] if e["target"] == missing)["message"]
    _assert_good_still_found(run.doc)
    assert run.code == 1


def test_only_failed_targets_exit_2(tmp_path: Path, sprawl_scan) -> None:
    run = sprawl_scan((tmp_path / "nope").as_uri(), "--format", "json", "--cache-dir", tmp_path / "cache")
    assert run.code == 2
    assert run.doc["findings"] == []
