"""A multi-target scan killed after its first target is recorded is marked ``interrupted`` when the
next scan starts, instead of staying ``running`` forever; a scan whose process still runs is left."""

from __future__ import annotations

import os
import subprocess
import sys

from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.interrupted import mark_interrupted, this_process
from secret_sprawl.tracker.models.core import Scan
from secret_sprawl.tracker.recording import Recorder
from sqlmodel import Session, select

from tests import pause_in_record
from tests.scanner.helpers import groq_key
from tests.tracker.tracker_factory import result


def _statuses(engine) -> dict[int, str]:
    with Session(engine) as session:
        return {scan.id: scan.status for scan in session.exec(select(Scan).order_by(Scan.id))}


def test_a_killed_multi_target_scan_is_marked_interrupted_at_the_next_start(tmp_path):
    targets = []
    for seed in (1, 2):
        folder = tmp_path / f"t{seed}"
        folder.mkdir()
        (folder / "app.py").write_text(f"GROQ_API_KEY = '{groq_key(seed)}'\n", encoding="utf-8")
        targets.append(str(folder))
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    # Each record pauses 10 s before its commit: the first commits, the second is killed while paused.
    args = ["scan", *targets, "--db", db_url, "--format", "json", "--jobs", "1"]
    killed = pause_in_record.kill_at_pause(args, pauses=2, seconds=10)
    assert killed, "the scan never reached its second target"
    engine = open_database(db_url)
    assert list(_statuses(engine).values()) == ["running"]
    recorder = Recorder(engine, actor="test")
    recorder.record(result("next-target", []))
    recorder.finish()
    statuses = _statuses(engine)
    assert sorted(statuses.values()) == ["completed", "interrupted"]
    engine.dispose()


def test_only_dead_processes_of_this_host_are_marked(engine):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host, _ = this_process()
    rows = [Scan(host=host, pid=dead.pid), Scan(host=host, pid=os.getppid()),
            Scan(host="elsewhere", pid=dead.pid), Scan(host=None, pid=None),
            Scan(host=host, pid=dead.pid, status="completed")]
    with Session(writer(engine)) as session:
        session.add_all(rows)
        session.commit()
        marked = mark_interrupted(session)
        session.commit()
    assert marked == [1]
    assert list(_statuses(engine).values()) == ["interrupted", "running", "running", "running", "completed"]
