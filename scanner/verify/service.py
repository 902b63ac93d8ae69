"""Verify tracked secrets and record the verdicts: the glue shared by ``scan --verify``,
``sprawl verify`` and scheduled scans.

Values come either from a scan's findings (in memory, right after the scan) or from a fresh read of
the recorded occurrence (``reread``); the tracker gets the verdicts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from secret_sprawl.detectors.engine import Engine as RuleEngine
from secret_sprawl.detectors.types import Finding
from secret_sprawl.detectors.verification import VerifierCatalog
from secret_sprawl.scanner.verify.client import Verdict, Verifier, VerifyRequest
from secret_sprawl.scanner.verify.pairing import Candidate, paired_secret
from secret_sprawl.scanner.verify.reread import Unreadable, reread_secret
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.verification import (
    CLAIMED_DEAD,
    REVOCATION_DETECTED,
    VerdictState,
    VerificationOutcome,
    apply_verdict,
)
from sqlalchemy import Engine
from sqlmodel import Session

Item = tuple[int, VerifyRequest]  # tracker secret id, what to send


@dataclass(frozen=True, slots=True)
class Checked:
    secret_id: int
    redacted: str
    verdict: Verdict
    outcome: VerificationOutcome


def requests_from_findings(findings: Iterable[Finding], catalog: VerifierCatalog) -> dict[str, VerifyRequest]:
    """One request per verifiable fingerprint, with the AWS pair taken from the same blob."""
    by_blob: dict[tuple, list[Finding]] = {}
    for finding in findings:
        if finding.secret and catalog.spec_for(finding.provider, finding.rule_id) is not None:
            p = finding.provenance
            by_blob.setdefault((p.target, p.path, p.commit, p.blob_id, p.cell), []).append(finding)
    requests: dict[str, VerifyRequest] = {}
    for group in by_blob.values():
        candidates = [Candidate(f.rule_id, f.secret, f.line) for f in group]
        for finding, candidate in zip(group, candidates, strict=True):
            if finding.fingerprint in requests:
                continue
            others = [c for c in candidates if c is not candidate]
            requests[finding.fingerprint] = VerifyRequest(
                finding.provider, finding.rule_id, finding.secret, finding.context,
                paired_secret(candidate, others),
            )
    return requests


def items_for_fingerprints(db: Engine, requests: dict[str, VerifyRequest]) -> list[Item]:
    """Attach tracker ids to requests keyed by fingerprint (unrecorded ones are dropped)."""
    with Session(db) as session:
        ids = queries.ids_by_fingerprint(session, requests)
    return [(secret_id, requests[fp]) for fp, secret_id in ids.items()]


def reverify_ids(db: Engine) -> list[int]:
    """Secrets that may still be live: every open one, and revoked/rotated ones not yet proven dead."""
    with Session(db) as session:
        return queries.may_be_live_ids(session, CLAIMED_DEAD)


def reread_items(
    db: Engine, rules: RuleEngine, catalog: VerifierCatalog, secret_ids: Sequence[int],
) -> tuple[list[Item], list[tuple[int, str, str]]]:
    """Requests for ``secret_ids``, each value read afresh from where it was recorded.

    Returns the items and the skipped ones as (id, redacted, reason): not verifiable, or unreadable.
    """
    with Session(db) as session:
        secrets = queries.secrets_by_id(session, secret_ids)
        items: list[Item] = []
        skipped: list[tuple[int, str, str]] = []
        for secret in secrets:
            secret_id = int(secret.id or 0)
            if catalog.spec_for(secret.provider, secret.rule_id) is None:
                skipped.append((secret_id, secret.redacted, f"no verifier for {secret.rule_id}"))
                continue
            try:
                found = reread_secret(queries.places(session, secret_id, newest_first=True), secret, rules)
            except Unreadable as exc:
                skipped.append((secret_id, secret.redacted, f"cannot read the secret any more: {exc}"))
                continue
            items.append((secret_id, VerifyRequest(secret.provider, secret.rule_id, found.secret,
                                                   found.context, found.paired)))
        return items, skipped


def verify_and_record(
    db: Engine, verifier: Verifier, items: Sequence[Item], *, by: str, scan_id: int | None = None,
) -> list[Checked]:
    """Ask the providers, then apply every verdict in one transaction."""
    verdicts = verifier.run([request for _, request in items])
    checked: list[Checked] = []
    with Session(writer(db)) as session:
        redacted = {s.id: s.redacted for s in queries.secrets_by_id(session, [i for i, _ in items])}
        for (secret_id, _), verdict in zip(items, verdicts, strict=True):
            outcome = apply_verdict(
                session, secret_id, state=verdict.state, at=verdict.at, provider=verdict.provider,
                endpoint=verdict.endpoint, http_status=verdict.http_status, detail=verdict.detail,
                by=by, scan_id=scan_id,
            )
            checked.append(Checked(secret_id, redacted.get(secret_id, ""), verdict, outcome))
        session.commit()
    return checked


def summarize(checked: Sequence[Checked]) -> str:
    """One line: how many were checked, by verdict, and the revocations detected."""
    counts = {state: sum(c.verdict.state == state for c in checked) for state in VerdictState}
    revoked = sum(c.outcome.transition == REVOCATION_DETECTED for c in checked)
    text = (f"verified {len(checked)} secret(s): {counts['live']} live, {counts['invalid']} invalid, "
            f"{counts['unknown']} unknown")
    return text + (f"; {revoked} revocation(s) detected" if revoked else "")
