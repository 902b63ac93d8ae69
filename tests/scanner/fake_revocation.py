"""A stateful fake of the providers' revocation and verification APIs, on 127.0.0.1 only.

Each provider lives under ``/<provider>`` (route it there with ``--endpoint PROVIDER=URL``). Keys in
``live`` work; a revocation call with (or, for admins, naming) a live key removes it, so the re-check
then sees it rejected. Per-key ``behaviour`` makes the provider misbehave: ``refuse`` (403 with a
message), ``limited`` (429 on every revocation call), ``sticky`` (the call is accepted but the key keeps
working). AWS requests are checked against a real SigV4 signature with the key pair's secret half.
Every request is recorded, so tests can prove where credentials went.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from secret_sprawl.detectors.checksum import base62
from secret_sprawl.scanner.verify.sigv4 import sign

from tests.scanner.local_server import LocalFake, Seen
from tests.synthetic import ALNUM, random_body


def _crc_token(prefix: str) -> str:
    import zlib

    body = random_body(30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def github_pat() -> str:
    return _crc_token("ghp_")


def npm_token() -> str:
    return _crc_token("npm_")


def gitlab_pat() -> str:
    return "glpat-" + random_body(20)


def slack_bot_token() -> str:
    return f"xoxb-{random_body(12, string.digits)}-{random_body(12, string.digits)}-{random_body(24)}"


def openai_key() -> str:
    return "sk-proj-" + random_body(56)


def anthropic_key() -> str:
    return "sk-ant-api03-" + random_body(93) + "AA"


def aws_pair() -> tuple[str, str]:
    return "AKIA" + random_body(16, string.ascii_uppercase + "234567"), random_body(40, ALNUM + "/+")


@dataclass
class FakeRevocationAPI(LocalFake):
    admin: str = field(default_factory=lambda: "admin-" + secrets.token_hex(16))
    live: set[str] = field(default_factory=set)
    behaviour: dict[str, str] = field(default_factory=dict)
    aws_secrets: dict[str, str] = field(default_factory=dict)  # key id -> secret access key
    aws_self_service: set[str] = field(default_factory=set)  # key ids whose user may manage own keys
    requests: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def revocation_calls(self) -> list[Seen]:
        """Requests other than the verifiers' read-only checks."""
        checks = ("/user", "/auth.test", "/-/whoami", "/v1/models", "GetCallerIdentity")
        return [s for s in self.requests if not any(c in s.path or c.encode() in s.body for c in checks)
                or s.method == "DELETE"]

    # -- the providers -------------------------------------------------------------------------

    def answer(self, seen: Seen) -> tuple[int, object]:
        provider, _, rest = seen.path.lstrip("/").partition("/")
        handler = getattr(self, f"_{provider}")
        return handler(seen, "/" + rest)

    def _revoke(self, key: str) -> tuple[int, object] | None:
        """Apply the key's behaviour; None: go ahead (and the key dies unless sticky)."""
        how = self.behaviour.get(key)
        if how == "refuse":
            return 403, {"message": "Resource not accessible by this credential"}
        if how == "limited":
            return 429, {"message": "API rate limit exceeded"}
        if how != "sticky":
            self.live.discard(key)
        return None

    def _github(self, seen: Seen, path: str) -> tuple[int, object]:
        if path == "/user":
            return _check(_bearer(seen) in self.live, {"login": "octo", "id": 583231},
                          {"message": "Bad credentials"})
        assert path == "/credentials/revoke" and seen.method == "POST"
        if "Authorization" in seen.headers:
            return 403, {"message": "authenticated requests are refused"}
        keys = json.loads(seen.body)["credentials"]
        for key in keys:
            if (refused := self._revoke(key)) is not None:
                return refused
        return 202, {}

    def _gitlab(self, seen: Seen, path: str) -> tuple[int, object]:
        key = seen.headers.get("PRIVATE-TOKEN", "")
        if key not in self.live:
            return 401, {"message": "401 Unauthorized"}
        if seen.method == "GET":
            return 200, {"id": 1, "scopes": ["api"]}
        return self._revoke(key) or (204, None)

    def _slack(self, seen: Seen, path: str) -> tuple[int, object]:
        key = _bearer(seen)
        if key not in self.live:
            return 200, {"ok": False, "error": "invalid_auth"}
        if path == "/api/auth.test":
            return 200, {"ok": True, "team": "T1"}
        refused = self._revoke(key)
        if refused is not None:
            return refused[0], {"ok": False, "error": "ratelimited" if refused[0] == 429 else "not_allowed"}
        return 200, {"ok": True, "revoked": True}

    def _npm(self, seen: Seen, path: str) -> tuple[int, object]:
        key = _bearer(seen)
        if key not in self.live:
            return 401, {"error": "Unauthorized"}
        if path == "/-/whoami":
            return 200, {"username": "octo"}
        if seen.method == "GET":
            return 200, {"objects": [{"key": _npm_key(t), "token": t[:6]} for t in sorted(self.live)
                                     if t.startswith("npm_")]}
        wanted = unquote(path.rsplit("/", 1)[1])
        assert wanted == _npm_key(key), "deleted another token than the one asked for"
        return self._revoke(key) or (204, None)

    def _openai(self, seen: Seen, path: str) -> tuple[int, object]:
        if path == "/v1/models":
            return _check(_bearer(seen) in self.live, {"data": []}, {"error": {"message": "bad key"}})
        if _bearer(seen) != self.admin:
            return 401, {"error": {"message": "Invalid admin key"}}
        keys = [k for k in sorted(self.live) if k.startswith("sk-proj-")]
        if path.startswith("/v1/organization/projects?"):
            return 200, {"data": [{"id": "proj_empty"}, {"id": "proj_main"}]}
        match = re.match(r"^/v1/organization/projects/(proj_\w+)/api_keys(?:\?.*|/(key_\w+))?$", path)
        assert match, path
        project, key_id = match.groups()
        listed = keys if project == "proj_main" else []
        if seen.method == "GET":
            return 200, {"data": [{"id": f"key_{i}", "redacted_value": f"{k[:11]}...{k[-4:]}"}
                                  for i, k in enumerate(listed)]}
        key = listed[int(key_id.removeprefix("key_"))]
        return self._revoke(key) or (200, {"id": key_id, "deleted": True})

    def _anthropic(self, seen: Seen, path: str) -> tuple[int, object]:
        key = seen.headers.get("x-api-key", "")
        if path == "/v1/models":
            return _check(key in self.live, {"data": []}, {"error": {"message": "invalid x-api-key"}})
        if key != self.admin:
            return 401, {"error": {"type": "authentication_error", "message": "invalid admin key"}}
        keys = [k for k in sorted(self.live) if k.startswith("sk-ant-")]
        if seen.method == "GET":
            return 200, {"data": [{"id": f"apikey_{i}", "partial_key_hint": f"{k[:16]}...{k[-4:]}"}
                                  for i, k in enumerate(keys)], "has_more": False}
        assert json.loads(seen.body) == {"status": "archived"}
        key = keys[int(path.rsplit("_", 1)[1])]
        return self._revoke(key) or (200, {"status": "archived"})

    def _aws(self, seen: Seen, path: str) -> tuple[int, object]:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        caller = self._aws_caller(seen)
        if caller is None or (caller not in self.live and caller != self.admin_key_id):
            return 403, _aws_error("InvalidClientTokenId", "The security token is invalid.")
        action, target = form["Action"], form.get("AccessKeyId", "")
        if action == "GetCallerIdentity":
            return 200, "<GetCallerIdentityResult><Arn>arn:aws:iam::1:user/o</Arn></GetCallerIdentityResult>"
        if action == "GetAccessKeyLastUsed":
            user = "<UserName>octo+ci@x</UserName>"
            return 200, f"<GetAccessKeyLastUsedResult>{user}</GetAccessKeyLastUsedResult>"
        assert action == "UpdateAccessKey" and form["Status"] == "Inactive"
        if caller != self.admin_key_id and caller not in self.aws_self_service:
            return 403, _aws_error("AccessDenied", "User is not authorized to perform: iam:UpdateAccessKey")
        if caller == self.admin_key_id:
            assert form["UserName"] == "octo+ci@x"
        refused = self._revoke(target)
        if refused is not None:
            return refused[0], _aws_error("Throttling" if refused[0] == 429 else "AccessDenied", "no")
        return 200, "<UpdateAccessKeyResponse><ResponseMetadata/></UpdateAccessKeyResponse>"

    @property
    def admin_key_id(self) -> str:
        return "AKIA" + hashlib.sha256(self.admin.encode()).hexdigest()[:16].upper().replace("0", "A")

    def _aws_caller(self, seen: Seen) -> str | None:
        found = re.search(r"Credential=([A-Z0-9]+)/", seen.headers.get("Authorization", ""))
        if not found:
            return None
        key_id = found.group(1)
        secret = self.admin if key_id == self.admin_key_id else self.aws_secrets.get(key_id)
        if secret is None:
            return None
        when = datetime.strptime(seen.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/", seen.headers["Authorization"])
        assert scope
        url = f"http://{seen.headers['Host']}{urlsplit(seen.path).path}"
        expected = sign("POST", url, {"Content-Type": seen.headers["Content-Type"]}, seen.body,
                        access_key=key_id, secret_key=secret, region=scope.group(1), service=scope.group(2),
                        now=when)
        return key_id if expected["Authorization"] == seen.headers["Authorization"] else None

    # -- the server ----------------------------------------------------------------------------

    def respond(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen = Seen(method, path, headers, body)
        self.requests.append(seen)
        status, payload = self.answer(seen)
        xml = isinstance(payload, str)
        data = payload.encode() if xml else b"" if payload is None else json.dumps(payload).encode()
        return status, {"Content-Type": "text/xml" if xml else "application/json"}, data


def _check(live: bool, ok: object, rejected: object) -> tuple[int, object]:
    return (200, ok) if live else (401, rejected)


def _bearer(seen: Seen) -> str:
    return seen.headers.get("Authorization", "").removeprefix("Bearer ")


def _npm_key(token: str) -> str:
    return hashlib.sha512(token.encode()).hexdigest()


def _aws_error(code: str, message: str) -> str:
    return f"<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
