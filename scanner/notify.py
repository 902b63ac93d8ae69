"""Deliver the notification outbox: each destination's due notices in one POST, until its webhook accepts.

Notices are written by the tracker in the transaction of the change they announce (``tracker.
notifications``); this module sweeps the SLA states into the outbox, then for each destination with
pending notices resolves its webhook (``global``: ``--notify URL`` or the config's ``[notify] url``;
``schedule:<name>``: the schedule's ``env:NAME``), posts the due ones (``scanner.notice_payload``) and
records the outcome: delivered on a 2xx, otherwise an attempt with backoff (``tracker.outbox``). A
notice is delivered at least once; a refused delivery is logged by host only (webhook URLs are
credentials too) and never fails the scan that triggered it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from secret_sprawl.detectors.types import Confidence
from secret_sprawl.scanner.notice_payload import Notice, counted, payload
from secret_sprawl.tracker import outbox
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.schedule import Notification, Schedule
from secret_sprawl.tracker.notifications import GLOBAL, SCHEDULE_PREFIX, SECRET_KINDS, sweep_sla
from secret_sprawl.tracker.schedules import find_schedule
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

log = logging.getLogger(__name__)
BATCH = 200  # notices per message


class Webhook:
    """POSTs JSON to one URL over one client (closed by ``close``); ``post`` returns None when the
    webhook accepted (2xx), else what went wrong."""

    def __init__(self, url: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self._client = httpx.Client(transport=transport, timeout=timeout, trust_env=True)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "?"

    def post(self, body: dict) -> str | None:
        try:
            response = self._client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        return None if response.is_success else f"HTTP {response.status_code}"

    def close(self) -> None:
        self._client.close()


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery pass did, per destination."""

    delivered: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # destination -> last error
    no_webhook: list[str] = field(default_factory=list)  # destinations with notices but no webhook now

    @property
    def ok(self) -> bool:
        return not self.refused


def webhook_url(explicit: str | None, config: Config) -> str | None:
    """``--notify URL`` when given, else the config's ``[notify] url``; either may be ``env:NAME``."""
    return resolve(explicit or config.notify.url)


def resolve(reference: str | None) -> str | None:
    """A webhook reference (a URL, or ``env:NAME`` read from the environment now)."""
    if not reference or not reference.startswith("env:"):
        return reference
    resolved = os.environ.get(reference.removeprefix("env:"))
    if not resolved:
        log.warning("webhook %s is not set in the environment: its notices wait in the outbox", reference)
    return resolved or None


def sweep(db: Engine, config: Config, now: datetime) -> int:
    """Put the SLA states entered since the last sweep into the outbox (one transaction)."""
    try:
        with Session(writer(db)) as session:
            added = sweep_sla(session, SlaPolicy.from_config(config), now)
            session.commit()
    except IntegrityError:  # another process announced the same states first
        log.info("SLA notices were written by another process")
        return 0
    return added


def deliver_pending(db: Engine, config: Config, *, explicit_url: str | None = None,
                    now: datetime | None = None,
                    transport: httpx.BaseTransport | None = None) -> DeliveryReport:
    """Sweep the SLA states, then deliver every destination's due notices (see the module docstring)."""
    now = now or utcnow()
    sweep(db, config, now)
    report = DeliveryReport()
    with Session(db) as session:
        destinations = outbox.waiting_destinations(session)
    for destination in destinations:
        if destination != GLOBAL and _schedule(db, destination) is None:
            with Session(writer(db)) as session:
                outbox.drop_destination(session, destination, "its schedule was removed")
                session.commit()
            continue
        target = _webhook(db, destination, explicit_url, config)
        if target is None:
            report.no_webhook.append(destination)
            continue
        reference, url = target
        shape = config.notify.shapes.get(reference, config.notify.shape)
        with outbox.delivery_lease(db, destination) as mine:
            if not mine:
                continue  # another worker or daemon is delivering this destination's notices now
            webhook = Webhook(url, transport=transport)
            try:
                _deliver_destination(db, destination, webhook, shape, config, now, report)
            finally:
                webhook.close()
    return report


def _deliver_destination(db: Engine, destination: str, webhook: Webhook, shape: str, config: Config,
                         now: datetime, report: DeliveryReport) -> None:
    """Post the due notices in batches until none is left or the webhook refuses one. No transaction
    is open while a POST waits for its answer."""
    floor = _floor(db, destination)
    while True:
        with Session(db, expire_on_commit=False) as session:
            rows = outbox.due(session, destination, now, limit=BATCH)
        low = [r for r in rows if r.kind in SECRET_KINDS and _below(r, floor)]
        rows = [r for r in rows if r not in low]
        if low:
            with Session(writer(db)) as session:
                outbox.mark_dropped(session, [_id(r) for r in low], f"below the min-confidence {floor}")
                session.commit()
        if not rows:
            if low:
                continue  # more may be due behind the ones dropped
            return
        error = webhook.post(payload([_notice(r) for r in rows], shape))
        with Session(writer(db)) as session:
            if error is None:
                outbox.mark_delivered(session, [_id(r) for r in rows], utcnow())
            else:
                outbox.mark_refused(session, rows, error, now, base_delay=timedelta(
                    seconds=config.notify.retry_seconds), max_attempts=config.notify.max_attempts)
            session.commit()
        if error is not None:
            report.refused[destination] = error
            log.warning("webhook on %s refused %s for %s (%s); retried with backoff", webhook.host,
                        counted(len(rows), "notice", "notices"), destination, error)
            return
        report.delivered[destination] = report.delivered.get(destination, 0) + len(rows)


def _webhook(db: Engine, destination: str, explicit_url: str | None,
             config: Config) -> tuple[str, str] | None:
    """(reference as configured, URL) for a destination, or None when it has no webhook now."""
    if destination == GLOBAL:
        reference = explicit_url or config.notify.url
    else:
        schedule = _schedule(db, destination)
        reference = schedule.notify_url if schedule is not None else None
    url = resolve(reference)
    return (reference, url) if reference and url else None


def _schedule(db: Engine, destination: str) -> Schedule | None:
    if not destination.startswith(SCHEDULE_PREFIX):
        return None
    with Session(db, expire_on_commit=False) as session:
        return find_schedule(session, destination.removeprefix(SCHEDULE_PREFIX))


def _floor(db: Engine, destination: str) -> Confidence | None:
    schedule = _schedule(db, destination)
    level = (schedule.options or {}).get("min_confidence") if schedule is not None else None
    return Confidence(level) if level else None


def _below(row: Notification, floor: Confidence | None) -> bool:
    level = row.detail.get("confidence")
    return floor is not None and level is not None and Confidence(level).rank < floor.rank


def _notice(row: Notification) -> Notice:
    return Notice(_id(row), row.kind, row.state, row.secret_id, dict(row.detail))


def _id(row: Notification) -> int:
    if row.id is None:
        raise RuntimeError("notice has no id")
    return row.id
