"""The engine never raises, whatever the input: random bytes and adversarial long lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from secret_sprawl.detectors.engine import Engine, build_engine
from secret_sprawl.detectors.prefilter import available_backends


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.fixture(scope="module")
def keywords(engine) -> list[str]:
    return sorted({keyword for rule in engine.catalog.rules for keyword in rule.keywords})


def check(engine: Engine, data: bytes | str) -> None:
    blob = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    for match in engine.scan(data):
        assert 0 <= match.start < match.end <= len(blob)
        assert match.line >= 1 and match.column >= 1
        assert len(match.fingerprint) == 64


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes(engine, data):
    check(engine, data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2048))
def test_random_text_including_surrogates(engine, text):
    check(engine, text)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    repeat=st.integers(1, 400),
    joiner=st.sampled_from(["", " ", "=", "\r", "\n", "é", "\x00"]),
)
def test_adversarial_keyword_dense_lines(engine, keywords, data, repeat, joiner):
    parts = data.draw(st.lists(st.sampled_from(keywords), min_size=1, max_size=8))
    tail = data.draw(st.text(alphabet="Aa0_-+/=.:\"'", max_size=64))
    line = joiner.join(part + tail for part in parts) * repeat
    check(engine, line)
    check(engine, line.encode("utf-8")[: len(line) // 2])  # cut anywhere, even inside a character


@pytest.mark.parametrize("backend", available_backends())
def test_backends_agree_on_adversarial_input(engine, keywords, backend):
    other = Engine(engine.catalog, prefilter=backend)
    line = " ".join(f"{keyword}{keyword.upper()}A1b2C3d4E5f6G7h8" for keyword in keywords) * 5
    assert other.scan(line) == engine.scan(line)
