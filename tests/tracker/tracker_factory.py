"""Builders for synthetic scan results: fake, clearly fake secrets and findings with chosen provenance."""

from __future__ import annotations

import hashlib
import secrets as random_source
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from secret_sprawl.detectors.types import Confidence, Finding, Provenance, ScanError, TargetResult


def fake_secret(prefix: str = "sk-fake-") -> str:
    """A random value generated at test time, never a real credential."""
    return prefix + random_source.token_hex(20)


def fingerprint_of(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def at(text: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def finding(
    value: str,
    *,
    target: str = "repo-a",
    path: str = "app/.env",
    line: int = 1,
    commit: str | None = "c0ffee",
    committed_at: datetime | None = None,
    in_head: bool = True,
    provider: str = "openai",
    category: str = "ai",
    lifetime: str = "long-lived",
    rule_id: str = "openai-api-key",
    confidence: Confidence = Confidence.MEDIUM,
    reasons: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule_id=rule_id,
        provider=provider,
        category=category,
        lifetime=lifetime,
        severity="high",
        fingerprint=fingerprint_of(value),
        redacted=f"{value[:4]}…{value[-2:]} ({len(value)} chars)",
        provenance=Provenance(
            target=target,
            path=path,
            location_kind="env-file",
            commit=commit,
            committed_at=committed_at,
            author="dev@example.invalid" if commit else None,
            in_head=in_head,
        ),
        line=line,
        column=1,
        secret=value,
        confidence=confidence,
        reasons=reasons,
    )


def result(
    target: str,
    findings: list[Finding],
    *,
    kind: str = "git",
    errors: list[ScanError] | None = None,
    refs: dict[str, str] | None = None,
    complete: bool = True,
) -> TargetResult:
    return TargetResult(
        target=target,
        kind=kind,
        findings=findings,
        files=3,
        blobs=5,
        bytes=1000,
        errors=errors or [],
        refs=refs,
        complete=complete,
    )


def run_in_threads(work: Callable[[str], object], names: list[str]) -> list[BaseException]:
    """Run ``work(name)`` for each name in its own thread at once; the exceptions they raised."""
    errors: list[BaseException] = []

    def guarded(name: str) -> None:
        try:
            work(name)
        except BaseException as exc:  # returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
