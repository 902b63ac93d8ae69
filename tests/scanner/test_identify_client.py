"""The identify client on its own: rate-limit answers, optional and skipped calls, redirects, provider
errors, answers that echo the secret, and where requests go when nobody overrides the endpoint."""

from __future__ import annotations

import json
import time

import httpx
from secret_sprawl.detectors.identity import load_identities
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.identify.client import Identifier
from secret_sprawl.scanner.verify.client import VerifyRequest
from secret_sprawl.scanner.verify.settings import VerifySettings

from tests.scanner.fake_identity import FakeIdentityAPIs

VERIFIERS = load_verifiers()
IDENTITIES = load_identities(VERIFIERS)
RULES = {"github": "github-classic-pat", "gitlab": "gitlab-pat", "aws": "aws-access-key-id",
         "openai": "openai-project-key", "anthropic": "anthropic-api-key",
         "stripe": "stripe-live-restricted-key"}


def run(fake: FakeIdentityAPIs, provider: str, *, retries: int = 1, secret: str | None = None, **kw):
    settings = VerifySettings(endpoints={provider: fake.url_for(provider)}, retries=retries, backoff=0.001)
    key = secret or fake.keys[provider]["live"]
    paired = fake.aws_secrets.get(key, "")
    request = VerifyRequest(provider, RULES[provider], key, (), paired)
    return Identifier(IDENTITIES, VERIFIERS, settings, **kw).run([request])[0]


def test_githubs_403_with_no_rate_left_is_rate_limited_and_a_far_reset_is_not_waited_for():
    with FakeIdentityAPIs() as fake:
        reset = str(int(time.time()) + 3000)
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        fake.overrides["github"] = lambda seen: (403, headers, b'{"message": "API rate limit exceeded"}')
        started = time.monotonic()
        identity = run(fake, "github", retries=3)
    assert identity.state == "rate-limited" and (identity.retry_after or 0) > 2900
    assert time.monotonic() - started < 10 and len(fake.requests) == 1


def test_a_failed_optional_call_keeps_what_the_first_one_said():
    with FakeIdentityAPIs() as fake:
        token = {"user_id": 77, "scopes": ["api"], "expires_at": "2030-05-01"}
        fake.overrides["gitlab"] = lambda seen: (200, {}, json.dumps(token).encode()) \
            if seen.path.endswith("/self") else (403, {}, b'{"message": "insufficient_scope"}')
        identity = run(fake, "gitlab")
    assert (identity.state, identity.principal, identity.scopes, identity.admin_scopes) == (
        "identified", "77", ("api",), ("api",))
    assert identity.expires_at is not None and identity.expires_at.isoformat() == "2030-05-01T00:00:00+00:00"
    assert [(e.call, e.http_status) for e in identity.evidence] == [("token", 200), ("user", 403)]


def test_a_role_session_skips_the_user_policy_call():
    arn = "arn:aws:sts::123456789012:assumed-role/deployer/session"
    xml = (f"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>{arn}</Arn><Account>123456789012"
           "</Account></GetCallerIdentityResult></GetCallerIdentityResponse>").encode()
    with FakeIdentityAPIs() as fake:
        fake.overrides["aws"] = lambda seen: (200, {"Content-Type": "text/xml"}, xml)
        identity = run(fake, "aws")
    assert (identity.state, identity.principal, identity.scopes) == ("identified", arn, ())
    assert len(fake.requests) == 1 and identity.evidence[1].note == "skipped: user not known"


def test_redirects_are_not_followed_and_provider_errors_are_failures():
    with FakeIdentityAPIs() as fake:
        fake.overrides["openai"] = lambda seen: (302, {"Location": fake.url_for("elsewhere")}, b"")
        moved = run(fake, "openai")
        assert (moved.state, moved.detail) == ("failed", "redirect not followed")
        assert [seen.provider for seen in fake.requests] == ["openai"]
        fake.overrides["openai"] = lambda seen: (503, {}, b"{}")
        broken = run(fake, "openai", retries=2)
    assert (broken.state, broken.detail) == ("failed", "provider error (HTTP 503)")
    assert len(fake.requests) == 1 + 3


def test_a_value_that_echoes_the_secret_is_dropped():
    with FakeIdentityAPIs() as fake:
        key = fake.keys["openai"]["live"]
        fake.overrides["openai"] = lambda seen: (200, {}, json.dumps(
            {"email": f"owner of {key}", "name": "ML Team", "object": "user"}).encode())
        identity = run(fake, "openai")
    assert identity.principal == "ML Team" and key not in repr(identity)


def test_a_rule_without_identity_calls_is_not_identifiable():
    with FakeIdentityAPIs() as fake:
        identity = run(fake, "anthropic", secret="sk-ant-api03-" + "x" * 90 + "AA")
    assert identity.state == "not-identifiable" and fake.requests == []


def test_without_overrides_requests_go_to_the_official_hosts_only():
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        return httpx.Response(401, json={})

    with FakeIdentityAPIs() as fake:  # only for its keys: nothing is sent to it
        requests = [
            VerifyRequest("github", RULES["github"], fake.keys["github"]["live"],
                          (("GITHUB_API_URL", fake.url_for("github")),)),
            VerifyRequest("openai", RULES["openai"], fake.keys["openai"]["live"],
                          (("OPENAI_BASE_URL", fake.url_for("openai")),)),
        ]
        identities = Identifier(IDENTITIES, VERIFIERS, VerifySettings(retries=0),
                                transport=httpx.MockTransport(record)).run(requests)
        assert fake.requests == []
    assert seen == ["GET https://api.github.com/user", "GET https://api.openai.com/v1/me"]
    assert [i.state for i in identities] == ["refused", "refused"]


def test_a_key_that_works_but_may_not_say_who_it_is_is_not_called_refused():
    with FakeIdentityAPIs() as fake:
        fake.overrides["stripe"] = lambda seen: (403, {}, b'{"error": {"type": "invalid_request_error"}}')
        identity = run(fake, "stripe")
    assert identity.state == "failed"
    assert identity.detail == "the key works but may not read who it is (HTTP 403)"


def test_requests_to_one_host_are_paced_by_rate_per_host():
    with FakeIdentityAPIs() as fake:
        settings = VerifySettings(endpoints={"github": fake.url_for("github")}, retries=0, rate_per_host=4.0)
        requests = [VerifyRequest("github", RULES["github"], fake.keys["github"][kind])
                    for kind in ("live", "refused", "live", "refused", "live")]
        started = time.monotonic()
        states = [i.state for i in Identifier(IDENTITIES, VERIFIERS, settings).run(requests)]
        elapsed = time.monotonic() - started
    assert states == ["identified", "refused"] * 2 + ["identified"]
    assert 1.0 <= elapsed < 10  # five requests at four a second
