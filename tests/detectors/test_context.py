"""Path context: which paths look like tests, docs, examples or vendored code, and what that does."""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.context import lower_for_path, path_context
from secret_sprawl.detectors.types import Confidence


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/unit/test_client.py", ("test-path",)),
        ("src/app/client_test.go", ("test-path",)),
        ("web/src/api.test.ts", ("test-path",)),
        ("conftest.py", ("test-path",)),
        ("public/test_chat.py", ()),
        ("pkg/testdata/creds.json", ("test-path",)),
        ("tests/cassettes/openai_chat.yaml", ("test-path",)),
        ("spec/fixtures/keys.yml", ("test-path",)),
        ("docs/guide/auth.md", ("docs-path",)),
        ("README.md", ("docs-path",)),
        ("docs/index.rst", ("docs-path",)),
        ("examples/rag/app.py", ("example-path",)),
        (".env.example", ("example-path",)),
        ("config/settings.sample.yaml", ("example-path",)),
        ("cookbook/notebooks/Quickstart.ipynb", ("example-path",)),
        ("docs/examples/quickstart.md", ("docs-path", "example-path")),
        ("node_modules/left-pad/index.js", ("vendored-path",)),
        ("static/js/app.min.js", ("vendored-path",)),
        ("dist/index.cjs", ("vendored-path",)),
        ("pnpm-lock.yaml", ("vendored-path",)),
        ("frontend/yarn.lock", ("vendored-path",)),
        ("package-lock.json", ("vendored-path",)),
        ("third_party/lib/tests/test_x.py", ("test-path", "vendored-path")),
        ("src/app/settings.py", ()),
        ("src/contest/latest.py", ()),
        ("src/attestation/config.yaml", ()),
        ("requirements.txt", ()),
        ("src/index.cjs", ()),
        ("Tests\\Unit\\KeyTest.php", ("test-path",)),
    ],
)
def test_path_context(path, expected):
    assert path_context(path) == expected


def test_vendored_drops_anything_to_low():
    confidence, reasons = lower_for_path(
        Confidence.HIGH, ("provider-format", "checksum-valid"), ("vendored-path",), generic=False
    )
    assert confidence is Confidence.LOW
    assert reasons == ("provider-format", "checksum-valid", "vendored-path")


def test_generic_value_in_tests_is_low_provider_value_one_level_lower():
    assert lower_for_path(Confidence.MEDIUM, ("keyword-context",), ("test-path",), generic=True) == (
        Confidence.LOW, ("keyword-context", "test-path"))
    entropy = ("provider-format", "entropy")
    assert lower_for_path(Confidence.HIGH, entropy, ("test-path",), generic=False)[0] is Confidence.LOW
    assert lower_for_path(Confidence.HIGH, ("provider-format", "checksum-valid"), ("test-path",),
                          generic=False)[0] is Confidence.MEDIUM
    assert lower_for_path(Confidence.HIGH, ("provider-format",), ("docs-path",), generic=False)[0] is (
        Confidence.MEDIUM)
    assert lower_for_path(Confidence.MEDIUM, ("provider-format",), ("example-path",), generic=False)[0] is (
        Confidence.LOW)


def test_no_path_reasons_changes_nothing():
    assert lower_for_path(Confidence.HIGH, ("provider-format",), (), generic=True) == (
        Confidence.HIGH, ("provider-format",))


def test_applying_path_reasons_twice_changes_nothing():
    once = lower_for_path(Confidence.HIGH, ("provider-format",), ("docs-path",), generic=False)
    assert once == (Confidence.MEDIUM, ("provider-format", "docs-path"))
    assert lower_for_path(*once, ("docs-path",), generic=False) == once
