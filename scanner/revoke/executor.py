"""Carry out one provider's revocation steps (``detectors/revocation.toml``) over HTTP.

A small interpreter: render each step's placeholders, send it (signed with SigV4 for AWS), retry a
429, a 5xx or a network error with backoff, follow no redirect, check the status (and ``ok_field``),
then take what later steps need from the answer (``collect``, ``find``, ``capture``). The credential
goes only to ``base``, which the caller chose from the provider's official URL or the operator's
override. Nothing returned (call log, failure reason) contains the credential or the admin key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from secret_sprawl.detectors.revocation import Step
from secret_sprawl.scanner.revoke.answers import (
    MAX_MESSAGE,
    dig,
    parse,
    provider_message,
    render,
    xml_element,
)
from secret_sprawl.scanner.revoke.hints import matches_hint
from secret_sprawl.scanner.verify.sigv4 import sign


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the steps may use: the leaked value, the AWS key pair's halves, the admin values."""

    secret: str = field(repr=False)
    aws_key_id: str = ""
    aws_secret_key: str = field(default="", repr=False)
    admin: tuple[str, ...] = field(default=(), repr=False)

    def hidden(self) -> tuple[str, ...]:
        return tuple(v for v in (self.secret, self.aws_secret_key, *self.admin) if v)


@dataclass(frozen=True, slots=True)
class Call:
    """One request made (its URL never holds a credential) and what came back."""

    step: str
    method: str
    url: str
    http_status: int | None
    note: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """``ok``: every step succeeded. ``message``: the provider's answer, or why it failed."""

    ok: bool
    message: str
    http_status: int | None
    calls: tuple[Call, ...]


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5


class StepFailed(Exception):
    """A step's call failed; the message is safe to show and store."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


def http_client(limits: Limits, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The one client of a run: no redirect followed (it could carry the key to another host), proxy
    variables honoured."""
    return httpx.Client(transport=transport, timeout=limits.timeout, follow_redirects=False, trust_env=True,
                        headers={"User-Agent": "secret-sprawl-revoke/1"})


class Executor:
    """Run steps against one base URL with one set of credentials, through ``client``."""

    def __init__(self, base: str, credentials: Credentials, limits: Limits, client: httpx.Client, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base = base.rstrip("/")
        self.credentials = credentials
        self.limits = limits
        self._client = client
        self._clock = clock
        self._sleep = sleep
        self.calls: list[Call] = []

    def run(self, steps: Sequence[Step]) -> Outcome:
        variables: dict[str, Any] = {}
        last: tuple[str, int | None] = ("", None)
        try:
            for step in steps:
                last = self._step(self._client, step, variables)
        except StepFailed as exc:
            return Outcome(False, self.scrub(str(exc)), exc.status, tuple(self.calls))
        return Outcome(True, last[0], last[1], tuple(self.calls))

    def _step(self, client: httpx.Client, step: Step, variables: dict[str, Any]) -> tuple[str, int | None]:
        if not step.for_each:
            return self._once(client, step, variables)
        values = variables.get(step.for_each) or []
        for value in values:
            try:
                return self._once(client, step, {**variables, step.for_each: value}, into=variables)
            except _NotHere:
                continue
        raise StepFailed(f"{step.name}: no item matches this key in any of {len(values)} {step.for_each} "
                         "value(s) (deleted already, or not visible to this admin key)", None)

    def _once(self, client: httpx.Client, step: Step, variables: dict[str, Any],
              into: dict[str, Any] | None = None) -> tuple[str, int | None]:
        url = self.base + render(step.path, self._values(variables), quote_values=True)
        body = render(step.body, self._values(variables), quote_values=True).encode()
        headers = {name: render(value, self._values(variables)) for name, value in step.headers}
        if step.sign:
            key_id, secret_key = self._signing_pair(step)
            headers = sign(step.method, url, headers, body, access_key=key_id, secret_key=secret_key,
                           region=step.region, service=step.service, now=self._clock())
        status, text = self._send(client, step, url, headers, body)
        answer = parse(text)
        if step.ok_field and not (isinstance(answer, dict) and answer.get(step.ok_field) is True):
            raise StepFailed(f"{step.name}: HTTP {status}: {provider_message(text) or 'refused'}", status)
        target = into if into is not None else variables
        if step.for_each:
            target[step.for_each] = variables[step.for_each]
        self._extract(step, answer, text, target)
        return f"HTTP {status}: {provider_message(text) or 'accepted'}", status

    def _values(self, variables: Mapping[str, Any]) -> dict[str, str]:
        creds = self.credentials
        values = {"secret": creds.secret, "secret_json": json.dumps(creds.secret),
                  "aws_key_id": creds.aws_key_id, "admin": creds.admin[0] if creds.admin else ""}
        values.update({k: v for k, v in variables.items() if isinstance(v, str)})
        return values

    def _signing_pair(self, step: Step) -> tuple[str, str]:
        if step.auth == "admin":
            if len(self.credentials.admin) < 2:
                raise StepFailed(f"{step.name}: the admin key pair is not set", None)
            return self.credentials.admin[0], self.credentials.admin[1]
        if not (self.credentials.aws_key_id and self.credentials.aws_secret_key):
            raise StepFailed(f"{step.name}: no paired AWS access key id / secret access key found", None)
        return self.credentials.aws_key_id, self.credentials.aws_secret_key

    def _send(self, client: httpx.Client, step: Step, url: str, headers: dict[str, str],
              body: bytes) -> tuple[int, str]:
        attempts = self.limits.retries + 1
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.limits.backoff * 2 ** (attempt - 1))
            try:
                response = client.request(step.method, url, headers=headers, content=body or None)
            except httpx.TransportError as exc:
                self._log(step, url, None, f"network error: {type(exc).__name__}")
                if attempt + 1 == attempts:
                    raise StepFailed(f"{step.name}: network error ({type(exc).__name__}) after "
                                     f"{attempts} attempt(s)", None) from None
                continue
            status, text = response.status_code, response.text
            message = provider_message(text)
            self._log(step, url, status, message)
            if status == 429 or status >= 500:
                if attempt + 1 < attempts:
                    continue
                what = "rate limited" if status == 429 else "provider error"
                raise StepFailed(f"{step.name}: {what} (HTTP {status}) after {attempts} attempt(s)"
                                 + (f": {message}" if message else ""), status)
            if 300 <= status < 400:
                raise StepFailed(f"{step.name}: HTTP {status}: redirect not followed", status)
            if status not in step.ok:
                raise StepFailed(f"{step.name}: HTTP {status}: {message or 'refused'}", status)
            return status, text
        raise AssertionError("unreachable")

    def _extract(self, step: Step, answer: Any, text: str, variables: dict[str, Any]) -> None:
        items = dig(answer, step.items) if step.items else None
        if step.items and not isinstance(items, list):
            raise StepFailed(f"{step.name}: the answer has no list at {step.items!r}", None)
        for var, name in step.collect:
            variables[var] = [str(item[name]) for item in items or []
                              if isinstance(item, dict) and name in item]
        source = answer
        if step.find:
            found = [item for item in items or [] if isinstance(item, dict)
                     and matches_hint(self.credentials.secret, str(item.get(step.find, "")))]
            if len(found) > 1:
                raise StepFailed(f"{step.name}: {len(found)} keys match this key's redacted form; "
                                 "revoke it by hand", None)
            if not found:
                if step.for_each:
                    raise _NotHere
                raise StepFailed(f"{step.name}: no key matching this one was found "
                                 "(deleted already, or not visible to this credential)", None)
            source = found[0]
        for var, name in step.capture:
            value = source.get(name) if isinstance(source, dict) else xml_element(text, name)
            if value in (None, ""):
                raise StepFailed(f"{step.name}: the answer has no {name!r}", None)
            variables[var] = str(value)

    def _log(self, step: Step, url: str, status: int | None, note: str) -> None:
        self.calls.append(Call(step.name, step.method, self.scrub(url), status, self.scrub(note)))

    def scrub(self, text: str) -> str:
        """``text`` with every credential value replaced, cut to a readable length."""
        for value in self.credentials.hidden():
            text = text.replace(value, "[redacted]")
        return text[:MAX_MESSAGE]


class _NotHere(Exception):
    """``find`` matched nothing for this ``for_each`` value; try the next."""
