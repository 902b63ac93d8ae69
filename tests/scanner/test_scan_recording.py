"""``sprawl scan`` records each target in the tracker (never a plaintext secret), and ``--incremental``
scans only what is new since the target's last completed scan."""

from __future__ import annotations

from pathlib import Path

from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Scan, Secret
from sqlmodel import Session, select

from fixtures.build_demo_repo import DemoRepo
from tests.scanner.helpers import commit_all, git, groq_key, secret_findings


def test_scan_is_recorded_without_plaintext(tmp_path: Path, demo: DemoRepo, sprawl_scan) -> None:
    db_file = tmp_path / "tracker.db"
    url = f"sqlite:///{db_file}"
    run = sprawl_scan(demo.path, "--db", url, "--format", "json", record=True)
    assert run.code == 1
    engine = open_database(url)
    try:
        with Session(engine) as session:
            (scan,) = session.exec(select(Scan)).all()
            secrets = session.exec(select(Secret)).all()
        assert scan.status == "completed"
        found = secret_findings(run.doc["findings"])
        assert {s.fingerprint for s in secrets} == {f["fingerprint"] for f in found}
    finally:
        engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("tracker.db"))
    assert not any(planted.secret.encode() in stored for planted in demo.planted)


def test_incremental_scan_reads_only_new_objects(tmp_path: Path, sprawl_scan) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "a.py").write_text(f"K = '{groq_key(50)}'\n")
    commit_all(repo, "a")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = sprawl_scan(repo, "--db", url, "--format", "json", "--incremental", record=True)
    assert [f["path"] for f in first.doc["findings"]] == ["a.py"]
    (repo / "b.py").write_text(f"K = '{groq_key(51)}'\n")
    commit_all(repo, "b")
    second = sprawl_scan(repo, "--db", url, "--format", "json", "--incremental", record=True)
    assert [f["path"] for f in second.doc["findings"]] == ["b.py"]
    assert second.doc["scan"]["blobs"] == 1
