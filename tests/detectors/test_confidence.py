"""Confidence on matches: checksums, placeholders, public-by-design keys, URL logins, generic values."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from secret_sprawl.detectors.checksum import base62, checksum_valid
from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.placeholder import placeholder_like
from secret_sprawl.detectors.types import Confidence

from tests.detectors.helpers import fake


def github_token(prefix: str, seed: int) -> str:
    """A synthetic GitHub-format token whose CRC32 tail is valid (meaningless to GitHub)."""
    body = fake(seed, 30)
    return f"{prefix}_{body}{base62(zlib.crc32(body.encode()), 6)}"


@pytest.fixture(scope="module")
def engine():
    return build_engine()


def found(engine, text):
    return {(m.rule_id, m.secret): (m.confidence, m.reasons) for m in engine.scan(text)}


def test_base62_pads_and_orders_digits_upper_lower():
    assert base62(0, 6) == "000000"
    assert base62(61, 2) == "0z"
    assert base62(62, 2) == "10"
    assert base62(36, 1) == "a"


@pytest.mark.parametrize("prefix", ["ghp", "gho", "ghu", "ghs", "ghr", "npm"])
def test_valid_checksum_is_high(engine, prefix):
    token = github_token(prefix, 7)
    assert checksum_valid("github-crc32", token) is True
    [(confidence, reasons)] = found(engine, f"TOKEN={token}\n").values()
    assert confidence is Confidence.HIGH
    assert "checksum-valid" in reasons


def test_broken_checksum_is_medium_and_long_refresh_token_has_none(engine):
    token = github_token("ghp", 8)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert checksum_valid("github-crc32", broken) is False
    [(confidence, reasons)] = found(engine, f"TOKEN={broken}\n").values()
    assert confidence is Confidence.MEDIUM and "checksum-valid" not in reasons
    assert checksum_valid("github-crc32", "ghr_" + fake(9, 76)) is None


@pytest.mark.parametrize(
    "value",
    ["your-api-key-here", "sk-your-key-0000", "test-key-123", "AKIAIOSFODNN7EXAMPLE", "dummy_token_value",
     "abc123abc123abc123", "qwertyuiop12", "1234567890abcdef", "aaaaaaaaaaaa", "xxxxxxxxxxxx",
     "<your key>", "MyFakeSecretKey1", "INVALID-TOKEN-99", "replace_with_real", "k9ZYXWVUq2",
     "Xq7dE987654b"],
)
def test_placeholders(value):
    assert placeholder_like(value)


@pytest.mark.parametrize("value", [
    fake(1), fake(2, 40), fake(3, 64, "0123456789abcdef"), "HnFfoV5nFPVjvNlt",
    "iDT30bOyhlCG5QKlXftvBqcfKgcxcVUtBRARnAxGXTH8N45nopKFWlQI",  # "cxcvu" hops between sequences
    "Q7yOuRb3Kd9LmX2pZt4WmOcK",  # "yOuR", "mOcK": mixed case as only chance writes it
])
def test_random_values_are_not_placeholders(value):
    assert not placeholder_like(value)


def test_provider_prefix_then_placeholder_word_is_low_but_reported(engine):
    results = found(engine, 'OPENAI_API_KEY="sk-proj-your-' + "a1B2c3D4e5F6g7H8i9J0" * 3 + '"\n')
    assert results, "a placeholder in a provider format is reported, at low confidence"
    assert all(conf is Confidence.LOW and "placeholder-like" in reasons for conf, reasons in results.values())


def test_stripe_test_key_is_reported(engine):
    key = "sk_test_" + fake(11, 99)
    results = found(engine, f"STRIPE_SECRET_KEY={key}\n")
    assert ("stripe-test-secret-key", key) in results
    assert results[("stripe-test-secret-key", key)][0].at_least(Confidence.MEDIUM)


def test_supabase_anon_jwt_is_public_by_design(engine):
    def segment(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    def token(role):
        claims = {"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": role, "iat": 1700000000,
                  "exp": 2000000000}
        return ".".join([segment({"alg": "HS256", "typ": "JWT"}), segment(claims), fake(12, 43)])

    anon, service = token("anon"), token("service_role")
    anon_results = [v for (_, s), v in found(engine, f"SUPABASE_ANON_KEY={anon}\n").items() if s == anon]
    assert anon_results and all(c is Confidence.LOW and "public-by-design" in r for c, r in anon_results)
    service_results = [v for (_, s), v in found(engine, f"SUPABASE_KEY={service}\n").items() if s == service]
    assert service_results and all(c.at_least(Confidence.MEDIUM) for c, _ in service_results)


def test_firebase_web_config_key_is_public_by_design(engine):
    key = "AIza" + fake(13, 35)
    config = ('const firebaseConfig = {\n  apiKey: "' + key + '",\n'
              '  authDomain: "acme-app.firebaseapp.com",\n  messagingSenderId: "1234"\n};\n')
    [(confidence, reasons)] = [v for (_, s), v in found(engine, config).items() if s == key]
    assert confidence is Confidence.LOW and "public-by-design" in reasons
    [(confidence, _)] = [v for (_, s), v in found(engine, f'GEMINI_API_KEY="{key}"\n').items() if s == key]
    assert confidence.at_least(Confidence.MEDIUM)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"DATABASE_URL=postgresql://app:{fake(14, 20)}@localhost:5432/app", "localhost"),
        ("DATABASE_URL=postgresql://postgres:postgres@db.internal:5432/app", "placeholder-like"),
        ("mysql://root:root@127.0.0.1:3306/test", "localhost"),
    ],
)
def test_local_or_trivial_database_logins_are_low(engine, text, reason):
    results = [v for (rule, _), v in found(engine, text).items() if rule.endswith("-url-password")]
    assert results and all(c is Confidence.LOW and reason in r for c, r in results)


def test_real_looking_database_login_is_medium_or_better(engine):
    text = f"DATABASE_URL=postgresql://rag_app:{fake(15, 20)}@pg-prod.internal.acme.dev:5432/vectors"
    [(confidence, reasons)] = found(engine, text).values()
    assert confidence.at_least(Confidence.MEDIUM) and "localhost" not in reasons


@pytest.mark.parametrize(
    "text",
    [
        'api_key = "sha512-' + fake(16, 40) + '"',
        'password_route = "/account/reset-password/confirm"',
        'secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"',
        'token = "text-embedding-3-small"',
        'api_key = settings.OPENAI_API_KEY',
        'client_secret = ClientSecretCredential',
        'SECRET_KEY = "projects/acme/secrets/django/versions/3"',
        'auth_token = "v2.3.11"',
    ],
)
def test_generic_values_that_are_code_or_shapes_are_not_reported(engine, text):
    assert not [k for k in found(engine, text) if k[0].startswith("generic-")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('api_key = "test-key-9f8a7b6c5d4e3f2a"', "placeholder-like"),
        ('API_KEY=your-api-key-8f7e6d5c4b3a', "placeholder-like"),
        ('csrf_token = "' + fake(17, 32) + '"', "public-by-design"),
        ('password = "' + fake(18, 12) + '" + suffix', "expression"),
    ],
)
def test_generic_placeholders_public_values_and_expressions_are_low(engine, text, reason):
    results = [v for k, v in found(engine, text).items() if k[0].startswith("generic-")]
    assert results and all(c is Confidence.LOW and reason in r for c, r in results)


def test_generic_issued_looking_literal_is_medium(engine):
    [(confidence, reasons)] = found(engine, f'JWT_SECRET="{fake(19, 40)}"\n').values()
    assert confidence is Confidence.MEDIUM
    assert reasons == ("keyword-context", "entropy")


def test_minified_line_is_low(engine):
    value = fake(20, 40)
    line = "var a=1;" * 400 + f'var api_key="{value}";' + "var b=2;" * 10
    results = [v for k, v in found(engine, line).items() if k[1] == value]
    assert results and all(c is Confidence.LOW and "minified" in r for c, r in results)
