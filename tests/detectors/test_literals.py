"""Keywords looked for in one exact case: proven from the pattern, never a lost match."""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.literals import exact_keywords
from secret_sprawl.detectors.prefilter import available_backends, build_prefilter

from tests.detectors.helpers import fake, rule_table


@pytest.mark.parametrize(("pattern", "keywords", "exact"), [
    (r"(?<![A-Za-z0-9])(?P<secret>EAA[A-Za-z0-9]{100,400})(?![A-Za-z0-9])", ["EAA"], {"EAA"}),
    (r"(?P<secret>[0-9]{8,10}:AA[A-Za-z0-9_-]{33})", [":AA"], {":AA"}),  # a run after a class
    (r"(?i)token[ \t]*=[ \t]*(?P<secret>\w{8,})", ["token"], set()),  # case-insensitive throughout
    (r"(?i:sfdc)[ =]+(?P<secret>00D[A-Za-z0-9]{15})", ["sfdc", "00D"], {"00D"}),  # a scoped (?i:)
    (r"(?P<secret>sq0atp-[A-Za-z0-9]{22}|EAAA[A-Za-z0-9]{60})", ["sq0atp-", "EAAA"], set()),  # either branch
    (r"(?:prefix-)?(?P<secret>abc[0-9]{4})", ["prefix-", "abc"], {"abc"}),  # an optional part is not required
    (r"(?:AKIA[A-Z0-9]{4}){1,2}", ["AKIA"], {"AKIA"}),  # a repeat taken at least once
    (r"(?P<s>a)|(?P<s>b)", ["a"], set()),  # syntax only the regex module accepts: stay caseless
])
def test_exact_keywords_are_those_every_match_holds_in_that_case(pattern, keywords, exact):
    assert exact_keywords(pattern, keywords) == exact


@pytest.mark.parametrize("backend", available_backends())
def test_an_exact_keyword_is_found_in_its_case_and_a_caseless_one_in_any(backend):
    prefilter = build_prefilter([b"EAA", b"eaa"], gaps=[0, 0], backend=backend, exact=[True, False])
    spans = prefilter.scan(b"sha256:3eaa91 EAAB")
    assert spans[1] == [[8, 11], [14, 17]]  # caseless: both
    if backend == "hyperscan":  # the backend that tells cases apart
        assert spans[0] == [[14, 17]]
    else:  # the others report every case: more windows, the same findings
        assert spans[0] == [[8, 11], [14, 17]]


def test_lower_case_hex_no_longer_opens_windows_for_an_upper_case_prefix(make_engine):
    meta = rule_table("meta-like", r"(?<![A-Za-z0-9])(?P<secret>EAA[A-Za-z0-9]{40})(?![A-Za-z0-9])", ["EAA"])
    token = "EAA" + fake(31, 40)
    hexes = (fake(index, 57, "0123456789abcdef") for index in range(200))
    lock = "".join(f'hash = "sha256:eaa{digits}"\n' for digits in hexes)
    for backend in available_backends():
        engine = make_engine([meta], prefilter=backend)
        assert [m.secret for m in engine.scan(lock + f"TOKEN={token}\n" + lock)] == [token], backend
        assert engine.scan(lock.replace("eaa", "EAa")) == []
        if backend == "hyperscan":
            assert engine.compiled.prefilter.scan(lock.encode()) == {}  # not one window in the hashes
