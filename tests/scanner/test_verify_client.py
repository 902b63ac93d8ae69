"""The verification client against a real local server that answers like each provider."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.verify.client import Verifier, VerifyRequest
from secret_sprawl.scanner.verify.settings import VerifySettings

from tests.scanner.fake_providers import FakeProviders, fake_aws_key_id, fake_key

CATALOG = load_verifiers()
HEADER_PROVIDERS = sorted(p for p, s in CATALOG.providers.items() if s.kind == "header" and s.base_url)


def rule_for(provider: str) -> str:
    """A rule id the provider's check covers."""
    spec = CATALOG.providers[provider]
    return spec.only_rules[0] if spec.only_rules else f"{provider}-api-key"


def verifier(fake: FakeProviders, **overrides) -> Verifier:
    endpoints = {provider: fake.url_for(provider) for provider in CATALOG.providers}
    settings = VerifySettings(endpoints=endpoints, retries=2, backoff=0.001, rate_per_host=1000, **overrides)
    return Verifier(CATALOG, settings)


@pytest.fixture
def fake():
    with FakeProviders() as server:
        yield server


@pytest.mark.parametrize("provider", HEADER_PROVIDERS)
def test_each_provider_live_invalid_and_unknown(fake, provider):
    requests = [VerifyRequest(provider, rule_for(provider), fake.keys[name])
                for name in ("live", "revoked", "limited", "broken")]
    verdicts = verifier(fake).run(requests)
    assert [v.state for v in verdicts] == ["live", "invalid", "unknown", "unknown"]
    spec = CATALOG.providers[provider]
    assert verdicts[1].http_status == (200 if provider == "slack" else min(spec.invalid))
    assert verdicts[2].http_status == 429 and verdicts[3].http_status == 500
    assert "after 3 attempt(s)" in verdicts[2].detail
    assert verdicts[0].endpoint == fake.url_for(provider) + spec.path
    # 1 + 1 + 3 + 3 requests: bounded retries on 429 and 500 only.
    assert len(fake.requests) == 8
    assert {(seen.method, seen.path) for seen in fake.requests} == {(spec.method, f"/{provider}{spec.path}")}


def test_verdicts_never_carry_the_secret(fake):
    key = fake.keys["revoked"]
    (verdict,) = verifier(fake).run([VerifyRequest("openai", "openai-project-key", key)])
    assert key not in repr(verdict) and key not in verdict.detail and key not in verdict.endpoint


def test_network_error_is_unknown_after_retries():
    settings = VerifySettings(endpoints={"openai": "http://127.0.0.1:9"}, retries=1, backoff=0.001)
    (verdict,) = Verifier(CATALOG, settings).run([VerifyRequest("openai", "openai-project-key", fake_key())])
    assert verdict.state == "unknown" and verdict.http_status is None
    assert verdict.detail.startswith("network error") and "2 attempt(s)" in verdict.detail


def test_aws_pair_is_signed_and_verified(fake):
    key_id = fake_aws_key_id()
    fake.keys["live"] = key_id
    secret_key = fake_key("")[:40]
    (verdict,) = verifier(fake).run([VerifyRequest("aws", "aws-secret-access-key", secret_key, (), key_id)])
    assert verdict.state == "live"
    (seen,) = fake.requests
    assert seen.method == "POST" and seen.body == b"Action=GetCallerIdentity&Version=2011-06-15"
    assert seen.headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={key_id}/")
    assert "/us-east-1/sts/aws4_request" in seen.headers["Authorization"]
    assert secret_key not in str(seen.headers)


def test_aws_wrong_signature_is_not_a_verdict_and_missing_pair_sends_nothing(fake):
    fake.answer = lambda provider, seen: (403, b"<Code>SignatureDoesNotMatch</Code>")
    wrong_pair = VerifyRequest("aws", "aws-access-key-id", fake_aws_key_id(), (), "x" * 40)
    (verdict,) = verifier(fake).run([wrong_pair])
    assert verdict.state == "unknown" and verdict.http_status == 403
    (alone,) = verifier(fake).run([VerifyRequest("aws", "aws-access-key-id", fake_aws_key_id())])
    assert alone.state == "unknown" and "no paired" in alone.detail
    assert len(fake.requests) == 1


def test_url_next_to_the_key_is_ignored_official_host_is_used():
    """A base URL found in the scanned content is never where the key goes."""
    hosts: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(401)

    context = (("base_url", "https://attacker.example.net"), ("endpoint", "http://127.0.0.1:1"))
    client = Verifier(CATALOG, VerifySettings(retries=0), transport=httpx.MockTransport(record))
    (verdict,) = client.run([VerifyRequest("openai", "openai-project-key", fake_key(), context)])
    assert hosts == ["api.openai.com"] and verdict.state == "invalid"


@pytest.mark.parametrize(
    ("endpoint", "called"),
    [
        ("https://contoso-prod.openai.azure.com/openai/deployments/x", "contoso-prod.openai.azure.com"),
        ("https://eastus.cognitiveservices.azure.com", "eastus.cognitiveservices.azure.com"),
        ("http://contoso.openai.azure.com", None),  # not https
        ("https://openai.azure.com.attacker.example", None),
        ("https://user:pw@contoso.openai.azure.com", None),
        ("https://contoso.openai.azure.com:8443", None),
        ("https://a.b.openai.azure.com", None),
    ],
)
def test_azure_endpoint_from_context_only_on_azure_hosts(endpoint, called):
    urls: list[httpx.URL] = []

    def record(request: httpx.Request) -> httpx.Response:
        urls.append(request.url)
        return httpx.Response(200)

    client = Verifier(CATALOG, VerifySettings(retries=0), transport=httpx.MockTransport(record))
    request = VerifyRequest("azure-openai", "azure-openai-key", fake_key(), (("endpoint", endpoint),))
    (verdict,) = client.run([request])
    if called is None:
        assert urls == [] and verdict.state == "unknown" and "no trusted endpoint" in verdict.detail
    else:
        assert [u.host for u in urls] == [called] and urls[0].path == "/openai/models"
        assert verdict.state == "live"


def test_redirect_is_not_followed():
    urls: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://elsewhere.example.org/"})

    client = Verifier(CATALOG, VerifySettings(retries=0), transport=httpx.MockTransport(record))
    (verdict,) = client.run([VerifyRequest("github", "github-pat", fake_key())])
    assert len(urls) == 1 and verdict.state == "unknown" and verdict.http_status == 302


def test_unverifiable_provider_is_unknown():
    (verdict,) = Verifier(CATALOG, VerifySettings()).run([VerifyRequest("nobody", "nobody-key", fake_key())])
    assert verdict.state == "unknown" and "no verifier" in verdict.detail


def test_proxy_environment_is_honoured(monkeypatch):
    """Requests go through the proxy named by the environment (the proxy sees the absolute URL)."""
    seen: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, args=(0.01,), daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        settings = VerifySettings(endpoints={"groq": "http://gateway.example.test"}, retries=0)
        (verdict,) = Verifier(CATALOG, settings).run([VerifyRequest("groq", "groq-api-key", fake_key())])
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert verdict.state == "live" and seen == ["http://gateway.example.test/openai/v1/models"]
