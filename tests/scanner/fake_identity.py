"""Fake identity APIs of every provider ``sprawl identify`` knows, on 127.0.0.1, and fake keys for them.

Each provider is served under ``/<provider>`` (pass ``url_for(provider)`` as ``--endpoint``). Per
provider there are three synthetic keys: ``live`` (answered with an identity), ``refused`` (the
provider's rejection) and ``limited`` (429 with ``Retry-After: retry_after`` for the first
``limit_times`` requests, then answered as live); ``overrides`` replaces a provider's answers.
Every request is recorded, so a test can prove where credentials went.
"""

from __future__ import annotations

import json
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs

from secret_sprawl.detectors.checksum import base62

from tests.scanner.local_server import LocalFake

ALNUM = string.ascii_letters + string.digits
Response = tuple[int, dict[str, str], bytes]
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)  # before any default SLA deadline


def _random(length: int, alphabet: str = ALNUM) -> str:
    rng = random.SystemRandom()
    while True:
        text = "".join(rng.choice(alphabet) for _ in range(length))
        if alphabet != ALNUM or (any(c.isupper() for c in text) and any(c.islower() for c in text)
                                 and any(c.isdigit() for c in text)):
            return text


def _crc_token(prefix: str) -> str:
    body = _random(30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def aws_pair() -> tuple[str, str]:
    return "AKIA" + _random(16, string.ascii_uppercase + "234567"), _random(40, ALNUM + "/+")


# provider -> (make a key, the line of a file that holds it)
KEYS = {
    "github": (lambda: _crc_token("ghp_"), "GITHUB_TOKEN={}"),
    "gitlab": (lambda: "glpat-" + _random(20), "GITLAB_TOKEN={}"),
    "huggingface": (lambda: "hf_" + _random(34), "HF_TOKEN={}"),
    "openai": (lambda: "sk-proj-" + _random(56), "OPENAI_API_KEY={}"),
    "slack": (lambda: f"xoxb-{_random(11, string.digits)}-{_random(12, string.digits)}-{_random(24)}",
              "SLACK_BOT_TOKEN={}"),
    "stripe": (lambda: "sk_live_" + _random(32), "STRIPE_SECRET_KEY={}"),
    "npm": (lambda: _crc_token("npm_"), "//registry.npmjs.org/:_authToken={}"),
    "cohere": (lambda: _random(40), 'COHERE_API_KEY="{}"'),
    "replicate": (lambda: "r8_" + _random(37), "REPLICATE_API_TOKEN={}"),
    "xai": (lambda: "xai-" + _random(80), "XAI_API_KEY={}"),
    "openrouter": (lambda: "sk-or-v1-" + _random(64, "0123456789abcdef"), "OPENROUTER_API_KEY={}"),
    "anthropic": (lambda: "sk-ant-admin01-" + _random(90) + "AA", "ANTHROPIC_ADMIN_KEY={}"),
}
PROVIDERS = (*KEYS, "aws")


@dataclass
class Seen:
    provider: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeIdentityAPIs(LocalFake):
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # provider -> kind -> key (AWS: key id)
    aws_secrets: dict[str, str] = field(default_factory=dict)  # AWS key id -> secret access key
    retry_after: str = "1"
    limit_times: int = 1
    requests: list[Seen] = field(default_factory=list)
    overrides: dict[str, Callable[[Seen], Response]] = field(default_factory=dict)  # provider -> its answer
    server: ThreadingHTTPServer | None = None
    _limited: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for provider, (make, _) in KEYS.items():
            self.keys[provider] = {kind: make() for kind in ("live", "refused", "limited")}
        self.keys["aws"] = {}
        for kind in ("live", "refused", "limited"):
            key_id, secret = aws_pair()
            self.keys["aws"][kind], self.aws_secrets[key_id] = key_id, secret

    def file_text(self, provider: str, kind: str) -> str:
        """The content of a file that leaks this provider's ``kind`` key."""
        key = self.keys[provider][kind]
        if provider == "aws":
            return f"aws_access_key_id = {key}\naws_secret_access_key = {self.aws_secrets[key]}\n"
        return KEYS[provider][1].format(key) + "\n"

    def all_values(self) -> list[str]:
        keys = [key for kinds in self.keys.values() for key in kinds.values()]
        return keys + list(self.aws_secrets.values())

    def endpoints(self) -> list[str]:
        return [arg for name in PROVIDERS for arg in ("--endpoint", f"{name}={self.url_for(name)}")]

    def kind_of(self, provider: str, seen: Seen) -> str | None:
        carried = " ".join(seen.headers.values())
        return next((kind for kind, key in self.keys[provider].items() if key in carried), None)

    def answer(self, seen: Seen) -> Response:
        if seen.provider in self.overrides:
            return self.overrides[seen.provider](seen)
        kind = self.kind_of(seen.provider, seen)
        if kind == "limited":
            count = self._limited.get(seen.provider, 0)
            self._limited[seen.provider] = count + 1
            if count < self.limit_times:
                return 429, {"Retry-After": self.retry_after}, b'{"error": "rate limited"}'
        if kind is None or kind == "refused":
            if seen.provider == "slack":
                return 200, {}, b'{"ok": false, "error": "invalid_auth"}'
            if seen.provider == "aws":
                return 403, {}, b"<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error>" \
                    b"</ErrorResponse>"
            return 401, {}, b'{"error": "unauthorized"}'
        return LIVE_ANSWERS[seen.provider](seen)

    def respond(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, dict[str, str], bytes]:
        provider, _, rest = path.lstrip("/").partition("/")
        seen = Seen(provider, method, "/" + rest, headers, body)
        self.requests.append(seen)
        status, extra, payload = self.answer(seen)
        return status, {"Content-Type": "application/json", **extra}, payload


def _json(body: object, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return 200, headers or {}, json.dumps(body).encode()


def _not_found() -> tuple[int, dict[str, str], bytes]:
    return 404, {}, b'{"message": "Not Found"}'


def _github(seen: Seen):
    if seen.path != "/user":
        return _not_found()
    return _json({"login": "octo-deployer", "id": 4242, "type": "User"}, {
        "X-OAuth-Scopes": "repo, admin:org, gist",
        "github-authentication-token-expiration": SOON.strftime("%Y-%m-%d %H:%M:%S UTC")})


def _gitlab(seen: Seen):
    if seen.path == "/api/v4/personal_access_tokens/self":
        return _json({"id": 9, "name": "ci", "active": True, "revoked": False, "user_id": 77,
                      "scopes": ["read_api", "read_repository"], "expires_at": None})
    return _json({"id": 77, "username": "ci-bot"}) if seen.path == "/api/v4/user" else _not_found()


def _huggingface(seen: Seen):
    if seen.path != "/api/whoami-v2":
        return _not_found()
    return _json({"type": "user", "name": "hf-alice", "orgs": [{"name": "acme", "roleInOrg": "admin"}],
                  "auth": {"type": "access_token", "accessToken": {
                      "displayName": "ci", "role": "fineGrained", "fineGrained": {
                          "global": ["inference.serverless.write"],
                          "scoped": [{"entity": {"type": "model", "name": "acme/llm"},
                                      "permissions": ["repo.content.read", "repo.write"]}]}}}})


def _openai(seen: Seen):
    if seen.path != "/v1/me":
        return _not_found()
    return _json({"object": "user", "id": "user-abc", "email": "ml@acme.test", "name": "ML Team",
                  "orgs": {"object": "list",
                           "data": [{"id": "org-acme", "title": "Acme", "role": "reader"}]}},
                 {"openai-organization": "org-acme", "openai-project": "proj_llm"})


def _aws(seen: Seen):
    form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
    auth = seen.headers.get("Authorization", "")
    ns = "https://sts.amazonaws.com/doc/2011-06-15/"
    if form.get("Action") == "GetCallerIdentity" and "/sts/aws4_request" in auth:
        return 200, {"Content-Type": "text/xml"}, (
            f'<GetCallerIdentityResponse xmlns="{ns}"><GetCallerIdentityResult>'
            "<Arn>arn:aws:iam::123456789012:user/ops/deployer</Arn><UserId>AIDAEXAMPLE</UserId>"
            "<Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>").encode()
    if form.get("Action") == "ListAttachedUserPolicies" and "/iam/aws4_request" in auth \
            and form.get("UserName") == "deployer":
        return 200, {"Content-Type": "text/xml"}, (
            b"<ListAttachedUserPoliciesResponse><ListAttachedUserPoliciesResult><AttachedPolicies>"
            b"<member><PolicyName>AdministratorAccess</PolicyName></member>"
            b"<member><PolicyName>ReadOnlyAccess</PolicyName></member>"
            b"</AttachedPolicies></ListAttachedUserPoliciesResult></ListAttachedUserPoliciesResponse>")
    return 400, {}, b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"


def _slack(seen: Seen):
    if seen.path != "/api/auth.test" or seen.method != "POST":
        return _not_found()
    return _json({"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "deploy-bot",
                  "team_id": "T0001", "user_id": "U0001", "bot_id": "B0001"},
                 {"x-oauth-scopes": "chat:write,channels:read"})


def _stripe(seen: Seen):
    if seen.path != "/v1/account":
        return _not_found()
    return _json({"id": "acct_1Acme", "email": "billing@acme.test"})


def _npm(seen: Seen):
    return _json({"username": "acme-publisher"}) if seen.path == "/-/whoami" else _not_found()


def _cohere(seen: Seen):
    if seen.path != "/v1/check-api-key" or seen.method != "POST":
        return _not_found()
    return _json({"valid": True, "organization_id": "org-cohere", "owner_id": "user-cohere"})


def _replicate(seen: Seen):
    if seen.path != "/v1/account":
        return _not_found()
    return _json({"type": "organization", "username": "acme-ml", "name": "Acme ML"})


def _xai(seen: Seen):
    if seen.path != "/v1/api-key":
        return _not_found()
    return _json({"redacted_api_key": "xai-...b14o", "user_id": "user-xai", "name": "prod key",
                  "team_id": "team-xai", "acls": ["api-key:model:*", "api-key:endpoint:*"],
                  "api_key_blocked": False, "api_key_disabled": False, "team_blocked": False})


def _openrouter(seen: Seen):
    if seen.path != "/api/v1/key":
        return _not_found()
    return _json({"data": {"label": "ci key", "limit": 100, "usage": 3.5, "is_free_tier": False,
                           "expires_at": "2031-01-01T00:00:00Z"}})


def _anthropic(seen: Seen):
    if seen.path != "/v1/organizations/me":
        return _not_found()
    return _json({"id": "org-anthropic", "type": "organization", "name": "Acme AI"})


LIVE_ANSWERS = {
    "github": _github, "gitlab": _gitlab, "huggingface": _huggingface, "openai": _openai, "aws": _aws,
    "slack": _slack, "stripe": _stripe, "npm": _npm, "cohere": _cohere, "replicate": _replicate,
    "xai": _xai, "openrouter": _openrouter, "anthropic": _anthropic,
}
