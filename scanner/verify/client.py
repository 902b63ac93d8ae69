"""The async httpx client that carries out verification specs: bounded, polite and retrying.

A concurrency limit, a per-host rate limit, timeouts, bounded retries with exponential backoff on
429, 5xx and network errors, no redirects followed (a redirect could carry the credential to another
host), and proxy environment variables honoured (``trust_env``). It returns verdicts only; the
secret never appears in a verdict, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from secret_sprawl.detectors.verification import VerifierCatalog, VerifierSpec
from secret_sprawl.scanner.verify.endpoints import base_url_for
from secret_sprawl.scanner.verify.settings import VerifySettings
from secret_sprawl.scanner.verify.sigv4 import sign
from secret_sprawl.tracker.verification import VerdictState

LIVE, INVALID, UNKNOWN = VerdictState.LIVE, VerdictState.INVALID, VerdictState.UNKNOWN

log = logging.getLogger(__name__)
AWS_KEY_ID = re.compile(r"^(?:AKIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}$")
AWS_TEMPORARY_KEY_ID = re.compile(r"^ASIA[A-Z0-9]{16}$")


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    """One credential to check. ``paired_secret`` is the other half of an AWS key pair, if found."""

    provider: str
    rule_id: str
    secret: str = field(repr=False)
    context: tuple[tuple[str, str], ...] = ()
    paired_secret: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the provider said. ``endpoint`` is the URL called (it never contains the secret)."""

    state: str  # live | invalid | unknown
    provider: str
    endpoint: str
    http_status: int | None
    detail: str
    at: datetime


class Verifier:
    """Verify many credentials concurrently; ``run`` is the synchronous front door."""

    def __init__(
        self,
        catalog: VerifierCatalog,
        settings: VerifySettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self._transport = transport
        self._clock = clock
        self._gates: dict[str, _HostGate] = {}

    def run(self, requests: Sequence[VerifyRequest]) -> list[Verdict]:
        return asyncio.run(self.verify_many(requests))

    async def verify_many(self, requests: Sequence[VerifyRequest]) -> list[Verdict]:
        if not requests:
            return []
        self._gates = {}  # rate-limit state belongs to this event loop
        limit = asyncio.Semaphore(self.settings.concurrency)
        async with httpx.AsyncClient(
            transport=self._transport, timeout=self.settings.timeout, follow_redirects=False, trust_env=True,
            headers={"User-Agent": "secret-sprawl-verify/1"},
        ) as client:

            async def one(request: VerifyRequest) -> Verdict:
                async with limit:
                    return await self.verify_one(client, request)

            return list(await asyncio.gather(*(one(request) for request in requests)))

    async def verify_one(self, client: httpx.AsyncClient, request: VerifyRequest) -> Verdict:
        spec = self.catalog.spec_for(request.provider, request.rule_id)
        if spec is None:
            return self._verdict(UNKNOWN, request.provider, "", None, "no verifier for this provider")
        base = base_url_for(spec, self.settings.endpoints, request.context)
        if base is None:
            return self._verdict(UNKNOWN, spec.provider, "", None,
                                 "no trusted endpoint (none found next to the key matches the allowed hosts)")
        url = base + spec.path
        try:
            headers = self._headers(spec, request, url)
        except CannotSign as exc:
            return self._verdict(UNKNOWN, spec.provider, url, None, str(exc))
        return await self._send(client, spec, url, headers)

    def _headers(self, spec: VerifierSpec, request: VerifyRequest, url: str) -> dict[str, str]:
        if spec.kind != "aws-sigv4":
            return spec.render_headers(request.secret)
        key_id, secret_key = aws_key_pair(request.secret, request.paired_secret)
        return sign(spec.method, url, spec.render_headers(""), spec.body.encode(), access_key=key_id,
                    secret_key=secret_key, region=spec.region, service=spec.service, now=self._clock())

    async def _send(self, client: httpx.AsyncClient, spec: VerifierSpec, url: str,
                    headers: dict[str, str]) -> Verdict:
        gate = self._gates.setdefault(urlsplit(url).netloc, _HostGate(self.settings.rate_per_host))
        status: int | None = None
        detail = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                await asyncio.sleep(self.settings.backoff * 2 ** (attempt - 1))
            await gate.wait()
            try:
                response = await client.request(spec.method, url, headers=headers,
                                                content=spec.body.encode() or None)
            except httpx.TransportError as exc:
                status, detail = None, f"network error: {type(exc).__name__}"
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                detail = "rate limited" if status == 429 else "provider error"
                continue
            return self._classify(spec, url, status, response.text)
        attempts = self.settings.retries + 1
        log.info("no verdict for a %s key after %d attempts: %s", spec.provider, attempts, detail)
        return self._verdict(UNKNOWN, spec.provider, url, status, f"{detail} after {attempts} attempt(s)")

    def _classify(self, spec: VerifierSpec, url: str, status: int, body: str) -> Verdict:
        if 300 <= status < 400:
            return self._verdict(UNKNOWN, spec.provider, url, status, "redirect not followed")
        known = status in spec.live or status in spec.invalid
        if spec.invalid_markers and known:
            marker = next((m for m in spec.invalid_markers if m in body), None)
            if marker:
                return self._verdict(INVALID, spec.provider, url, status, f"rejected ({marker})")
            if status in spec.invalid:
                return self._verdict(UNKNOWN, spec.provider, url, status, "rejected without a known reason")
        if status in spec.live:
            return self._verdict(LIVE, spec.provider, url, status, "accepted by the provider")
        if status in spec.invalid:
            return self._verdict(INVALID, spec.provider, url, status, "rejected by the provider")
        return self._verdict(UNKNOWN, spec.provider, url, status, "unexpected status")

    def _verdict(self, state: str, provider: str, endpoint: str, status: int | None, detail: str) -> Verdict:
        return Verdict(state=state, provider=provider, endpoint=endpoint, http_status=status, detail=detail,
                       at=self._clock())


def aws_key_pair(secret: str, paired: str) -> tuple[str, str]:
    """(access key id, secret access key) from a found AWS secret and the other half found near it;
    CannotSign when they do not make a usable long-term pair."""
    key_id, secret_key = secret, paired
    if not AWS_KEY_ID.match(key_id) and not AWS_TEMPORARY_KEY_ID.match(key_id):
        key_id, secret_key = secret_key, key_id
    if AWS_TEMPORARY_KEY_ID.match(key_id):
        raise CannotSign("temporary AWS credentials (ASIA…) need a session token; not verifiable")
    if not AWS_KEY_ID.match(key_id) or not secret_key:
        raise CannotSign("no paired AWS access key id / secret access key found near this one")
    return key_id, secret_key


class CannotSign(Exception):
    """The request cannot be built (missing half of a key pair); the verdict is ``unknown``."""


class _HostGate:
    """At most ``rate`` requests per second to one host, shared by all tasks."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)
