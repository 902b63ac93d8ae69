"""What a file's path says about the values found in it: tests, docs, examples or vendored code.

``path_context(path)`` returns reason words for a finding's path (relative, POSIX separators):

- ``test-path``: tests, specs, fixtures, cassettes, testdata, mocks (``tests/``, ``test_x.py``,
  ``x.test.ts``, ``conftest.py``, ``__snapshots__``);
- ``docs-path``: documentation (``docs/``, ``*.md``, ``*.rst``, ``*.mdx``, ``*.adoc``);
- ``example-path``: samples, examples, demos, cookbooks, templates (``.env.example``,
  ``config.sample.yaml``);
- ``vendored-path``: code nobody here wrote or generated output (``node_modules/``, ``vendor/``,
  ``third_party/``, ``dist/``, ``*.min.js``, bundled ``*.cjs``, source maps, lockfiles).

``lower_for_path(confidence, reasons, path_reasons, generic=...)`` applies them: a vendored or test
path, or a generic rule's value in a docs or example path, drops to low (test fixtures are made-up
keys, mTLS test keys and webhook secrets of unit tests), except a value whose checksum proves the
provider issued it, which drops one level; a provider-format value in a docs or example path drops
one level (a well-formed key in a cookbook notebook is still reported at the default level when it
was high). Pure functions of strings; no I/O.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from secret_sprawl.detectors.types import Confidence

TEST_PATH = "test-path"
DOCS_PATH = "docs-path"
EXAMPLE_PATH = "example-path"
VENDORED_PATH = "vendored-path"

_TEST_DIRS = frozenset({
    "test", "tests", "testing", "spec", "specs", "__tests__", "__test__", "fixtures", "fixture",
    "testdata", "test_data", "test-data", "cassettes", "cassette", "mocks", "__mocks__", "__snapshots__",
    "snapshots", "e2e", "integration_tests", "unit_tests", "unittests", "testfixtures", "test-fixtures",
})
_DOCS_DIRS = frozenset({"doc", "docs", "documentation", "website", "site", "manual", "guides", "wiki"})
_EXAMPLE_DIRS = frozenset({
    "example", "examples", "sample", "samples", "demo", "demos", "cookbook", "cookbooks", "tutorial",
    "tutorials", "quickstart", "quickstarts", "template", "templates", "playground", "notebooks",
    "starter", "starters", "boilerplate",
})
_VENDORED_DIRS = frozenset({
    "node_modules", "vendor", "vendors", "third_party", "third-party", "thirdparty", "external",
    "bower_components", "jspm_packages", "site-packages", "dist", "build", ".yarn", "_vendor",
})
_DOCS_SUFFIXES = (".md", ".mdx", ".rst", ".adoc", ".asciidoc")
_VENDORED_SUFFIXES = (".min.js", ".min.mjs", ".min.cjs", ".min.css", ".bundle.js", ".chunk.js", ".js.map",
                      ".cjs.map", ".mjs.map", ".css.map")
_LOCKFILES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
    "poetry.lock", "pipfile.lock", "uv.lock", "pdm.lock", "cargo.lock", "gemfile.lock", "composer.lock",
    "go.sum", "packages.lock.json", "flake.lock", "podfile.lock", "mix.lock", "pubspec.lock",
})
_EXAMPLE_MARKERS = (".example", ".sample", ".template", ".dist", "-example", "_example", "-sample",
                    "_sample", ".tmpl", ".tpl")


def path_context(path: str) -> tuple[str, ...]:
    """Reason words for ``path`` in a fixed order (test, docs, example, vendored); may be empty."""
    pure = PurePosixPath(path.replace("\\", "/").lower())
    folders = set(pure.parts[:-1])
    name = pure.name
    reasons = []
    if folders & _TEST_DIRS or _is_test_file(name):
        reasons.append(TEST_PATH)
    if folders & _DOCS_DIRS or name.endswith(_DOCS_SUFFIXES):
        reasons.append(DOCS_PATH)
    if folders & _EXAMPLE_DIRS or any(marker in name for marker in _EXAMPLE_MARKERS):
        reasons.append(EXAMPLE_PATH)
    if folders & _VENDORED_DIRS or name in _LOCKFILES or name.endswith(_VENDORED_SUFFIXES) or (
        name.endswith(".cjs") and bool(folders & {"dist", "lib", "out", "bundle", "bundles"})
    ):
        reasons.append(VENDORED_PATH)
    return tuple(reasons)


def _is_test_file(name: str) -> bool:
    """Test files that live beside the code (Go, JavaScript, Ruby); a ``test_x.py`` outside a test
    folder is as often a scratch script holding a real key, so it does not count."""
    stem = name.split(".", 1)[0]
    return (
        stem.endswith(("_test", "_spec")) or stem == "conftest"
        or any(f".{word}." in name for word in ("test", "spec", "e2e"))
    )


def lower_for_path(
    confidence: Confidence, reasons: tuple[str, ...], path_reasons: tuple[str, ...], *, generic: bool
) -> tuple[Confidence, tuple[str, ...]]:
    """The confidence and reasons of a match once its path's reasons are known.

    Vendored and test paths drop anything to low (a checksum-valid value in tests one level only);
    docs and example paths drop a generic rule's value to low and a provider-format value one
    level. The path reasons are appended to ``reasons``; applying them twice changes nothing.
    """
    if not path_reasons or set(path_reasons) <= set(reasons):
        return confidence, reasons
    merged = reasons + tuple(reason for reason in path_reasons if reason not in reasons)
    if VENDORED_PATH in path_reasons or generic:
        return Confidence.LOW, merged
    if TEST_PATH in path_reasons and "checksum-valid" not in reasons:
        return Confidence.LOW, merged
    return _one_lower(confidence), merged


def _one_lower(confidence: Confidence) -> Confidence:
    return Confidence.MEDIUM if confidence is Confidence.HIGH else Confidence.LOW
