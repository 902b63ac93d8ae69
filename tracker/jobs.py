"""The scan queue as the tracker sees it: procrastinate's tables (read only) and each job's last error.

The queue's tables are procrastinate's, in the tracker's PostgreSQL; the tracker only reads them, so
every door shows the same queue. A job that raised keeps its message in ``job_error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.jobs import JobError
from sqlalchemy import Engine, text
from sqlmodel import Session

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted")

_LIST = text("""
SELECT j.id, j.task_name, j.args, j.status::text AS status, j.worker_id, j.attempts, je.error,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'started') AS started,
       (SELECT max(e.at) FROM procrastinate_events e
         WHERE e.job_id = j.id AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished
  FROM procrastinate_jobs j LEFT JOIN job_error je ON je.job_id = j.id
 WHERE (CAST(:status AS text) IS NULL OR j.status::text = :status)
 ORDER BY j.id
""")


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    kind: str  # scan | expand
    target: str
    status: str
    worker: int | None
    attempts: int
    started: datetime | None
    finished: datetime | None
    error: str | None


def list_jobs(engine: Engine, status: str | None = None) -> list[JobRow]:
    with engine.connect() as connection:
        rows = connection.execute(_LIST, {"status": status}).mappings().all()
    return [JobRow(row["id"], row["task_name"].removeprefix("sprawl."), str(row["args"].get("target", "")),
                   row["status"], row["worker_id"], row["attempts"], row["started"], row["finished"],
                   row["error"]) for row in rows]


def record_job_error(engine: Engine, job_id: int, error: str) -> None:
    """Keep ``error`` (one line, no secret: the scanner's own message) as the job's last error."""
    with Session(writer(engine)) as session:
        session.merge(JobError(job_id=job_id, error=error[:1000], at=utcnow()))
        session.commit()
