"""Credential heuristics shared by the CI checks: which names mean "credential", which literal
values are shaped like one, which names are static cloud keys, and how secret names are referenced
(``${{ secrets.X }}``, ``$X``, ``$(X)``).

These judge names and shapes only; recognising a provider's key format is the engine's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secret_sprawl.detectors.entropy import shannon_entropy

_CREDENTIAL_NAME = re.compile(
    r"(?i)(token|secret|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|credentials?"
    r"|auth[_-]?key|client[_-]?key|sas[_-]?key|connection[_-]?string|(?:^|[_-])pat(?:$|[_-]))"
)
_KNOWN_PREFIX = re.compile(
    r"^(?:AKIA|ASIA|sk-|sk_live_|rk_live_|ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|hf_|xox[abpr]-|AIza|npm_)"
)
_PLACEHOLDER = re.compile(
    r"(?i)x{3,}|\*{3,}|changeme|change-me|example|dummy|placeholder|redacted|your[_-]|<|>"
)
_REFERENCE = re.compile(r"\$\{\{|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(|\{\{|%[A-Za-z_]+%")
_PATH_LIKE = re.compile(r"^(?:[/~.]|[A-Za-z]:\\)|\.(?:json|pem|key|p12|pfx|txt|ya?ml)$", re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)

MIN_LENGTH = 12
MIN_ENTROPY = 3.0

# Names that hold static cloud credentials, by cloud.
AWS_KEY_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
GCP_KEY_NAMES = frozenset({
    "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    "GOOGLE_CLOUD_KEYFILE_JSON", "GCLOUD_SERVICE_KEY", "GCP_SA_KEY", "GCP_SERVICE_ACCOUNT_KEY",
})
AZURE_KEY_NAMES = frozenset({"AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET", "AZURE_CREDENTIALS"})
CLOUD_KEY_NAMES = AWS_KEY_NAMES | GCP_KEY_NAMES | AZURE_KEY_NAMES

_GHA_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_GHA_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_SHELL_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|\(([A-Za-z_][A-Za-z0-9_.]*)\))"
)
# Variables CI systems inject themselves (short-lived job tokens, build metadata).
_PREDEFINED = re.compile(
    r"^(?:CI_|GITLAB_|CIRCLE_|CIRCLECI|SYSTEM_|SYSTEM\.|BUILD_|BUILD\.|AGENT_|AGENT\.|GITHUB_)"
)


def is_credential_name(name: str) -> bool:
    """Whether a variable or input name says it holds a credential (``API_KEY``, ``db-password``...)."""
    return bool(_CREDENTIAL_NAME.search(name)) or name in CLOUD_KEY_NAMES


def is_pat_name(name: str) -> bool:
    """``GH_PAT``, ``PAT``, ``RELEASE_PAT_TOKEN``: a name with ``PAT`` as one of its words."""
    return "PAT" in re.split(r"[_\-.]", name.upper())


def is_reference(value: str) -> bool:
    """Whether a value is (or contains) a reference to something else rather than a literal."""
    return bool(_REFERENCE.search(value))


def looks_like_credential(value: str) -> bool:
    """A literal shaped like a credential: long, no spaces, random-looking, not a path or placeholder."""
    value = value.strip()
    if _URL_WITH_PASSWORD.match(value):
        return not is_reference(value) and not _PLACEHOLDER.search(value)
    if value.startswith("{") and '"private_key"' in value:
        return True
    if (len(value) < MIN_LENGTH or any(c.isspace() for c in value) or is_reference(value)
            or _PLACEHOLDER.search(value) or _PATH_LIKE.search(value) or _URL.match(value)):
        return False
    if _KNOWN_PREFIX.match(value):
        return True
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and shannon_entropy(value) >= MIN_ENTROPY


def github_secret_refs(value: str) -> Iterator[str]:
    """Secret names referenced in GitHub expressions: ``${{ secrets.X }}``, ``${{ secrets['X'] }}``."""
    for expression in _GHA_EXPRESSION.finditer(value):
        for match in _GHA_SECRET.finditer(expression.group(1)):
            yield match.group(1) or match.group(2)


def variable_refs(value: str) -> Iterator[tuple[str, int]]:
    """(name, offset) of ``$X``, ``${X}`` and ``$(X)`` references in a script or value."""
    for match in _SHELL_VARIABLE.finditer(value):
        yield next(group for group in match.groups() if group), match.start()


def is_secret_variable(name: str) -> bool:
    """A referenced variable that is a secret the CI system was configured with, judged by its name."""
    return is_credential_name(name) and not _PREDEFINED.match(name.upper())
