"""Keywords looked for in one exact case or at a word's start: proven from the pattern, never a lost match."""

from __future__ import annotations

import re

import pytest
from secret_sprawl.detectors.literals import KeywordForm, keyword_forms
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
    assert {keyword for keyword, form in keyword_forms(pattern, keywords).items() if form.exact} == exact


@pytest.mark.parametrize(("pattern", "keyword", "word_start"), [
    (r"(?<![A-Za-z0-9_-])(?P<secret>sk_[a-f0-9]{48})", "sk_", True),  # a look-behind refusing word characters
    (r"\b(?P<secret>hf_[A-Za-z0-9]{34})", "hf_", True),
    (r"(?<![A-Za-z0-9_.-])(?=[a-z_]{3})(?P<secret>eyJ[A-Za-z0-9]{8})", "eyJ", True),  # a look-ahead between
    (r"(?<![A-Za-z-])(?P<secret>sk_[a-f0-9]{48})", "sk_", False),  # digits and '_' may come before
    (r"(?<![A-Za-z0-9_])x(?P<secret>sk_[a-f0-9]{48})", "sk_", False),  # the run starts with x, not sk_
    (r"(?<![A-Za-z0-9_])(?P<secret>[0-9]{8}:AA[A-Za-z0-9]{33})", ":AA", False),  # not at the run's start
    (r"(?<![A-Za-z0-9_])(?:sk_[a-f0-9]{4})+", "sk_", False),  # a repeat's later rounds follow the last
    (r"(?<![A-Za-z0-9_])(?P<secret>-key-[a-f0-9]{4})", "-key-", False),  # starts with no word character
])
def test_word_start_keywords_are_those_no_word_character_may_precede(pattern, keyword, word_start):
    assert keyword_forms(pattern, [keyword])[keyword].word_start is word_start


@pytest.mark.parametrize("backend", available_backends())
def test_an_exact_keyword_is_found_in_its_case_and_a_caseless_one_in_any(backend):
    prefilter = build_prefilter([b"EAA", b"eaa"], gaps=[0, 0], backend=backend,
                                forms=[KeywordForm(exact=True), KeywordForm()])
    spans = prefilter.scan(b"sha256:3eaa91 EAAB")
    assert spans[1] == [[8, 11], [14, 17]]  # caseless: both
    if backend == "hyperscan":  # the backend that tells cases apart
        assert spans[0] == [[14, 17]]
    else:  # the others report every case: more windows, the same findings
        assert spans[0] == [[8, 11], [14, 17]]


@pytest.mark.parametrize(("pattern", "keyword", "word_end"), [
    (r"(?i)token[\"'\]]{0,2}[ \t]{0,5}(?:=|:=|:|=>)[ \t]{0,5}(?P<q>[\"'])(?P<secret>\w{8,})(?P=q)", "token",
     True),
    (r"(?i)token[ \t]*[:=](?P<secret>\w{8,})|(?P<secret>x{9})", "token", False),  # the other branch
    (r"(?i)token[\"'\w]{0,2}=(?P<secret>\w{8,})", "token", False),  # a word character may follow
    (r"(?i)token(?:[ \t]{0,5})?(?P<secret>\w{8,})", "token", False),  # may be followed by the secret itself
    (r"[a-z]{4}\.logic\.azure\.com/", ".logic.azure.com", True),
    (r"([a-z]{4}\.logic\.azure\.com)/", ".logic.azure.com", False),  # not looked past a group's end
])
def test_word_end_keywords_are_those_no_word_character_may_follow(pattern, keyword, word_end):
    assert keyword_forms(pattern, [keyword])[keyword].word_end is word_end


def test_a_keyword_takes_the_form_of_one_place_it_holds_never_a_mix_of_two():
    # Exact (upper case) in the first place, after a boundary (but any case) in the second: every
    # match has both places, but no single hit need be both exact and at a word's start.
    form = keyword_forms(r"xTOKx[0-9]{4}(?<![A-Za-z0-9_])(?i:tok)[0-9]", ["TOK"])["TOK"]
    assert form in (KeywordForm(exact=True), KeywordForm(word_start=True))


@pytest.mark.parametrize("backend", available_backends())
def test_a_word_start_keyword_is_not_found_inside_a_word(backend):
    prefilter = build_prefilter([b"sk_"], gaps=[0], backend=backend, forms=[KeywordForm(True, True)])
    data = "task_id = 1; k=sk_1; ésk_2 -sk_3".encode()
    starts = [start for start, _ in prefilter.scan(data)[0]]
    after_word_character = data.index(b"sk_")  # inside "task_"
    everywhere = [found.start() for found in re.finditer(b"sk_", data)]
    if backend == "hyperscan":  # after '=', after 'é' (Python's pattern takes it), after '-'
        assert starts == [start for start in everywhere if start != after_word_character]
    else:
        assert starts == everywhere


_NOISE = {
    "token": "".join(f"max_tokens = tokenizer.count_tokens(x{index})\n" for index in range(300)),
    "sk_": "".join(f"task_{index} = mask_{index} + risk_{index}\n" for index in range(300)),
    "EAA": "".join(f'hash = "sha256:eaa{fake(index, 57, "0123456789abcdef")}"\n' for index in range(200)),
}


@pytest.mark.parametrize(("keyword", "pattern", "secret"), [
    ("token", r"(?i)token[ \t]{0,5}[:=][ \t]{0,5}(?P<secret>[A-Za-z0-9]{20,40})", fake(44, 30)),  # word end
    ("sk_", r"(?<![A-Za-z0-9_-])(?P<secret>sk_[a-f0-9]{48})(?![A-Za-z0-9_-])",
     "sk_" + fake(43, 48, "0123456789abcdef")),  # word start
    ("EAA", r"(?<![A-Za-z0-9])(?P<secret>EAA[A-Za-z0-9]{40})(?![A-Za-z0-9])", "EAA" + fake(31, 40)),  # exact
])
def test_code_and_hashes_full_of_a_keyword_open_no_windows_yet_the_secret_is_found(make_engine, keyword,
                                                                                   pattern, secret):
    noise = _NOISE[keyword]
    blob = f"{noise}{keyword.upper()}: {secret}\n{noise}"
    for backend in available_backends():
        engine = make_engine([rule_table("narrow", pattern, [keyword])], prefilter=backend)
        assert [m.secret for m in engine.scan(blob)] == [secret], backend
        assert engine.scan(noise) == []
        if backend == "hyperscan":  # the backend that tells cases and word boundaries apart
            assert engine.compiled.prefilter.scan(noise.encode()) == {}
