"""Read the scan queue (procrastinate's tables in the tracker's PostgreSQL) for ``sprawl jobs list``.

The tables are procrastinate's; the tracker only reads them, so every door shows the same queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted")

_LIST = text("""
SELECT j.id, j.task_name, j.args, j.status::text AS status, j.worker_id, j.attempts,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'started') AS started,
       (SELECT max(e.at) FROM procrastinate_events e
         WHERE e.job_id = j.id AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished
  FROM procrastinate_jobs j
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


def list_jobs(engine: Engine, status: str | None = None) -> list[JobRow]:
    with engine.connect() as connection:
        rows = connection.execute(_LIST, {"status": status}).mappings().all()
    return [JobRow(row["id"], row["task_name"].removeprefix("sprawl."), str(row["args"].get("target", "")),
                   row["status"], row["worker_id"], row["attempts"], row["started"], row["finished"])
            for row in rows]
