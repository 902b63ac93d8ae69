"""The matching engine on synthetic rules: spans, positions, filters, overlaps, pickling, backends."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import random
import time

import pytest
import regex
from secret_sprawl.detectors.catalog import CatalogError, load_catalog
from secret_sprawl.detectors.engine import Engine, build_engine
from secret_sprawl.detectors.prefilter import available_backends, build_prefilter

from tests.detectors.helpers import fake, rule_table

TOK = rule_table(
    "tok-key",
    r"(?<![A-Za-z0-9_])(?P<secret>tok_[A-Za-z0-9]{32})(?![A-Za-z0-9_])",
    ["tok_"],
    min_entropy=3.0,
    allow=["(?i)x{6}"],
)
GENERIC = rule_table(
    "generic-token",
    r"""(?i)token\s{0,3}[:=]\s{0,3}["']?(?P<secret>[A-Za-z0-9_\-]{16,64})""",
    ["token"],
    generic=True,
    min_entropy=3.0,
)
CONTEXT = rule_table(
    "endpoint-key",
    r"(?P<endpoint>https://[a-z0-9-]{1,40}\.svc\.invalid)[^\s]{0,40}\s{1,4}key=(?P<secret>[a-f0-9]{32})",
    [".svc.invalid"],
)
SECRET = "tok_" + fake(1)


@pytest.fixture
def engine(make_engine) -> Engine:
    return make_engine([TOK, GENERIC, CONTEXT])


def only(matches, rule_id):
    return [m for m in matches if m.rule_id == rule_id]


def test_exact_span_fingerprint_and_str_bytes_agree(engine):
    text = f'config = {{"key": "{SECRET}"}}\n'
    [match] = engine.scan(text)
    data = text.encode()
    assert (match.rule_id, match.secret) == ("tok-key", SECRET)
    assert data[match.start : match.end] == SECRET.encode()
    assert match.fingerprint == hashlib.sha256(SECRET.encode()).hexdigest()
    assert engine.scan(data) == [match]


def test_line_and_column_across_line_endings(engine):
    for newline in ("\n", "\r\n", "\r"):
        text = newline.join(["first", "", f"  x={SECRET}", f"{SECRET}"])  # last line has no newline
        first, last = engine.scan(text)
        assert (first.line, first.column) == (3, 5), newline
        assert (last.line, last.column) == (4, 1), newline
        assert text.encode()[last.start : last.end] == SECRET.encode()


def test_column_counts_characters_after_multibyte_text(engine):
    text = f"# héllo wörld ✓ 日本\nnamé = '{SECRET}'"
    [match] = engine.scan(text)
    data = text.encode()
    assert data[match.start : match.end] == SECRET.encode()
    assert match.line == 2
    assert match.column == len("namé = '") + 1


def test_invalid_utf8_around_a_secret_keeps_offsets(engine):
    data = b"\xff\xfe garbage \xc3 " + SECRET.encode() + b" \x80\n"
    [match] = engine.scan(data)
    assert data[match.start : match.end] == SECRET.encode()
    assert match.column == len("\xff\xfe garbage \xc3 ") + 1


@pytest.mark.parametrize("marker", ["# sprawl:allow", "// gitleaks:allow", "# pragma: allowlist secret"])
def test_inline_suppression_on_the_same_line(engine, marker):
    text = f"key = '{SECRET}'  {marker}\nother = '{SECRET}'\n"
    [match] = engine.scan(text)
    assert match.line == 2


def test_suppression_marker_is_case_sensitive(engine):
    assert len(engine.scan(f"key = '{SECRET}'  # SPRAWL:ALLOW")) == 1


def test_generic_rule_yields_to_specific_on_overlapping_span(engine):
    specific = engine.scan(f"TOKEN = {SECRET}")
    assert [m.rule_id for m in specific] == ["tok-key"]
    value = fake(2, 24)
    generic = engine.scan(f"TOKEN = {value}")
    assert [(m.rule_id, m.secret) for m in generic] == [("generic-token", value)]


def test_exact_same_span_first_rule_in_catalog_order_wins(make_engine):
    twin = dict(TOK, id="tok-twin")
    engine = make_engine([TOK, twin])
    assert [m.rule_id for m in engine.scan(SECRET)] == ["tok-key"]
    engine = make_engine([twin, TOK])
    assert [m.rule_id for m in engine.scan(SECRET)] == ["tok-twin"]


def test_entropy_floor_and_allow_patterns_drop_placeholders(engine):
    low_entropy = "tok_" + "ab" * 16
    placeholder = "tok_" + fake(3, 20) + "XXXXXX" + fake(4, 6)
    assert engine.scan(f"a={low_entropy}\nb={placeholder}\n") == []
    assert len(engine.scan(f"c={SECRET}")) == 1


def test_extra_named_groups_become_context(engine):
    key = fake(5, 32, "0123456789abcdef")
    [match] = engine.scan(f"endpoint: https://my-model.svc.invalid/v1  key={key}")
    assert match.secret == key
    assert match.context == (("endpoint", "https://my-model.svc.invalid"),)


def test_keyword_must_be_near_the_match(make_engine):
    rule = rule_table(
        "ctx-key",
        r"(?P<secret>[A-Z]{4}[0-9]{12})(?![0-9])",
        ["myservice"],
        window=32,
    )
    engine = make_engine([rule])
    value = "ABCD" + fake(6, 12, "0123456789")
    assert [m.secret for m in engine.scan(f"myservice {value}")] == [value]
    # Same line but far away: the window extends to the line's end (up to another window).
    assert [m.secret for m in engine.scan(f"myservice{' ' * 40}{value}")] == [value]
    # Past the window and the line extension: not searched.
    assert engine.scan(f"myservice{' ' * 200}{value}") == []
    # Another line, far below: not searched.
    assert engine.scan("myservice\n" + "filler line\n" * 10 + value) == []


def test_pickle_round_trip_rebuilds_lazily(engine):
    text = f"x={SECRET} TOKEN = {fake(7, 24)}"
    payload = pickle.dumps(engine)
    assert len(payload) < 20_000  # the catalog only, not compiled patterns or automata
    clone = pickle.loads(payload)
    assert clone.scan(text) == engine.scan(text)
    assert len(engine.scan(text)) == 2


def _dense_blob(seed: int) -> str:
    rng = random.Random(seed)
    pieces = []
    for i in range(2000):
        choice = rng.random()
        if choice < 0.1:
            pieces.append("tok_" + fake(seed * 10_000 + i))
        elif choice < 0.2:
            pieces.append("tok_" + fake(i, rng.randint(5, 40)))  # near misses and longer tokens
        elif choice < 0.3:
            pieces.append(f"token={fake(i + 1, rng.randint(10, 30), 'abcdefgh0123_-')}")
        else:
            pieces.append(rng.choice(["foo", "bar(", "tok", "TOKEN", "_", "\n", "  ", "x=1;", "é"]))
    return rng.choice([" ", ""]).join(pieces)


@pytest.mark.parametrize("backend", available_backends())
def test_every_prefilter_backend_gives_the_same_matches(make_engine, backend):
    reference = make_engine([TOK, GENERIC, CONTEXT], prefilter="regex")
    engine = make_engine([TOK, GENERIC, CONTEXT], prefilter=backend)
    assert engine.prefilter_name == backend
    for seed in range(3):
        blob = _dense_blob(seed)
        assert engine.scan(blob) == reference.scan(blob)


def test_prefix_keywords_are_all_found_by_the_regex_fallback(make_engine):
    short = rule_table("sk-short", r"(?P<secret>sk-[a-z]{6})(?![a-z-])", ["sk-"])
    long = rule_table("sk-long", r"(?P<secret>sk-proj-[a-z]{6})(?![a-z])", ["sk-proj-"])
    text = "a sk-proj-abcdef b sk-ghijkl"
    for backend in available_backends():
        engine = make_engine([short, long], prefilter=backend)
        assert [(m.rule_id, m.secret) for m in engine.scan(text)] == [
            ("sk-long", "sk-proj-abcdef"),
            ("sk-short", "sk-ghijkl"),
        ], backend


def test_windows_find_what_a_whole_blob_search_finds(make_engine):
    """Window-only matching must agree with running the rule over the whole blob."""
    engine = make_engine([TOK])
    pattern = regex.compile(TOK["pattern"])
    for seed in range(5):
        blob = _dense_blob(seed)
        expected = [
            m.group("secret")
            for m in pattern.finditer(blob)
            if "xxxxxx" not in m.group("secret").lower()
        ]
        assert [m.secret for m in engine.scan(blob)] == expected
        assert expected


def test_keyword_dense_single_line_is_handled(engine):
    near_misses = " ".join(f"tok_{fake(i, 31)} token=ab" for i in range(3000))
    line = f"{near_misses} key={SECRET} {near_misses}"
    assert [m.secret for m in engine.scan(line)] == [SECRET]


def test_no_keyword_no_match(engine):
    assert engine.scan(b"") == []
    assert engine.scan("nothing to see here\n" * 100) == []


def _segment(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _jwt(header: dict, claims: dict) -> str:
    return f"{_segment(header)}.{_segment(claims)}.{fake(8, 43, ALPHABET_B64URL)}"


ALPHABET_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
JWT_RULE = rule_table(
    "test-jwt",
    r"(?<![A-Za-z0-9_-])(?P<secret>eyJ[A-Za-z0-9_-]{5,2000}\.[A-Za-z0-9_-]{2,4000}\.[A-Za-z0-9_-]{0,1000})",
    ["eyJ"],
    decoder="jwt",
)


def test_jwt_lifetime_comes_from_exp(make_engine):
    engine = make_engine([JWT_RULE])
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    cases = {
        _jwt(header, {"sub": "svc", "iat": now, "exp": now + 3600}): "short-lived",
        _jwt(header, {"sub": "svc", "iat": now, "exp": now + 90 * 86400}): "long-lived",
        _jwt(header, {"sub": "svc", "exp": now + 600}): "short-lived",
        _jwt(header, {"sub": "svc", "exp": now + 30 * 86400}): "long-lived",
        _jwt(header, {"sub": "svc"}): "long-lived",
    }
    for token, lifetime in cases.items():
        [match] = engine.scan(f"Authorization: Bearer {token}")
        assert (match.secret, match.lifetime) == (token, lifetime)


def test_jwt_decoder_drops_tokens_without_a_json_header_with_alg(make_engine):
    engine = make_engine([JWT_RULE])
    no_alg = _jwt({"typ": "JWT"}, {"sub": "x"})
    not_json = "eyJub3QganNvbg." + _segment({"sub": "x"}) + ".c2ln"
    bad_payload = _segment({"alg": "none"}) + ".bm90IGpzb24" + ".c2ln"
    assert engine.scan(f"{no_alg}\n{not_json}\n{bad_payload}") == []
    # Other matches have no decoded lifetime.
    assert all(m.lifetime is None for m in engine.scan(f"x={SECRET}"))


def test_build_engine_caches_per_catalog_and_takes_extra_rules(write_rules):
    extra = write_rules([dict(TOK, id="user-tok-key")])
    first = build_engine([extra])
    assert build_engine([extra]) is first
    assert build_engine() is not first
    assert any(m.rule_id == "user-tok-key" for m in first.scan(f"k={SECRET}"))


def _login_url_rule(requires: str) -> dict[str, object]:
    return rule_table("url-login", r"(?P<secret>https://[a-z]{2,20}:[A-Za-z0-9]{8,40}@[a-z.]{3,60})", ["https://"],
                      requires=requires,
                      examples=[{"text": "x https://ci:" + fake(41, 20) + "@pypi.acme.dev",
                                 "secret": "https://ci:" + fake(41, 20) + "@pypi.acme.dev"}] * 2)


def test_a_blob_without_what_the_rule_requires_is_not_searched_for_it(make_engine):
    secret = "https://ci:" + fake(42, 20) + "@pypi.acme.dev"
    engine = make_engine([_login_url_rule(r"://[^:@/\s]{1,400}:[^@/\s]{3,800}@")])
    lock = "".join(f'url = "https://files.acme.dev/{fake(i, 30)}.whl"\n' for i in range(300))
    assert [m.secret for m in engine.scan(lock + secret + "\n")] == [secret]
    assert engine.scan(lock) == []
    # What decides is the requires pattern: one that this blob lacks turns the rule off for it.
    blind = make_engine([_login_url_rule(r"://ci:")])
    assert blind.scan(lock + secret.replace("://ci:", "://cj:") + "\n") == []


@pytest.mark.parametrize("backend", available_backends())
def test_a_met_requirement_searches_every_hit_of_a_keyword_only_required_rules_use(make_engine, backend):
    # Hyperscan reports such a keyword (here https://) once per blob; where the blob holds what the
    # rule requires, every hit is then located, so a credential far from the first URL is found.
    secrets = ["https://ci:" + fake(43 + i, 20) + "@pypi.acme.dev" for i in range(2)]
    engine = make_engine([_login_url_rule(r"://[^:@/\s]{1,400}:[^@/\s]{3,800}@")], prefilter=backend)
    lock = "".join(f'url = "https://files.acme.dev/{fake(i, 30)}.whl"\n' for i in range(300))
    assert [m.secret for m in engine.scan(f"{lock}{secrets[0]}\n{lock}{secrets[1]}\n")] == secrets


@pytest.mark.skipif("hyperscan" not in available_backends(), reason="hyperscan not installed")
def test_hyperscan_looks_for_required_patterns_and_leaves_refused_ones_to_the_engine(make_engine):
    prefilter = build_prefilter([b"key"], [0], "hyperscan", present=[rb"://[a-z]+:[a-z]+@"])
    spans = prefilter.scan(b"key https://ab:cd@host https://ef:gh@host")
    assert spans[0] == [[0, 3]] and len(spans[1]) == 1  # a required pattern: once, whatever its count
    assert prefilter.scan(b"key https://host") == {0: [[0, 3]]}
    refused = build_prefilter([b"key"], [0], "hyperscan", present=[rb"(?:ci)?"])  # matches nothing at all
    assert refused.present == () and refused.scan(b"key") == {0: [[0, 3]]}
    secret = "https://ci:" + fake(44, 20) + "@pypi.acme.dev"
    for requires in (r"://[^:@/\s]{1,400}:[^@/\s]{3,800}@", r"(?:ci)?"):
        engine = make_engine([_login_url_rule(requires)], prefilter="hyperscan")
        assert [m.secret for m in engine.scan(f"x {secret}\n")] == [secret]
        assert engine.scan("x https://pypi.acme.dev/simple\n") == []


@pytest.mark.parametrize("backend", available_backends())
def test_first_only_keywords_are_reported_once_by_backends_that_can(backend):
    prefilter = build_prefilter([b"https://", b"key"], gaps=[0, 0], backend=backend, first_only=[True, False])
    spans = prefilter.scan(b"https://a.dev https://b.dev key key")
    assert spans[0] == ([[0, 8]] if prefilter.reports_first_only else [[0, 8], [14, 22]])
    assert spans[1] == [[28, 31], [32, 35]]


def test_requires_is_checked_against_every_example(write_rules):
    with pytest.raises(CatalogError, match="has no match of requires"):
        load_catalog([write_rules([_login_url_rule(r"://nobody:")])], builtin=False)
    with pytest.raises(CatalogError, match="requires pattern does not compile"):
        load_catalog([write_rules([_login_url_rule(r"://(")])], builtin=False)
