"""Carry out identity specs: the provider's read-only calls for one credential, read into an ``Identity``.

The same trust rules as verification: a secret goes only to its provider's official base URL (from
the verification spec or the identity call) or to the operator's ``--endpoint``; no redirect is
followed; nothing the scanned content says changes where a request goes; requests to one host are
paced by ``[verify] rate_per_host``. A 429 (or GitHub's 403 with
no rate left) waits for ``Retry-After`` when that is at most ``max_wait`` seconds and the retry
budget allows, else the result says "rate limited". Results never contain the secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from urllib.parse import quote, urlsplit

import httpx
from secret_sprawl.detectors.identity import IdentityCall, IdentityCatalog, IdentitySpec
from secret_sprawl.detectors.verification import VerifierCatalog, VerifierSpec
from secret_sprawl.scanner.identify.values import Answer, parse_body, parse_expiry, resolve, split_scopes
from secret_sprawl.scanner.verify.client import CannotSign, VerifyRequest, aws_key_pair
from secret_sprawl.scanner.verify.endpoints import base_url_for
from secret_sprawl.scanner.verify.settings import VerifySettings
from secret_sprawl.scanner.verify.sigv4 import sign

IDENTIFIED, REFUSED, RATE_LIMITED, FAILED, NOT_IDENTIFIABLE = (
    "identified", "refused", "rate-limited", "failed", "not-identifiable")
MAX_WAIT = 30.0  # seconds: a longer Retry-After is reported, not waited for


@dataclass(frozen=True, slots=True)
class Evidence:
    """One call made: where (never the secret), what the provider answered, when."""

    call: str
    endpoint: str
    http_status: int | None
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    """What the provider said about a credential. Only ``state == "identified"`` carries fields."""

    state: str
    provider: str
    detail: str = ""
    principal: str = ""
    account: str = ""
    token_type: str = ""
    scopes: tuple[str, ...] = ()
    admin_scopes: tuple[str, ...] = ()  # the scopes that make its reach admin-level
    expires_at: datetime | None = None
    never_expires: bool = False
    evidence: tuple[Evidence, ...] = ()
    retry_after: float | None = None  # seconds, when rate limited


@dataclass
class Identifier:
    """Identify credentials one after the other with a shared HTTP client (``run``)."""

    identities: IdentityCatalog
    verifiers: VerifierCatalog
    settings: VerifySettings
    max_wait: float = MAX_WAIT
    transport: httpx.BaseTransport | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sleep: Callable[[float], None] = time.sleep
    _next_at: dict[str, float] = field(default_factory=dict, init=False, repr=False)  # host -> monotonic

    def run(self, requests: list[VerifyRequest]) -> list[Identity]:
        if not requests:
            return []
        with httpx.Client(transport=self.transport, timeout=self.settings.timeout, follow_redirects=False,
                          trust_env=True, headers={"User-Agent": "secret-sprawl-identify/1"}) as client:
            return [self.identify(client, request) for request in requests]

    def identify(self, client: httpx.Client, request: VerifyRequest) -> Identity:
        spec = self.identities.spec_for(request.provider, request.rule_id)
        verifier = self.verifiers.spec_for(request.provider, request.rule_id)
        if spec is None or verifier is None:
            return Identity(NOT_IDENTIFIABLE, request.provider, f"no identity calls for {request.rule_id}")
        answers: dict[str, Answer] = {}
        evidence: list[Evidence] = []
        for index, call in enumerate(spec.calls):
            variables = _variables(spec, answers)
            if any(name not in variables for name in call.needs):
                evidence.append(Evidence(call.name, "", None, self.clock(), "skipped: " + ", ".join(
                    n for n in call.needs if n not in variables) + " not known"))
                continue
            outcome = self._call(client, spec, verifier, call, request, variables)
            if isinstance(outcome, Identity):  # could not even be asked
                return outcome
            answer, record = outcome
            evidence.append(record)
            if answer is not None and answer.status in call.ok and not _rejected(verifier, answer):
                answers[call.name] = answer
                continue
            if index == 0:
                return self._failure(spec, verifier, answer, record, tuple(evidence))
        return _read(spec, request, answers, tuple(evidence))

    def _call(self, client: httpx.Client, spec: IdentitySpec, verifier: VerifierSpec, call: IdentityCall,
              request: VerifyRequest, variables: dict[str, str]) -> tuple[Answer | None, Evidence] | Identity:
        base = self._base(verifier, call, request)
        if base is None:
            return Identity(NOT_IDENTIFIABLE, spec.provider, "no trusted endpoint for this provider")
        path, body = _fill(call.path, variables), _fill(call.body if call.body is not None else verifier.body,
                                                        variables)
        url, method = base + path, call.method or verifier.method
        try:
            headers = self._headers(verifier, call, request, method, url, body)
        except CannotSign as exc:
            return Identity(NOT_IDENTIFIABLE, spec.provider, str(exc))
        answer, note, waited = None, "", None
        for attempt in range(self.settings.retries + 1):
            if attempt and waited is None:
                self.sleep(self.settings.backoff * 2 ** (attempt - 1))
            try:
                self._pace(url)
                response = client.request(method, url, headers=headers, content=body.encode() or None)
            except httpx.TransportError as exc:
                answer, note, waited = None, f"network error: {type(exc).__name__}", None
                continue
            answer = Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                            parse_body(response.text))
            note, waited = "", None
            if _rate_limited(answer):
                wait = _retry_after(answer, self.clock())
                note = "rate limited" + (f" (retry after {wait:g} s)" if wait is not None else "")
                if wait is None or wait > self.max_wait or attempt == self.settings.retries:
                    break
                self.sleep(wait)
                waited = wait
                continue
            if answer.status >= 500:
                note = "provider error"
                continue
            break
        return answer, Evidence(call.name, url, answer.status if answer else None, self.clock(), note)

    def _pace(self, url: str) -> None:
        """At most ``[verify] rate_per_host`` requests per second to any one host."""
        host, now = urlsplit(url).netloc, time.monotonic()
        wait = self._next_at.get(host, now) - now
        if wait > 0:
            self.sleep(wait)
        self._next_at[host] = max(now, self._next_at.get(host, now)) + 1.0 / self.settings.rate_per_host

    def _base(self, verifier: VerifierSpec, call: IdentityCall, request: VerifyRequest) -> str | None:
        if verifier.provider in self.settings.endpoints or call.base_url is None:
            return base_url_for(verifier, self.settings.endpoints, request.context)
        return call.base_url.rstrip("/")

    def _headers(self, verifier: VerifierSpec, call: IdentityCall, request: VerifyRequest, method: str,
                 url: str, body: str) -> dict[str, str]:
        rendered = {**dict(verifier.headers), **dict(call.headers)}
        if verifier.kind != "aws-sigv4":
            return {name: value.replace("{secret}", request.secret) for name, value in rendered.items()}
        key_id, secret_key = aws_key_pair(request.secret, request.paired_secret)
        return sign(method, url, rendered, body.encode(), access_key=key_id, secret_key=secret_key,
                    region=verifier.region, service=call.service or verifier.service, now=self.clock())

    def _failure(self, spec: IdentitySpec, verifier: VerifierSpec, answer: Answer | None, record: Evidence,
                 evidence: tuple[Evidence, ...]) -> Identity:
        if answer is None:
            return Identity(FAILED, spec.provider, record.note or "no answer", evidence=evidence)
        if _rate_limited(answer):
            return Identity(RATE_LIMITED, spec.provider, record.note, evidence=evidence,
                            retry_after=_retry_after(answer, self.clock()))
        status = answer.status
        refused = Identity(REFUSED, spec.provider, f"refused by the provider (HTTP {status})",
                           evidence=evidence)
        if _rejected(verifier, answer):
            return refused
        if status in verifier.live:  # Stripe: a restricted key without the permission to say who it is
            why = f"the key works but may not read who it is (HTTP {status})"
            return Identity(FAILED, spec.provider, why, evidence=evidence)
        if status in verifier.invalid or status == 403:
            return refused
        if 300 <= answer.status < 400:
            return Identity(FAILED, spec.provider, "redirect not followed", evidence=evidence)
        why = record.note or "unexpected status"
        return Identity(FAILED, spec.provider, f"{why} (HTTP {answer.status})", evidence=evidence)


def _read(spec: IdentitySpec, request: VerifyRequest, answers: dict[str, Answer],
          evidence: tuple[Evidence, ...]) -> Identity:
    def values(name: str) -> list[str]:
        return [v for source in spec.fields[name] for v in resolve(source, answers)
                if request.secret not in v and (not request.paired_secret or request.paired_secret not in v)]

    def first(name: str) -> str:
        return next(iter(values(name)), "")

    plain = [v for source in spec.fields["scopes"] if source.text is None and source.value is None
             for v in split_scopes(resolve(source, answers))]
    templated = [v for source in spec.fields["scopes"] if source.text is not None or source.value is not None
                 for v in resolve(source, answers)]
    scopes = tuple(dict.fromkeys(s for s in plain + templated if request.secret not in s))
    expiry_text = first("expires_at")
    expires_at = parse_expiry(expiry_text) if expiry_text else None
    detail = f"expiry not understood: {expiry_text[:40]!r}" if expiry_text and expires_at is None else ""
    admin = tuple(s for s in scopes if any(fnmatchcase(s, pattern) for pattern in spec.admin))
    return Identity(
        IDENTIFIED, spec.provider, detail=detail, principal=first("principal"), account=first("account"),
        token_type=first("token_type") or request.rule_id, scopes=scopes, admin_scopes=admin,
        expires_at=expires_at, never_expires=spec.never_expires_when_absent and not expiry_text,
        evidence=evidence,
    )


def _variables(spec: IdentitySpec, answers: dict[str, Answer]) -> dict[str, str]:
    found: dict[str, str] = {}
    for variable in spec.variables:
        for value in resolve(variable.source, answers):
            match = variable.pattern.search(value) if variable.pattern else None
            if variable.pattern is None or match:
                found[variable.name] = match.group(1) if match else value
                break
    return found


def _fill(template: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


def _rejected(verifier: VerifierSpec, answer: Answer) -> bool:
    """A rejection marker in the body (Slack answers 200 with ``"error": "invalid_auth"``)."""
    text = str(answer.body) if answer.body is not None else ""
    return any(marker in text for marker in verifier.invalid_markers)


def _rate_limited(answer: Answer) -> bool:
    exhausted = answer.headers.get("x-ratelimit-remaining") == "0"
    return answer.status == 429 or (answer.status == 403 and exhausted)


def _retry_after(answer: Answer, now: datetime) -> float | None:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else ``X-RateLimit-Reset`` (epoch)."""
    value = answer.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
        except (TypeError, ValueError):
            return None
    reset = answer.headers.get("x-ratelimit-reset", "").strip()
    return max(0.0, int(reset) - now.timestamp()) if reset.isdigit() else None
