"""The start-up cache: a validated catalog and a compiled Hyperscan database are stored by content
hash, reused by the next load, and never trusted when they are damaged or the rules changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from secret_sprawl.detectors import cache
from secret_sprawl.detectors.anchors import Anchor
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.prefilter import available_backends, build_prefilter
from secret_sprawl.detectors.search_plan import search_plan


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPRAWL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_catalog_is_cached_and_the_cached_one_equals_the_parsed_one(folder: Path) -> None:
    parsed = load_catalog()
    [entry] = folder.glob("catalog-*.json")
    cached = load_catalog()
    assert cached == parsed and cached.digest == parsed.digest
    entry.write_text("[{not json")  # damaged: parsed afresh and stored again
    assert load_catalog() == parsed
    assert entry.read_text().startswith("[{")
    assert folder.stat().st_mode & 0o077 == 0  # the owner's only


def test_a_changed_rules_file_gets_its_own_entry(folder: Path, tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(_RULE.format(n=1))
    first = load_catalog([rules])
    rules.write_text(_RULE.format(n=2))
    second = load_catalog([rules])
    assert first.by_id()["my-token"].pattern != second.by_id()["my-token"].pattern
    assert len(list(folder.glob("catalog-*.json"))) == 2


def test_engines_from_a_cached_catalog_find_the_same(folder: Path) -> None:
    text = b"token = ghp_" + b"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    fresh = Engine(load_catalog()).scan(text)
    assert Engine(load_catalog()).scan(text) == fresh


@pytest.mark.parametrize("anchored", [True, False])
def test_the_search_plan_is_cached_and_a_damaged_one_is_derived_again(folder: Path, anchored: bool) -> None:
    rules = load_catalog().rules
    first = search_plan(rules, anchored=anchored)
    [entry] = folder.glob("plan-*.json")
    assert search_plan(rules, anchored=anchored) == first
    assert any(isinstance(item, Anchor) for item in first) == anchored
    for damaged in ('[{"neither": 1}]', "[]", '{"anchor": 1}', "[3]"):
        entry.write_text(damaged)
        assert search_plan(rules, anchored=anchored) == first
        assert entry.read_text() != damaged


@pytest.mark.skipif("hyperscan" not in available_backends(), reason="hyperscan not installed")
def test_the_hyperscan_database_is_cached_and_a_damaged_one_is_rebuilt(folder: Path) -> None:
    keywords, gaps = [b"alpha", b"beta"], [8, 8]
    first = build_prefilter(keywords, gaps, "hyperscan").scan(b"xx alpha yy BETA")
    [entry] = folder.glob("hyperscan-*.db")
    assert build_prefilter(keywords, gaps, "hyperscan").scan(b"xx alpha yy BETA") == first
    entry.write_bytes(b"damaged")
    assert build_prefilter(keywords, gaps, "hyperscan").scan(b"xx alpha yy BETA") == first
    assert cache.read(entry.name) != b"damaged"


_RULE = '''
[[rules]]
id = "my-token"
name = "My token"
provider = "mine"
category = "saas"
lifetime = "long-lived"
lifetime_note = "never expires"
pattern = '(?P<secret>mytok_[a-z]{{{n}0}})'
keywords = ["mytok_"]
references = ["https://example.com"]
examples = [{{ text = "mytok_aaaaaaaaaa", secret = "mytok_aaaaaaaaaa" }},
            {{ text = "key mytok_bbbbbbbbbb", secret = "mytok_bbbbbbbbbb" }}]
negative_examples = ["nothing", "mytok_"]
'''
