"""Compiled patterns from the cache: the same matches as ``regex.compile`` for every catalog pattern,
and a damaged or foreign entry is never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.patterns import Patterns


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPRAWL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _outcomes(pattern: regex.Pattern, texts: list[str]) -> list[list[tuple[tuple[int, int], dict]]]:
    return [[(found.span(), found.groupdict()) for found in pattern.finditer(text)] for text in texts]


def test_every_catalog_pattern_from_the_cache_matches_as_regex_compile_does(folder: Path) -> None:
    rules = load_catalog().rules
    texts = [example.text for rule in rules for example in rule.examples][:400]
    texts += [negative for rule in rules for negative in rule.negative_examples][:200]
    Patterns([rule.pattern for rule in rules])._load()  # records and stores the table
    [entry] = folder.glob("regex-*.marshal")
    cached = Patterns([rule.pattern for rule in rules])  # a new process's view: read from the entry
    for rule in rules:
        fresh = regex.compile(rule.pattern)
        loaded = cached.compile(rule.pattern)
        assert loaded is not fresh and loaded.groupindex == fresh.groupindex
        assert _outcomes(loaded, texts) == _outcomes(fresh, texts), rule.id
    assert entry.stat().st_size > 0


def test_a_damaged_entry_or_an_unknown_pattern_compiles_normally(folder: Path) -> None:
    patterns = [r"(?P<secret>abc_[0-9]{4})", r"(?i)token\s*=\s*(?P<secret>\w{8})"]
    Patterns(patterns)._load()
    [entry] = folder.glob("regex-*.marshal")
    entry.write_bytes(b"\x00damaged")
    again = Patterns(patterns)
    assert again.compile(patterns[0]).search("x abc_1234").group("secret") == "abc_1234"
    assert again.compile(r"other_(\d+)").search("other_7").group(1) == "7"
    assert entry.read_bytes() != b"\x00damaged"  # recorded afresh


def test_a_changed_pattern_set_gets_its_own_entry(folder: Path) -> None:
    Patterns([r"a+b"])._load()
    Patterns([r"a+c"])._load()
    assert len(list(folder.glob("regex-*.marshal"))) == 2
