"""Windows searched without a match are not searched again, and the memory of them never hides a match:
the text a look-behind reads before the window is part of what is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.quiet import QuietWindows, lookbehind_reach


@pytest.mark.parametrize(("pattern", "reach"), [
    (r"(?P<secret>abc)", 1),
    (r"(?<![A-Za-z0-9_-])(?P<secret>abc)", 2),
    (r"(?<=\bcurl\s[^\n]{0,300}?)(?P<secret>abc)(?<!x)", 1 + 4 + 1 + 300 + 1),
    (r"(?<=[(\]])(?P<secret>abc)", 2),
    (r"(?<=a+)(?P<secret>abc)", None),  # the regex module allows it; its width has no bound
    (r"(?<=\p{L})(?P<secret>abc)", None),  # not measurable here: never remembered
])
def test_lookbehind_reach(pattern: str, reach: int | None) -> None:
    assert lookbehind_reach(pattern) == reach


_RULE = '''
[[rules]]
id = "after-allow"
name = "Token after an ALLOW line"
provider = "mine"
category = "saas"
lifetime = "long-lived"
lifetime_note = "never expires"
pattern = '(?<=ALLOW\\n[ ]{0,40})(?P<secret>tok_[a-z]{10})'
keywords = ["tok_"]
window = 16
references = ["https://example.com"]
examples = [{ text = "ALLOW\\ntok_abcdefghij", secret = "tok_abcdefghij" },
            { text = "x\\nALLOW\\ntok_klmnopqrst", secret = "tok_klmnopqrst" }]
negative_examples = ["DENY\\ntok_abcdefghij", "ALLOW tok_abcdefghij"]
'''


def test_the_same_window_after_different_text_is_searched_again(tmp_path: Path) -> None:
    rules = tmp_path / "after.toml"
    rules.write_text(_RULE)
    catalog = load_catalog([rules])
    engine = Engine(catalog)
    window = b" " * 40 + b"tok_abcdefghij\n" + b"x = 1\n" * 20  # the window starts in the spaces
    for _ in range(2):  # the second time from memory
        assert not [m for m in engine.scan(b"DENY!\n" + window) if m.rule_id == "after-allow"]
    found = [m.secret for m in engine.scan(b"ALLOW\n" + window) if m.rule_id == "after-allow"]
    assert found == ["tok_abcdefghij"]
    assert len(engine.compiled.quiet._seen) >= 1  # the DENY window was remembered


class _Forgetful(QuietWindows):
    def add(self, key: int) -> None:
        return None


def test_remembered_windows_change_no_match_of_the_catalog() -> None:
    catalog = load_catalog()
    texts = [example.text.encode() for rule in catalog.rules for example in rule.examples]
    texts += [negative.encode() for rule in catalog.rules for negative in rule.negative_examples]
    forgetful = Engine(catalog)
    forgetful.compiled.quiet = _Forgetful()
    fresh = [forgetful.scan(text) for text in texts]
    engine = Engine(catalog)
    for _ in range(2):  # every window seen twice: the second pass is served by what was remembered
        assert [engine.scan(text) for text in texts] == fresh
