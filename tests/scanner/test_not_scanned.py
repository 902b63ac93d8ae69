"""Nothing skipped silently: what a scan leaves out on purpose (binaries, archive members over a limit,
archives too large to open) is counted per reason with a few paths, in json and in the table, and is
not a warning; files over --max-file-size are still decoded piece by piece (UTF-16, notebooks)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from secret_sprawl.scanner.sources import archive
from secret_sprawl.scanner.sources.base import PIECE_SIZE

from tests.scanner.helpers import commit_all, git, groq_key, secret_findings

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _target(doc: dict) -> dict:
    [target] = doc["scan"]["targets"]
    return target


def test_binaries_are_counted_with_examples_and_are_not_warnings(tmp_path: Path, sprawl_scan) -> None:
    tree = tmp_path / "tree"
    (tree / "img").mkdir(parents=True)
    for n in range(5):
        (tree / "img" / f"{n}.png").write_bytes(PNG + groq_key(n).encode())
    (tree / "app.py").write_text(f"KEY = '{groq_key(9)}'\n")
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1")
    assert run.code == 1 and not run.doc["scan"]["errors"] and not run.err
    target = _target(run.doc)
    assert target["not_scanned"] == {"binary": 5} == run.doc["scan"]["not_scanned"]
    assert target["not_scanned_examples"]["binary"] == ["img/0.png", "img/1.png", "img/2.png"]
    assert [f["path"] for f in secret_findings(run.doc["findings"])] == ["app.py"]
    table = sprawl_scan(tree, "--format", "table", "--jobs", "1")
    assert "not scanned: 5 binary (img/0.png, img/1.png, img/2.png ...)" in table.out


def test_binary_blobs_in_history_are_counted(tmp_path: Path, sprawl_scan) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "logo.png").write_bytes(PNG)
    (repo / "app.py").write_text("print('hi')\n")
    commit_all(repo, "one")
    (repo / "logo.png").write_bytes(PNG + b"v2")
    commit_all(repo, "two")
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    assert _target(run.doc)["not_scanned"] == {"binary": 2}  # each version of the image
    assert _target(run.doc)["complete"] and not run.doc["scan"]["errors"]


def test_archive_members_over_the_limits_are_counted_by_reason(tmp_path: Path, sprawl_scan,
                                                               monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 3)
    tree = tmp_path / "tree"
    tree.mkdir()
    with zipfile.ZipFile(tree / "many.zip", "w") as bundle:
        for n in range(5):
            bundle.writestr(f"m{n}.env", f"KEY={groq_key(100 + n)}\n")
    with zipfile.ZipFile(tree / "big.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("huge.txt", "x" * (archive.MAX_MEMBER + 1))
        bundle.writestr("small.env", f"KEY={groq_key(200)}\n")
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1")
    assert _target(run.doc)["not_scanned"] == {"archive-member-limit": 2, "too-large": 1}
    assert _target(run.doc)["not_scanned_examples"]["too-large"] == ["big.zip!huge.txt"]
    found = {f["path"] for f in secret_findings(run.doc["findings"])}
    assert found == {"many.zip!m0.env", "many.zip!m1.env", "many.zip!m2.env", "big.zip!small.env"}
    assert not run.doc["scan"]["errors"]


def test_an_archive_over_max_file_size_is_counted_as_not_opened(tmp_path: Path, sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    with zipfile.ZipFile(tree / "release.zip", "w", zipfile.ZIP_STORED) as bundle:  # over one 8 MB piece
        bundle.writestr("noise.bin", bytes(range(256)) * (PIECE_SIZE // 256 + 1000))
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1", "--max-file-size", "1MB")
    assert _target(run.doc)["not_scanned"] == {"archive-over-max-file-size": 1}


def test_utf16_and_notebooks_over_max_file_size_are_decoded_piece_by_piece(tmp_path: Path,
                                                                           sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    lines = 300_000  # 9.6 MB as UTF-16: over one 8 MB piece
    text = "Write-Host 'x'\r\n" * lines + f"$key = '{groq_key(300)}'\r\n"
    (tree / "deploy.ps1").write_bytes(text.encode("utf-16"))  # with a BOM
    (tree / "be.txt").write_bytes(("a\n" * 2_200_000 + f"key: {groq_key(301)}\n").encode("utf-16-be"))
    key = groq_key(302)
    escaped = key[:6] + f"\\u{ord(key[6]):04x}" + key[7:]  # only the decoded JSON string shows the key
    cells = [{"cell_type": "code", "source": [f"x = {n}\n" for n in range(40)], "outputs": [],
              "metadata": {}} for _ in range(14_000)]  # about 9 MB
    cells.append({"cell_type": "code", "source": ["token = 'KEY'\n"], "outputs": [], "metadata": {}})
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}, indent=1).replace("KEY", escaped)
    (tree / "big.ipynb").write_text(notebook)
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1", "--max-file-size", "1MB")
    found = {(f["path"], f["line"], f["column"]) for f in secret_findings(run.doc["findings"])}
    notebook_line = notebook[: notebook.index(escaped)].count("\n") + 1
    assert found == {("deploy.ps1", lines + 1, 9), ("be.txt", 2_200_001, 6),
                     ("big.ipynb", notebook_line, notebook.split("\n")[notebook_line - 1].index('"') + 2)}
    assert not run.doc["scan"]["errors"]
