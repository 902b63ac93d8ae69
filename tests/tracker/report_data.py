"""A tracker with a realistic spread of secrets for the report tests: several providers, owners and
repositories over four months, remediations by people and through sprawl, triage outcomes,
breached secrets, and hostile names (markup, quotes, control characters, a very long owner)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import select, update
from sqlmodel import Session

from tests.tracker.tracker_factory import fake_secret, finding, fingerprint_of, result

HOSTILE = 'team"<script>alert(1)</script>\x1b[2J\u202e'
LONG_OWNER = "platform-infrastructure-and-developer-productivity-" * 2 + "team"
PROVIDERS = (("openai", "ai"), ("anthropic", "ai"), ("github", "vcs"), ("aws", "cloud"),
             ("huggingface", "ai"))
OWNERS = ("platform-team", "ml-research", HOSTILE, LONG_OWNER, None)
REPOS = ("github.com/acme/api", "github.com/acme/agents", f"github.com/acme/{HOSTILE}")


def plant(engine, now: datetime, *, count: int = 40, seed: int = 7) -> dict[str, int]:
    """Record ``count`` secrets exposed over the 120 days before ``now`` and resolve about half;
    returns fingerprint -> id."""
    rng = random.Random(seed)
    plan = []
    for index in range(count):
        provider, category = PROVIDERS[index % len(PROVIDERS)]
        exposed = now - timedelta(days=rng.uniform(1, 120))
        plan.append((fake_secret(), REPOS[index % len(REPOS)], provider, category, exposed))
    recorder = Recorder(engine, actor="scanner")
    for repo in REPOS:
        recorder.record(result(repo, [
            finding(value, target=repo, path=f"config/{n}.env", provider=provider, category=category,
                    committed_at=exposed)
            for n, (value, where, provider, category, exposed) in enumerate(plan) if where == repo
        ]))
    recorder.finish()
    ids: dict[str, int] = {}
    with Session(writer(engine)) as session:
        for index, (value, _, _, _, exposed) in enumerate(plan):
            secret_id = session.execute(select(Secret.id).where(Secret.fingerprint == fingerprint_of(value))
                                        ).scalar_one()
            ids[fingerprint_of(value)] = secret_id
            detected = exposed + timedelta(days=rng.uniform(0, 5))
            session.execute(update(Secret).where(Secret.id == secret_id).values(first_seen_at=detected))
            owner = OWNERS[index % len(OWNERS)]
            if owner:
                lifecycle.assign(session, secret_id, owner, by="lead")
            outcome = index % 8
            resolved_at = min(now - timedelta(hours=1), detected + timedelta(days=rng.uniform(0.5, 40)))
            if outcome in (0, 1, 2):
                lifecycle.resolve(session, secret_id, "revoked", at=resolved_at, by="alice")
                if outcome == 0:
                    append_event(session, kind="revoked-by-sprawl", actor="alice", secret_id=secret_id,
                                 detail={"provider": "github", "answer": "401 after revocation"},
                                 at=resolved_at)
            elif outcome == 3:
                lifecycle.resolve(session, secret_id, "rotated", at=resolved_at, by="bob")
            elif outcome == 4:
                lifecycle.resolve(session, secret_id, "false-positive", at=resolved_at, by="bob")
            elif outcome == 5 and index % 16 == 5:
                lifecycle.resolve(session, secret_id, "accepted-risk", at=resolved_at, by="bob",
                                  note="sandbox")
            elif outcome == 5:
                lifecycle.resolve(session, secret_id, "used-in-tests", at=resolved_at, by="bob")
        session.commit()
    return ids
