"""The workload inventory in a real database: snapshots per scan, the latest one per target wins
(an empty scan clears a target), secret names by workload and by name, sharing and metrics."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from secret_sprawl.tracker.inventory import (
    by_secret,
    inventory_metrics,
    latest_workloads,
    shared_secrets,
    store_workloads,
)
from secret_sprawl.tracker.models.core import Scan
from secret_sprawl.tracker.models.inventory import WorkloadSecret
from sqlalchemy import select
from sqlmodel import Session


@dataclass(frozen=True)
class Job:
    file: str
    job: str
    secrets: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    federation: str = "none"
    workflow: str = "ci"
    static_credentials: bool = False


def new_scan(engine) -> int:
    with Session(engine) as session:
        scan = Scan(status="completed", actor="tester")
        session.add(scan)
        session.commit()
        return scan.id


def record(engine, scan_id: int, target: str, jobs: list[Job]) -> None:
    with Session(engine) as session:
        store_workloads(session, scan_id=scan_id, target=target, workloads=jobs)
        session.commit()


def test_latest_snapshot_per_target_is_the_inventory(engine):
    first, second = new_scan(engine), new_scan(engine)
    record(engine, first, "repo-a", [Job("ci.yml", "old", ("OLD_TOKEN",), federation="static-secret")])
    record(engine, first, "repo-b", [Job("ci.yml", "build", ("HF_TOKEN",), federation="static-secret")])
    record(engine, second, "repo-a", [
        Job("ci.yml", "deploy", identities=("arn:aws:iam::111122223333:role/deploy",),
            federation="federated"),
        Job("ci.yml", "test", ("OPENAI_API_KEY", "HF_TOKEN"), federation="static-secret"),
    ])

    with Session(engine) as session:
        current = latest_workloads(session)
        only_a = latest_workloads(session, target="repo-a")

    assert [(w.target, w.job, w.scan_id) for w in current] == [
        ("repo-a", "deploy", second), ("repo-a", "test", second), ("repo-b", "build", first),
    ]
    assert current[0].identities == ("arn:aws:iam::111122223333:role/deploy",)
    assert current[1].secrets == ("HF_TOKEN", "OPENAI_API_KEY")
    assert [w.job for w in only_a] == ["deploy", "test"]


def test_a_scan_without_ci_jobs_empties_the_target_but_keeps_history(engine):
    first, second = new_scan(engine), new_scan(engine)
    record(engine, first, "repo-a", [Job("ci.yml", "test", ("OPENAI_API_KEY",), federation="static-secret")])
    record(engine, second, "repo-a", [])

    with Session(engine) as session:
        assert latest_workloads(session) == []
        assert session.execute(select(WorkloadSecret.secret_name)).scalars().all() == ["OPENAI_API_KEY"]


def test_recording_the_same_scan_and_target_again_replaces_it(engine):
    scan = new_scan(engine)
    record(engine, scan, "repo-a", [Job("ci.yml", "test", ("A_TOKEN",), federation="static-secret")])
    record(engine, scan, "repo-a", [Job("ci.yml", "test", ("B_TOKEN",), federation="static-secret")])

    with Session(engine) as session:
        assert [w.secrets for w in latest_workloads(session)] == [("B_TOKEN",)]


def test_secret_used_in_two_repositories_is_shared(engine):
    scan = new_scan(engine)
    record(engine, scan, "repo-a", [Job("a.yml", "test", ("OPENAI_API_KEY", "A_ONLY_TOKEN"),
                                        federation="static-secret")])
    record(engine, scan, "repo-b", [Job("b.yml", "eval", ("OPENAI_API_KEY",), federation="static-secret")])

    with Session(engine) as session:
        uses = by_secret(session)
        narrowed = by_secret(session, target="repo-b")
        shared = shared_secrets(session)

    assert [(u.name, u.shared, u.targets) for u in uses] == [
        ("A_ONLY_TOKEN", False, ("repo-a",)), ("OPENAI_API_KEY", True, ("repo-a", "repo-b")),
    ]
    assert [(u.name, u.shared, u.targets) for u in narrowed] == [("OPENAI_API_KEY", True, ("repo-b",))]
    assert [u.name for u in shared] == ["OPENAI_API_KEY"]


@pytest.mark.parametrize(("jobs", "threshold", "shared"), [(5, 5, False), (6, 5, True), (3, 2, True)])
def test_secret_used_by_more_jobs_than_the_threshold_is_shared(engine, jobs, threshold, shared):
    scan = new_scan(engine)
    record(engine, scan, "repo-a", [Job("ci.yml", f"job-{n}", ("DEPLOY_TOKEN",), federation="static-secret")
                                    for n in range(jobs)])

    with Session(engine) as session:
        assert [u.name for u in shared_secrets(session, jobs_threshold=threshold)] == (
            ["DEPLOY_TOKEN"] if shared else [])


def test_inventory_metrics_count_federation_and_shared_names(engine):
    scan = new_scan(engine)
    record(engine, scan, "repo-a", [
        Job("ci.yml", "deploy", identities=("projects/1/providers/gh",), federation="federated"),
        Job("ci.yml", "test", ("OPENAI_API_KEY",), federation="static-secret"),
        Job("ci.yml", "both", ("HF_TOKEN",), ("arn:aws:iam::1:role/x",), federation="mixed"),
        Job("ci.yml", "lint"),
    ])
    record(engine, scan, "repo-b", [Job("ci.yml", "eval", ("OPENAI_API_KEY",), federation="static-secret")])

    with Session(engine) as session:
        metrics = inventory_metrics(session)

    assert metrics == {
        "ci_workloads": 5,
        "by_federation": {"federated": 1, "static-secret": 2, "mixed": 1, "none": 1},
        "federated_share": 0.25,
        "static_share": 0.75,
        "secret_names": 2,
        "shared_secret_names": 1,
    }


def test_empty_inventory_metrics_have_no_shares(engine):
    with Session(engine) as session:
        metrics = inventory_metrics(session)
    assert metrics["ci_workloads"] == 0 and metrics["federated_share"] is None


def test_unknown_federation_status_is_refused(engine):
    scan = new_scan(engine)
    with Session(engine) as session, pytest.raises(ValueError, match="federation"):
        store_workloads(session, scan_id=scan, target="repo-a",
                        workloads=[Job("ci.yml", "x", federation="maybe")])
