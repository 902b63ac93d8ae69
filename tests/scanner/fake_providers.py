"""A local HTTP server on 127.0.0.1 that answers like the providers' verification endpoints.

It knows four synthetic keys per test: ``live`` (200), ``revoked`` (the provider's rejection: its
first `invalid` status, with its first rejection marker in the body), ``limited`` (429) and
``broken`` (500). It records every request so tests can prove where credentials went.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from secret_sprawl.detectors.verification import VerifierCatalog, load_verifiers

from tests.scanner.local_server import LocalFake, Seen
from tests.synthetic import random_body


def fake_key(prefix: str = "sk-test-") -> str:
    """A clearly synthetic credential, fresh for each test run."""
    return prefix + secrets.token_hex(12)


def fake_openai_key() -> str:
    """Synthetic, but shaped like an OpenAI project key so the engine finds it."""
    return "sk-proj-" + random_body(56)


def fake_aws_key_id() -> str:
    return "AKIA" + random_body(16, string.ascii_uppercase + "234567")


@dataclass
class FakeProviders(LocalFake):
    """Route a provider to ``url_for(provider)`` with the endpoint override."""

    catalog: VerifierCatalog = field(default_factory=load_verifiers)
    keys: dict[str, str] = field(default_factory=lambda: {
        "live": fake_key(), "revoked": fake_key(), "limited": fake_key(), "broken": fake_key()})
    requests: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def answer(self, provider: str, seen: Seen) -> tuple[int, bytes]:
        spec = self.catalog.providers[provider]
        carried = " ".join(seen.headers.values())
        if self.keys["live"] in carried:
            return min(spec.live), b'{"ok": true}'
        if self.keys["revoked"] in carried:
            marker = spec.invalid_markers[0] if spec.invalid_markers else "unauthorized"
            status = min(spec.live) if provider == "slack" else min(spec.invalid)
            return status, json.dumps({"ok": False, "error": marker}).encode()
        if self.keys["limited"] in carried:
            return 429, b'{"error": "rate limited"}'
        return 500, b'{"error": "internal"}'

    def respond(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen = Seen(method, path, headers, body)
        self.requests.append(seen)
        status, payload = self.answer(path.split("/")[1], seen)
        return status, {"Content-Type": "application/json"}, payload
