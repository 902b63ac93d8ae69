"""The scan queue on a real PostgreSQL with real worker processes (skipped without one).

Several ``sprawl worker`` processes share one queue and one tracker: a worker killed with SIGKILL in
the middle of a job loses it to another worker, SIGTERM lets the current job finish, no secret is
tracked twice and the audit chain still verifies. Organisation targets are expanded by a job of
their own against a fake GitHub on 127.0.0.1, and no token reaches the database or the output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.jobs import list_jobs
from secret_sprawl.tracker.metrics import compute_metrics
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Occurrence, Secret, Target
from secret_sprawl.tracker.outbox import delivery_lease
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from tests.conftest import postgres_schema
from tests.pause_in_record import PAUSED, SCRIPT
from tests.scanner.fake_hosts import FakeHosts, FakeRepo
from tests.scanner.helpers import commit_all, git, groq_key
from tests.scanner.local_webhook import Hook

_SPRAWL = [sys.executable, "-c", "import sys; from secret_sprawl.scanner.cli import main; sys.exit(main())"]
_FAST = ("--heartbeat", "0.5", "--stalled-after", "2")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema("queue") as url:
        yield url


def _sprawl(*args: str, env: dict[str, str] | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess:
    return subprocess.run([*_SPRAWL, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _worker(pg_url: str, folder: Path, *extra: str, pause: float | None = None) -> subprocess.Popen:
    """A worker process whose output goes to ``folder``/log (its cache is ``folder``/cache); with
    ``pause``, each record step waits that many seconds before its commit (after printing PAUSED)."""
    folder.mkdir(parents=True)
    command = _SPRAWL if pause is None else [sys.executable, SCRIPT, str(pause)]
    with (folder / "log").open("w") as log:
        return subprocess.Popen([*command, "worker", "--db", pg_url, "--cache-dir", str(folder / "cache"),
                                 *_FAST, *extra], stdout=log, stderr=subprocess.STDOUT)


def _repos(root: Path, count: int) -> tuple[list[Path], set[str]]:
    """``count`` repositories, each with its own key in two commits; repos 0 and 1 also share one."""
    repos, keys = [], set()
    for index in range(count):
        repo = root / f"repo{index}"
        repo.mkdir(parents=True)
        git(repo, "init", "--quiet")
        (repo / "settings.py").write_text(f"GROQ = '{groq_key(100 + index)}'\n")
        commit_all(repo, "first")
        (repo / "settings.py").write_text("GROQ = os.environ['GROQ']\n")
        if index < 2:
            (repo / "shared.py").write_text(f"SHARED = '{groq_key(99)}'\n")
        commit_all(repo, "second")
        repos.append(repo)
        keys.add(groq_key(100 + index))
    keys.add(groq_key(99))
    return repos, keys


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _statuses(pg_url: str) -> dict[int, str]:
    engine = create_engine(pg_url)
    try:
        return {job.id: job.status for job in list_jobs(engine)}
    finally:
        engine.dispose()


def _wait_for_output(process: subprocess.Popen, log: Path, needle: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in log.read_text():
            return
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"worker never printed {needle!r}: {log.read_text()[-2000:]}")


def test_enqueue_needs_postgresql(tmp_path: Path) -> None:
    done = _sprawl("scan", str(tmp_path), "--enqueue", "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.postgres
def test_workers_share_the_queue_and_a_killed_workers_job_completes_elsewhere(tmp_path: Path,
                                                                              pg_url: str) -> None:
    repos, keys = _repos(tmp_path / "repos", 6)
    done = _sprawl("scan", *map(str, repos), "--enqueue", "--db", pg_url)
    assert done.returncode == 0, done.stderr
    job_ids = [int(line.split("\t")[0]) for line in done.stdout.splitlines()]
    assert len(job_ids) == 6
    again = _sprawl("scan", str(repos[0]), "--enqueue", "--db", pg_url)
    assert "already queued" in again.stdout  # the queueing lock: one waiting job per target

    # Worker A stops inside its first record transaction; it is killed there.
    doomed = _worker(pg_url, tmp_path / "a", pause=120)
    try:
        _wait_for_output(doomed, tmp_path / "a" / "log", PAUSED, timeout=60)
        (held,) = [i for i, status in _statuses(pg_url).items() if status == "doing"]
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    workers = [_worker(pg_url, tmp_path / name) for name in ("b", "c")]
    try:
        _wait_for(lambda: set(_statuses(pg_url).values()) == {"succeeded"}, 120, "every job to succeed")
        for worker in workers:  # SIGTERM: stop after the current job, exit cleanly
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(timeout=30) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert _statuses(pg_url)[held] == "succeeded"

    engine = open_database(pg_url)
    try:
        with Session(engine) as session:
            secrets = session.exec(select(Secret)).all()
            targets = session.exec(select(Target)).all()
            places = [len(session.exec(select(Occurrence).where(Occurrence.secret_id == s.id)).all())
                      for s in secrets]
            metrics = compute_metrics(session, SlaPolicy(), as_of=utcnow(), group_by="target")
    finally:
        engine.dispose()
    assert len(secrets) == len(keys) == 7  # no secret tracked twice
    assert len({s.fingerprint for s in secrets}) == len(secrets)
    assert {t.name for t in targets} == {str(r) for r in repos}
    assert sorted(places)[-1] == 2  # the key in two repositories: one secret, two places
    assert metrics.open_count == 7
    assert {name: group.open_count for name, group in metrics.groups.items()} == {
        str(repo): 2 if index < 2 else 1 for index, repo in enumerate(repos)}
    verify = _sprawl("audit", "verify", "--db", pg_url)
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.postgres
def test_sigterm_lets_the_running_job_finish(tmp_path: Path, pg_url: str) -> None:
    repos, _ = _repos(tmp_path / "repos", 1)
    assert _sprawl("scan", str(repos[0]), "--enqueue", "--db", pg_url).returncode == 0
    worker = _worker(pg_url, tmp_path / "w", pause=2)
    try:
        _wait_for_output(worker, tmp_path / "w" / "log", PAUSED, timeout=60)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert set(_statuses(pg_url).values()) == {"succeeded"}


@pytest.mark.postgres
def test_org_target_is_expanded_by_a_job_and_the_token_stays_out(tmp_path: Path, pg_url: str,
                                                                  hosts: FakeHosts) -> None:
    for index in range(3):
        hosts.github("acme", FakeRepo(f"acme/r{index}", {"k.py": f"K = '{groq_key(200 + index)}'\n"}))
    hosts.github("acme", FakeRepo("acme/fork", {"k.py": f"K = '{groq_key(210)}'\n"}, fork=True))
    api = ("--api-url", f"github.com={hosts.base}/gh")
    env = {"GITHUB_TOKEN": hosts.token or ""}
    done = _sprawl("scan", "github://acme", "--enqueue", "--db", pg_url, *api, env=env)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert line.endswith("\tgithub://acme")
    nobody = _sprawl("scan", "github://nobody", "--enqueue", "--db", pg_url, *api, env=env)
    assert nobody.returncode == 0
    worker = _sprawl("worker", "--db", pg_url, "--until-empty", "--cache-dir", str(tmp_path / "cache"),
                     *_FAST, env=env)
    assert worker.returncode == 0, worker.stderr
    jobs = _sprawl("jobs", "list", "--db", pg_url, "--format", "json")
    listed = {(job["kind"], job["target"]): job for job in json.loads(jobs.stdout)}
    assert {target for kind, target in listed if kind == "scan"} == {
        "github.com/acme/r0", "github.com/acme/r1", "github.com/acme/r2"}
    assert listed[("expand", "github://nobody")]["status"] == "failed"
    assert "404" in listed[("expand", "github://nobody")]["error"]
    assert all(job["status"] == "succeeded" for key, job in listed.items() if key[1] != "github://nobody")
    token = hosts.token or ""
    assert token not in worker.stdout + worker.stderr + jobs.stdout + done.stdout + done.stderr
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            tables = list(connection.execute(text("SELECT table_name FROM information_schema.tables "
                                                  "WHERE table_schema = current_schema()")).scalars())
            dump = "".join(connection.execute(text(f'SELECT string_agg(t::text, \'\') FROM "{name}" t'))
                           .scalar_one() or "" for name in tables)
    finally:
        engine.dispose()
    assert "github.com/acme/r0" in dump and token not in dump
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert b"acme/r0" in cached and token.encode() not in cached  # the mirrors' config names the URL only


@pytest.mark.postgres
def test_jobs_cancel_and_retry(tmp_path: Path, pg_url: str) -> None:
    repos, _ = _repos(tmp_path / "repos", 1)
    done = _sprawl("scan", str(repos[0]), "--enqueue", "--db", pg_url)
    job_id = done.stdout.split("\t")[0]
    retry = _sprawl("jobs", "retry", job_id, "--db", pg_url)
    assert retry.returncode == 2 and "todo" in retry.stderr
    assert _sprawl("jobs", "cancel", job_id, "--db", pg_url).returncode == 0
    assert _statuses(pg_url) == {int(job_id): "cancelled"}
    listed = _sprawl("jobs", "list", "--status", "cancelled", "--db", pg_url)
    assert str(repos[0]) in listed.stdout
    retried = _sprawl("jobs", "retry", job_id, "--db", pg_url)
    assert retried.returncode == 0, retried.stderr
    new_id = int(retried.stdout.split()[-1])
    assert _statuses(pg_url) == {int(job_id): "cancelled", new_id: "todo"}
    assert _sprawl("jobs", "cancel", "999999", "--db", pg_url).returncode == 2


@pytest.mark.postgres
def test_two_schedule_daemons_queue_a_due_scan_once(tmp_path: Path, pg_url: str) -> None:
    repos, _ = _repos(tmp_path / "repos", 2)
    api = ("--api-url", "github.com=https://ghe.example.test/api/v3", "--token-env", "github.com=GHE_TOKEN",
           "--exclude", "*-old")
    added = _sprawl("schedule", "add", "nightly", "--cron", "0 3 * * *", *map(str, repos), "github://acme",
                    *api, "--db", pg_url)
    assert added.returncode == 0, added.stderr
    fire = ("import sys; from datetime import datetime; "
            "from secret_sprawl.scanner.queue.periodic import enqueue_schedule; "
            "print(len(enqueue_schedule('nightly', sys.argv[1], now=datetime.fromisoformat(sys.argv[2]))))")
    daemons = [subprocess.Popen([sys.executable, "-c", fire, pg_url, at], stdout=subprocess.PIPE, text=True)
               for at in ("2026-11-30T03:00:00.4+00:00", "2026-11-30T03:00:01.9+00:00")]
    counts = [int(daemon.communicate(timeout=120)[0]) for daemon in daemons]
    assert sum(counts) == 3  # two scans and one organisation expansion, each queued by one daemon only
    jobs = json.loads(_sprawl("jobs", "list", "--db", pg_url, "--format", "json").stdout)
    assert sorted(job["target"] for job in jobs) == sorted([*map(str, repos), "github://acme"])
    engine = create_engine(pg_url)  # the expansion job carries the schedule's organisation options
    try:
        with engine.connect() as connection:
            (org,) = connection.execute(text("SELECT args->'org' FROM procrastinate_jobs "
                                             "WHERE task_name = 'sprawl.expand'")).scalars()
    finally:
        engine.dispose()
    assert org == {"api_urls": {"github.com": "https://ghe.example.test/api/v3"},
                   "token_envs": {"github.com": "GHE_TOKEN"}, "exclude": ["*-old"]}


def test_schedule_add_rejects_a_malformed_org_target(tmp_path: Path) -> None:
    done = _sprawl("schedule", "add", "n", "--cron", "0 3 * * *", "github://a/b",
                   "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert done.returncode == 2 and "github://ORG" in done.stderr


@pytest.mark.postgres
def test_a_worker_delivers_the_notices_its_job_wrote(tmp_path: Path, pg_url: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "k.py").write_text(f"K = '{groq_key(300)}'\n")
    commit_all(repo, "a key")
    config = tmp_path / "sprawl.toml"
    config.write_text('[notify]\nurl = "env:SPRAWL_WORKER_HOOK"\n')
    with Hook() as hook:
        env = {"SPRAWL_WORKER_HOOK": hook.url}
        queued = _sprawl("--config", str(config), "scan", str(repo), "--enqueue", "--db", pg_url, env=env)
        assert queued.returncode == 0, queued.stderr
        worker = _sprawl("--config", str(config), "worker", "--db", pg_url, "--until-empty",
                         "--cache-dir", str(tmp_path / "cache"), *_FAST, env=env)
        assert worker.returncode == 0, worker.stderr
        assert [e["kind"] for e in hook.events()] == ["new-secret"]


@pytest.mark.postgres
def test_one_deliverer_per_destination_at_a_time(pg_url: str) -> None:
    engine = open_database(pg_url)
    try:
        with (delivery_lease(engine, "global") as first, delivery_lease(engine, "global") as second,
              delivery_lease(engine, "schedule:nightly") as other):
            assert (first, second, other) == (True, False, True)
        with delivery_lease(engine, "global") as again:
            assert again  # released when the holder finished
    finally:
        engine.dispose()
