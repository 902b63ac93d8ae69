"""Migration 0014 keeps what 0013 knew: notices delivered before stay delivered (to the global webhook,
so none is sent again), and a schedule's last result is renamed into the run-result vocabulary."""

from datetime import UTC, datetime

from secret_sprawl.tracker.db import create_db_engine, upgrade
from secret_sprawl.tracker.models.schedule import Notification, Schedule
from sqlalchemy import text
from sqlmodel import Session, select

SENT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_0014_keeps_delivered_notices_and_renames_run_results(db_url):
    engine = create_db_engine(db_url)
    upgrade(engine, "0013")
    with engine.begin() as connection:  # rows as version 0013 wrote them
        connection.execute(text("INSERT INTO notification (secret_id, kind, state, sent_at) "
                                "VALUES (NULL, 'scan-failed', 'nightly@2026-11-30', :sent)"),
                           {"sent": SENT})
        old = (("a", "completed"), ("b", "completed-with-errors"), ("c", "failed"), ("d", None))
        for name, status in old:
            connection.execute(text(
                "INSERT INTO schedule (name, cron, targets, verify, created_at, last_status) "
                "VALUES (:name, '0 2 * * *', :targets, false, :sent, :status)"),
                {"name": name, "targets": '["/srv"]', "sent": SENT, "status": status})
    upgrade(engine)
    with Session(engine) as session:
        (notice,) = session.exec(select(Notification)).all()
        assert (notice.status, notice.destination, notice.delivered_at, notice.created_at) == (
            "delivered", "global", SENT, SENT)
        assert notice.detail == {} and notice.attempts == 1
        statuses = {s.name: s.last_status for s in session.exec(select(Schedule))}
        assert statuses == {"a": "ok", "b": "partial", "c": "failed", "d": None}
    engine.dispose()
