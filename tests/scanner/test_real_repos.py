"""Real repositories: absent objects, partial clones, odd names, dead remotes and odd files never cost
the findings that could be made, never hang, and never write into or fetch for what is scanned."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.scanner.helpers import commit_all, git, groq_key, secret_findings

COMMITS = 8


def _history_repo(root: Path) -> tuple[Path, list[str]]:
    """A repository with one new secret file per commit; the keys in commit order."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    keys = []
    for n in range(COMMITS):
        keys.append(groq_key(1000 + n))
        (repo / f"conf{n}.py").write_text(f"KEY = '{keys[-1]}'\n")
        commit_all(repo, f"c{n}")
    return repo, keys


def _loose(repo: Path, sha: str) -> Path:
    return repo / ".git" / "objects" / sha[:2] / sha[2:]


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (including .git) and the SHA-256 of its content."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _found(run) -> set[str]:
    return {f["path"] for f in secret_findings(run.doc["findings"])}


def _target(run) -> dict:
    [target] = run.doc["scan"]["targets"]
    return target


def test_a_deleted_loose_blob_costs_only_itself(tmp_path: Path, sprawl_scan) -> None:
    repo, _ = _history_repo(tmp_path)
    gone = git(repo, "rev-parse", "HEAD:conf3.py")
    _loose(repo, gone).unlink()
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    assert run.code == 1
    assert _found(run) == {f"conf{n}.py" for n in range(COMMITS) if n != 3}
    assert _target(run)["complete"] is False and _target(run)["missing_objects"] == 1
    [error] = [e for e in run.doc["scan"]["errors"] if gone in e["message"]]
    assert error["path"] == "conf3.py"


def test_a_deleted_tree_and_a_deleted_commit_still_let_every_present_blob_be_read(tmp_path: Path,
                                                                                   sprawl_scan) -> None:
    repo, _ = _history_repo(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "deep.py").write_text(f"KEY = '{groq_key(2000)}'\n")
    commit_all(repo, "sub")
    (repo / "last.py").write_text(f"KEY = '{groq_key(2001)}'\n")
    commit_all(repo, "last")
    _loose(repo, git(repo, "rev-parse", "HEAD~1")).unlink()  # the commit that added sub/
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1", "--no-history")
    assert run.code == 1  # the work tree alone
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    assert run.code == 1
    found = {f["path"] for f in secret_findings(run.doc["findings"])}
    assert {"last.py", "sub/deep.py"} <= found
    assert _target(run)["complete"] is False and _target(run)["missing_objects"] >= 1
    assert any("could not walk the whole history" in e["message"] for e in run.doc["scan"]["errors"])


def test_a_corrupt_pack_entry_costs_only_its_blob(tmp_path: Path, sprawl_scan) -> None:
    repo, _ = _history_repo(tmp_path)
    (repo / "big.txt").write_text("".join(f"line {n} of filler text\n" for n in range(4000)))
    commit_all(repo, "big")
    git(repo, "repack", "-a", "-d", "-q", "--depth=0")
    git(repo, "prune-packed")
    big = git(repo, "rev-parse", "HEAD:big.txt")
    [pack] = (repo / ".git" / "objects" / "pack").glob("*.pack")
    offsets = {line.split()[0]: int(line.split()[4]) for line in
               git(repo, "verify-pack", "-v", str(pack.with_suffix(".idx"))).splitlines()
               if len(line.split()) >= 5 and line.split()[1] in ("blob", "tree", "commit")}
    pack.chmod(0o644)
    with pack.open("r+b") as handle:
        handle.seek(offsets[big] + 40)
        handle.write(b"\xff" * 64)
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    assert run.code == 1
    assert _found(run) == {f"conf{n}.py" for n in range(COMMITS)}
    assert any(e["path"] == "big.txt" for e in run.doc["scan"]["errors"])


@pytest.fixture
def partial_clone(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A blob:none clone over file:// whose history secrets (all but HEAD's files) are absent."""
    server, keys = _history_repo(tmp_path)
    for n in range(COMMITS - 1):
        (server / f"conf{n}.py").unlink()
    commit_all(server, "remove the old files")
    git(server, "config", "uploadpack.allowFilter", "true")
    git(server, "config", "uploadpack.allowAnySHA1InWant", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--filter=blob:none", f"file://{server}", str(clone))
    return server, clone, keys


def test_a_partial_clone_is_scanned_offline_and_left_untouched(partial_clone, sprawl_scan) -> None:
    server, clone, _ = partial_clone
    before = _snapshot(clone)
    run = sprawl_scan(clone, "--format", "json", "--jobs", "1")
    assert _snapshot(clone) == before  # no packs, no config, no index written
    assert run.code == 1
    assert _found(run) == {f"conf{COMMITS - 1}.py"}
    assert _target(run)["missing_objects"] == COMMITS - 1 and _target(run)["complete"] is False
    absent = [e for e in run.doc["scan"]["errors"] if "partial clone" in e["message"]]
    assert sorted(e["path"] for e in absent) == sorted(f"conf{n}.py" for n in range(COMMITS - 1))

    shutil.rmtree(server)  # the server is gone: the same result, no error about it
    again = sprawl_scan(clone, "--format", "json", "--jobs", "1")
    assert again.code == 1 and _found(again) == _found(run)
    assert _snapshot(clone) == before


def test_fetch_missing_fetches_the_absent_blobs_in_one_batch(partial_clone, sprawl_scan) -> None:
    _, clone, _ = partial_clone
    packs_before = set((clone / ".git" / "objects" / "pack").glob("*.pack"))
    run = sprawl_scan(clone, "--format", "json", "--jobs", "1", "--fetch-missing")
    assert run.code == 1
    assert _found(run) == {f"conf{n}.py" for n in range(COMMITS)}
    assert _target(run)["missing_objects"] == 0 and _target(run)["complete"] is True
    assert len(set((clone / ".git" / "objects" / "pack").glob("*.pack")) - packs_before) == 1
    assert any(f"fetched {COMMITS - 1} absent objects" in e["message"] for e in run.doc["scan"]["errors"])


LATIN1_NAME = "caf\xe9.env".encode("latin-1")  # not UTF-8
SHOWN = "caf\\xe9.env"


def _odd_name_tree(root: Path) -> Path:
    tree = root / "tree"
    tree.mkdir()
    (tree / "healthy.py").write_text(f"KEY = '{groq_key(3000)}'\n")
    with open(os.path.join(os.fsencode(tree), LATIN1_NAME), "w") as handle:
        handle.write(f"GROQ_API_KEY={groq_key(3001)}\n")
    return tree


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sarif", "table"])
def test_a_name_that_is_not_utf8_is_scanned_and_shown_escaped_in_every_format(tmp_path: Path, sprawl_scan,
                                                                              fmt: str) -> None:
    tree = _odd_name_tree(tmp_path)
    run = sprawl_scan(tree, "--format", fmt, "--jobs", "1")
    assert run.code == 1, run.err
    shown = {"json": json.dumps(SHOWN)[1:-1], "jsonl": json.dumps(SHOWN)[1:-1],
             "sarif": quote(SHOWN)}.get(fmt, SHOWN)  # SARIF: a URI, percent-encoded
    assert shown in run.out and "healthy.py" in run.out
    assert "Traceback" not in run.err


def test_a_name_that_is_not_utf8_in_history_is_recorded(tmp_path: Path, sprawl_scan, monkeypatch) -> None:
    monkeypatch.setenv("SPRAWL_DB", f"sqlite:///{tmp_path / 'sprawl.db'}")
    repo = _odd_name_tree(tmp_path)
    git(repo, "init", "--quiet")
    commit_all(repo, "odd name")
    os.unlink(os.path.join(os.fsencode(repo), LATIN1_NAME))  # in history only
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1", record=True)
    assert run.code == 1, run.err
    assert _found(run) == {"healthy.py", SHOWN}
    db = f"sqlite:///{tmp_path / 'sprawl.db'}"
    shown = [_sprawl("secrets", "show", str(n), "--db", db) for n in (1, 2)]
    assert any(SHOWN in text for text in shown)


def _sprawl(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "secret_sprawl.scanner.cli", *args], capture_output=True,
                          text=True, check=True)
    return done.stdout


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize("scheme", ["http", "git"])
def test_a_remote_that_never_answers_times_out_and_the_other_target_is_reported(
        tmp_path: Path, sprawl_scan, silent_server: int, scheme: str) -> None:
    tree = _odd_name_tree(tmp_path)
    started = time.monotonic()
    run = sprawl_scan(f"{scheme}://127.0.0.1:{silent_server}/repo.git", tree, "--format", "json",
                      "--jobs", "1", "--network-timeout", "1", "--cache-dir", tmp_path / "cache")
    assert time.monotonic() - started < 20
    assert run.code == 1
    assert "healthy.py" in _found(run)
    remote = run.doc["scan"]["targets"][0]
    assert remote["complete"] is False
    assert any(e["target"].startswith(scheme) and e["path"] == "" for e in run.doc["scan"]["errors"])


@pytest.mark.parametrize("spec", ["fd::17", "ext::sh -c touch% /tmp/pwned", "ftp://127.0.0.1/x.git"])
def test_transports_other_than_https_http_ssh_git_file_are_refused(tmp_path: Path, sprawl_scan,
                                                                    spec: str) -> None:
    started = time.monotonic()
    run = sprawl_scan(spec, "--format", "json", "--jobs", "1", "--cache-dir", tmp_path / "cache")
    assert time.monotonic() - started < 20
    assert run.code == 2
    assert "transport not allowed" in run.doc["scan"]["errors"][0]["message"]
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.pack"))


def test_a_fifo_or_device_given_as_a_target_is_skipped_with_a_warning(tmp_path: Path, sprawl_scan) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    tree = _odd_name_tree(tmp_path)
    run = sprawl_scan(fifo, "/dev/zero", tree, "--format", "json", "--jobs", "1")
    assert run.code == 1
    assert "healthy.py" in _found(run)
    skipped = [e for e in run.doc["scan"]["errors"] if "not a regular file" in e["message"]]
    assert {e["target"] for e in skipped} == {str(fifo), "/dev/zero"}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _archives(root: Path) -> Path:
    tree = root / "archives"
    tree.mkdir()
    env = f"GROQ_API_KEY={groq_key(4000)}\n".encode()
    (tree / "release.zip").write_bytes(_zip({"config/.env": env, "README": b"nothing here\n"}))
    inner = _zip({"pkg/settings.py": f"KEY = '{groq_key(4001)}'\n".encode()})
    (tree / "bundle.tar.gz").write_bytes(_tar_gz({"dist/inner.whl": inner}))
    (tree / "notes.txt.gz").write_bytes(gzip.compress(f"key {groq_key(4002)}\n".encode()))
    (tree / "lib.jar").write_bytes(_zip({"META-INF/app.properties": f"k={groq_key(4003)}\n".encode()}))
    (tree / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    return tree


def test_archives_are_opened_nested_and_findings_point_inside(tmp_path: Path, sprawl_scan) -> None:
    run = sprawl_scan(_archives(tmp_path), "--format", "json", "--jobs", "1")
    assert run.code == 1
    assert _found(run) == {"release.zip!config/.env", "bundle.tar.gz!dist/inner.whl!pkg/settings.py",
                           "notes.txt.gz!notes.txt", "lib.jar!META-INF/app.properties"}
    assert any(e["path"] == "broken.zip" and "could not be opened" in e["message"]
               for e in run.doc["scan"]["errors"])


def test_archives_in_history_keep_their_member_paths(tmp_path: Path, sprawl_scan) -> None:
    repo = _archives(tmp_path)
    git(repo, "init", "--quiet")
    first = commit_all(repo, "archives")
    git(repo, "mv", "release.zip", "moved.zip")
    commit_all(repo, "move")
    for name in ("moved.zip", "bundle.tar.gz", "notes.txt.gz", "lib.jar"):
        (repo / name).unlink()
    commit_all(repo, "remove")
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    found = {(f["path"], f["commit"]) for f in secret_findings(run.doc["findings"])}
    assert ("release.zip!config/.env", first) in found
    assert ("bundle.tar.gz!dist/inner.whl!pkg/settings.py", first) in found


def test_text_with_nul_bytes_and_utf16_without_a_bom_are_scanned(tmp_path: Path, sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "dump.txt").write_bytes(b"header\x00\x00\x00\nKEY=" + groq_key(5000).encode() + b"\n\x00pad")
    (tree / "le.ps1").write_bytes(f"$key = '{groq_key(5001)}'\r\n".encode("utf-16-le"))
    (tree / "be.txt").write_bytes(f"key: {groq_key(5002)}\n".encode("utf-16-be"))
    (tree / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
                                     + groq_key(5003).encode())
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1")
    assert _found(run) == {"dump.txt", "le.ps1", "be.txt"}  # real binary stays skipped


def test_a_notebook_with_raw_control_characters_is_parsed(tmp_path: Path, sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    cell = {"cell_type": "code", "source": [f"key = '{groq_key(5100)}'\n", "print('a\tb')"],
            "outputs": [], "metadata": {}}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4}).replace("\\t", "\t")
    (tree / "nb.ipynb").write_text(text)
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1")
    assert [f["cell"] for f in secret_findings(run.doc["findings"])] == [1]
    assert not run.doc["scan"]["errors"]


def test_a_kubernetes_secret_too_large_to_parse_whole_still_has_its_data_decoded(tmp_path: Path,
                                                                                  sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    filler = "# " + "x" * 77 + "\n"
    lines = 110_000  # about 8.8 MB: read in two overlapping pieces
    encoded = base64.b64encode(groq_key(6000).encode()).decode()
    manifest = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  token: {encoded}\n"
    (tree / "big.yaml").write_text(filler * lines + manifest)
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1", "--max-file-size", "1MB")
    [finding] = secret_findings(run.doc["findings"])
    assert (finding["path"], finding["line"], finding["column"]) == ("big.yaml", lines + 6, 3)


def test_warnings_are_one_line_per_kind_unless_verbose(tmp_path: Path, sprawl_scan) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for n in range(5):
        (tree / f"nb{n}.ipynb").write_text('{"cells": [ {"source": "x"}, ')  # truncated JSON
    (tree / "app.py").write_text(f"KEY = '{groq_key(7000)}'\n")
    run = sprawl_scan(tree, "--format", "json", "--jobs", "1")
    assert len(run.doc["scan"]["errors"]) == 5
    [line] = run.err.strip().splitlines()
    assert line.startswith("sprawl scan: warning: 5 × not valid notebook JSON (scanned as plain text): ")
    assert "nb0.ipynb, " in line and "and 2 more" in line
    verbose = sprawl_scan(tree, "--format", "json", "--jobs", "1", "--verbose")
    assert len(verbose.err.strip().splitlines()) == 5


def test_a_partial_clone_without_a_checkout_is_not_fetched_into(partial_clone, sprawl_scan,
                                                                 tmp_path: Path) -> None:
    server, _, _ = partial_clone
    (server / ".github" / "workflows").mkdir(parents=True)
    (server / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    commit_all(server, "ci")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "--quiet", "--bare", "--filter=blob:none", f"file://{server}", str(bare))
    before = _snapshot(bare)
    run = sprawl_scan(bare, "--format", "json", "--jobs", "1")
    assert _snapshot(bare) == before
    assert run.code == 0 and _target(run)["blobs"] == 0  # every blob is absent: nothing to find
    assert _target(run)["missing_objects"] == COMMITS + 1


def test_blobs_under_an_absent_tree_are_still_read(tmp_path: Path, sprawl_scan) -> None:
    repo, _ = _history_repo(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "deep.py").write_text(f"KEY = '{groq_key(2100)}'\n")
    commit_all(repo, "sub")
    _loose(repo, git(repo, "rev-parse", "HEAD:sub")).unlink()
    shutil.rmtree(repo / "sub")  # in history only
    run = sprawl_scan(repo, "--format", "json", "--jobs", "1")
    found = _found(run)
    assert {f"conf{n}.py" for n in range(COMMITS)} <= found
    assert any(path.startswith("(path unknown)/") for path in found)  # deep.py: its path went with its tree
    assert _target(run)["missing_objects"] == 1
