"""Anchors: the start of a rule's pattern looked for by Hyperscan instead of its keywords."""

from __future__ import annotations

import re

import pytest
import regex
from secret_sprawl.detectors.anchors import anchor
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.prefilter import available_backends

from tests.detectors.helpers import fake, rule_table

ASSIGNED = r'''(?i:acme[_.-]?api[_.-]?key)["']?[ \t]{0,5}(?:=|:)[ \t]{0,5}["']?(?P<secret>[A-Za-z0-9]{32})'''


def _starts(found, text: str, rule) -> bool:
    """Whether the anchor matches where each match of the rule's pattern in ``text`` starts."""
    return all(re.match(found.expression, text[match.start():].encode("utf-8"))
               for match in regex.finditer(rule.pattern, text))


def test_every_catalog_anchor_matches_where_each_example_match_starts():
    anchored = 0
    for rule in load_catalog().rules:
        found = anchor(rule.pattern, list(rule.keywords))
        if found is None:
            continue
        anchored += 1
        for example in rule.examples:
            assert _starts(found, example.text, rule), (rule.id, example.text)
    assert anchored >= 50  # the generic assignments and most provider-named key rules


def test_an_anchor_spells_both_cases_and_stops_at_what_it_cannot_say_in_bytes():
    found = anchor(ASSIGNED, ["acme"])
    assert found is not None
    value = fake(52, 20)
    for text in (f'ACME_API_KEY = "{value}', f"acme.apikey:'{value}", f"Acme-Api-Key={value}"):
        assert re.match(found.expression, text.encode()), text
    assert not re.match(found.expression, f"acme_api_key.get({value}".encode())  # no assignment: no hit
    # The secret's 32-character class is a repeat over the limit: only its first 16 are looked for.
    assert found.expression.endswith(b"{16}")
    assert found.width == len("acme_api_key'") + 5 + len("=") + 5 + len("'") + 16  # its widest text
    # A negated class (one character may be several bytes) ends the anchor before it.
    stopped = anchor(r"acme[_-]secret[^\s]{0,5}=(?P<secret>\w{8})", ["acme"])
    assert stopped is not None and re.fullmatch(stopped.expression, b"acme_secret")
    assert not re.match(stopped.expression, b"ACME_secret")  # a case-sensitive pattern stays so


def test_no_anchor_where_a_match_need_not_hold_a_keyword_or_is_no_narrower():
    # Keyword "acme" opens windows in which a client_secret assignment is searched: an anchor on
    # "client_secret=" would find matches far from any "acme", which the rule never reported.
    assert anchor(r"client_secret=(?P<secret>[a-z0-9]{32})", ["acme"]) is None
    # Nothing after the keyword narrows it: the keyword serves as well.
    assert anchor(r"(?P<secret>acme_[A-Za-z0-9]{40})", ["acme_"]) is None
    # Syntax only the regex module knows: no anchor (keywords are used).
    assert anchor(r"acme_key\p{L}=(?P<secret>x{8})", ["acme"]) is None


@pytest.mark.skipif("hyperscan" not in available_backends(), reason="anchors are a Hyperscan feature")
def test_an_anchored_rule_opens_windows_only_where_its_pattern_can_start(make_engine):
    secret = fake(51, 32)
    examples = [{"text": f"ACME_API_KEY={secret}", "secret": secret}] * 2
    table = rule_table("acme-key", ASSIGNED, ["acme"], examples=examples)
    docs = "".join(f"See the acme guide, chapter {n}.\n" for n in range(200))
    for backend in available_backends():
        engine = make_engine([table], prefilter=backend)
        assert [m.secret for m in engine.scan(f"{docs}acme_api_key: '{secret}'\n")] == [secret]
        hits = engine.compiled.prefilter.scan(docs.encode())
        assert (hits == {}) == (backend == "hyperscan")  # the others look for the keyword "acme"


@pytest.mark.skipif("hyperscan" not in available_backends(), reason="anchors are a Hyperscan feature")
def test_a_rule_whose_anchor_hyperscan_refuses_is_looked_for_by_its_keywords(make_engine):
    # Nested repeats whose bounds multiply past Hyperscan's limit: the anchor translates, Hyperscan
    # refuses it ("Bounded repeat is too large"); the rule keeps its keyword instead of failing the scan.
    pattern = r"acme_key(?:(?:(?:(?:[a-z]{0,16}-){0,16}\.){0,16}:){0,16};){0,16}=(?P<secret>[A-Za-z0-9]{32})"
    assert anchor(pattern, ["acme_"]) is not None
    secret = fake(53, 32)
    table = rule_table("nested-acme", pattern, ["acme_"],
                       examples=[{"text": f"acme_key={secret}", "secret": secret}] * 2)
    engine = make_engine([table], prefilter="hyperscan")
    assert engine.compiled.rules[0].keywords[0] < len(engine.compiled.prefilter.keywords)  # a keyword id
    assert [m.secret for m in engine.scan(f"x acme_key={secret}\n")] == [secret]
