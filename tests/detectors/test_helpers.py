"""The engine's small parts on their own: redaction, fingerprints, entropy, lines, JWT, selftest."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.entropy import shannon_entropy
from secret_sprawl.detectors.jwt import jwt_lifetime
from secret_sprawl.detectors.lines import DecodedBlob, LineIndex
from secret_sprawl.detectors.prefilter import available_backends, build_prefilter
from secret_sprawl.detectors.redact import fingerprint, redact
from secret_sprawl.detectors.selftest import check_rule

from tests.detectors.helpers import fake, rule_table


def test_redact_shows_at_most_four_and_two_characters():
    secret = "sk-p" + fake(21, 45) + "Xz"
    assert redact(secret) == "sk-p…Xz (51 chars)"
    assert redact("abcdefghijkl") == "abc…l (12 chars)"


def test_redact_masks_short_secrets_fully():
    assert redact("hunter22") == "•••• (8 chars)"
    assert "pass" not in redact("passw0rd!")


def test_redact_multiline_keeps_only_the_pem_armor_line():
    body = fake(22, 64)
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    shown = redact(pem)
    assert shown == f"-----BEGIN RSA PRIVATE KEY-----… ({len(pem)} chars)"
    assert body[:8] not in redact(f"{body}\n{body}")


def test_fingerprint_is_sha256_of_the_value_and_matches_raw_bytes():
    secret = "tok_" + fake(23)
    assert fingerprint(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert fingerprint(secret.encode()) == fingerprint(secret)
    escaped = b"ab\xffcd".decode("utf-8", "surrogateescape")
    assert fingerprint(escaped) == hashlib.sha256(b"ab\xffcd").hexdigest()


def test_shannon_entropy():
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abab") == pytest.approx(1.0)
    assert shannon_entropy("0123456789abcdef") == pytest.approx(4.0)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_index_across_line_endings(newline):
    data = newline.join([b"one", b"", b"three", b"four"])
    index = LineIndex(data)
    assert index.locate(0) == (1, 1)
    assert index.locate(data.index(b"three") + 2) == (3, 3)
    assert index.locate(data.index(b"four")) == (4, 1)
    assert index.locate(len(data)) == (4, 5)
    assert index.locate(data.index(b"three")) == (3, 1)  # going backwards starts over
    start = data.index(b"three")
    assert data[index.line_start(start + 3) : index.line_end(start + 3)] == b"three"


def test_line_index_offset_between_cr_and_lf_stays_on_its_line():
    data = b"ab\r\ncd"
    assert LineIndex(data).locate(3) == (1, 4)
    assert LineIndex(data).locate(4) == (2, 1)


def test_line_index_counts_characters_not_bytes():
    data = "x\nñandú = 1".encode()
    assert LineIndex(data).locate(data.index(b"=")) == (2, 7)


def _segment(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_jwt_lifetime_rules():
    header = _segment({"alg": "RS256"})
    now = 1_800_000_000
    assert jwt_lifetime(f"{header}.{_segment({'exp': now + 60})}.sig", now=now) == "short-lived"
    assert jwt_lifetime(f"{header}.{_segment({'exp': now + 86_400})}.sig", now=now) == "short-lived"
    assert jwt_lifetime(f"{header}.{_segment({'exp': now + 86_401})}.sig", now=now) == "long-lived"
    assert jwt_lifetime(f"{header}.{_segment({'iat': 1, 'exp': 3601})}.sig", now=now) == "short-lived"
    assert jwt_lifetime(f"{header}.{_segment({'exp': True})}.sig", now=now) == "long-lived"
    assert jwt_lifetime(f"{header}.{_segment({'exp': 10**400})}.sig", now=now) == "long-lived"
    assert jwt_lifetime(f"{header}.{_segment({'sub': 'x'})}.", now=now) == "long-lived"
    assert jwt_lifetime(f"{header}.e30.e30.e30.e30") == "unknown"  # JWE: claims are encrypted
    assert jwt_lifetime(f"{_segment({'typ': 'JWT'})}.{_segment({})}.sig") is None
    assert jwt_lifetime(f"{_segment([1])}.{_segment({})}.sig") is None
    assert jwt_lifetime(f"{header}.{_segment([1])}.sig") is None
    assert jwt_lifetime("eyJ!!.e30.sig") is None
    assert jwt_lifetime("only.two") is None


@pytest.mark.parametrize("backend", available_backends())
def test_prefilter_coalesces_nearby_hits_and_reports_overlaps(backend):
    prefilter = build_prefilter([b"key", b"keyring", b"ring"], gaps=[4, 4, 4], backend=backend)
    data = b"KEY key   key" + b" " * 20 + b"Keyring"
    spans = prefilter.scan(data)
    assert spans[0] == [[0, 13], [33, 36]]
    assert spans[1] == [[33, 40]]
    assert spans[2] == [[36, 40]]
    assert prefilter.scan(b"nothing") == {}
    assert prefilter.scan(b"") == {}


def test_unknown_prefilter_backend_is_refused():
    with pytest.raises(ValueError, match="unknown prefilter backend"):
        build_prefilter([b"a"], [1], backend="grep")


def test_selftest_reports_failing_examples_by_rule(write_rules):
    value = "zz_" + fake(24, 20)
    loose = rule_table(
        "loose-rule",
        r"(?P<secret>zz_[A-Za-z0-9]{4,10})",  # truncates the example's secret
        ["zz_"],
        examples=[{"text": f"k={value}", "secret": value}, {"text": f"v {value}", "secret": value}],
        negative_examples=["zz_ab", "zz_q7Rk2m"],
    )
    engine = Engine(load_catalog([write_rules([loose])], builtin=False))
    problems = check_rule(engine, engine.catalog.rules[0])
    assert len(problems) == 3
    assert all(problem.startswith("loose-rule: ") for problem in problems)
    assert "negative example 2" in problems[2]


def test_decoded_blob_converts_offsets_across_utf8_blocks():
    line = "naïve café ✓ 日本語 — "
    data = (line * 400).encode()  # several 4 KB blocks, characters straddling block edges
    blob = DecodedBlob(data)
    assert blob.text == line * 400
    for index in (0, 1, 5, 999, 4096, 4097, 5000, len(blob.text)):
        offset = len(blob.text[:index].encode())
        assert blob.byte_offset(index) == offset
        assert blob.char_index(offset) == index


def test_decoded_blob_reads_non_utf8_one_character_per_byte():
    data = b"caf\xe9 \xff\x00 key"
    blob = DecodedBlob(data)
    assert len(blob.text) == len(data)
    assert blob.char_index(9) == 9 and blob.byte_offset(9) == 9


def test_engine_spans_after_many_multibyte_characters(make_engine):
    rule = rule_table("tok-key", r"(?P<secret>tok_[A-Za-z0-9]{32})(?![A-Za-z0-9])", ["tok_"])
    engine = make_engine([rule])
    secret = "tok_" + fake(25)
    text = "日本語のテキスト " * 1000 + f"key={secret}\n"
    [match] = engine.scan(text)
    assert text.encode()[match.start : match.end] == secret.encode()
    assert match.column == len("日本語のテキスト " * 1000) + len("key=") + 1


def test_generic_rule_example_passes_when_a_specific_rule_reports_the_secret(write_rules):
    value = "zq_" + fake(31, 24)
    specific = rule_table("specific-zq", r"(?P<secret>zq_[A-Za-z0-9]{24})", ["zq_"],
                          examples=[{"text": f"k={value}", "secret": value}] * 2)
    generic = rule_table("generic-k", r"k=(?P<secret>[A-Za-z0-9_]{20,})", ["k="], generic=True,
                         examples=[{"text": f"k={value}", "secret": value}] * 2)
    other = fake(32, 24)
    lonely = rule_table("generic-j", r"j=(?P<secret>[A-Za-z0-9_]{20,})", ["j="], generic=True,
                        examples=[{"text": f"j={other}", "secret": other[:20]}] * 2)
    engine = Engine(load_catalog([write_rules([specific, generic, lonely])], builtin=False))
    rules = {rule.id: rule for rule in engine.catalog.rules}
    assert check_rule(engine, rules["generic-k"]) == []
    assert len(check_rule(engine, rules["generic-j"])) == 2  # no specific rule: its own match must fit
