"""Plain data types shared by every package: a rule, a match, where a match was found, a finding.

These are the contract between detectors, scanner and tracker. They are frozen, slotted and
picklable, and they never grow behaviour beyond small derived properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secret_sprawl.detectors.posture import Workload

CATEGORIES = frozenset(
    {
        "ai", "cloud", "scm", "ci", "messaging", "payment", "database", "private-key", "generic",
        "package-registry", "container-registry", "secrets-manager", "observability", "saas", "auth",
    }
)
LIFETIMES = frozenset({"long-lived", "short-lived", "unknown"})
SEVERITIES = frozenset({"critical", "high", "medium", "low"})


class Federation(StrEnum):
    """How a CI workload gets its cloud credentials: federated identity, static secrets, both, neither."""

    FEDERATED = "federated"
    STATIC_SECRET = "static-secret"
    MIXED = "mixed"
    NONE = "none"


class Confidence(StrEnum):
    """How sure we are that a match is a live credential; ``reasons`` on a match say why."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """2 for high, 1 for medium, 0 for low: compare with ``a.rank >= b.rank``."""
        return _CONFIDENCE_RANK[self]

    def at_least(self, floor: Confidence) -> bool:
        """True when this confidence is ``floor`` or higher (the ``--min-confidence`` test)."""
        return self.rank >= floor.rank


_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass(frozen=True, slots=True)
class Example:
    """A line a rule must match (``secret`` is what it must extract) or, with no secret, a near miss."""

    text: str
    secret: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of credential, as data (see ``detectors/rules/*.toml``)."""

    id: str
    name: str
    provider: str
    category: str
    lifetime: str
    lifetime_note: str
    pattern: str
    keywords: tuple[str, ...]
    references: tuple[str, ...]
    examples: tuple[Example, ...]
    negative_examples: tuple[str, ...]
    severity: str = "high"
    min_entropy: float | None = None
    allow: tuple[str, ...] = ()
    # Bytes of context around a keyword hit in which the pattern is run. Multi-line formats
    # (PEM keys, service-account JSON) need a larger window than one line.
    window: int = 256
    # A generic rule yields to any specific rule that matched the same secret span.
    generic: bool = False
    # Free text: where and how to revoke this credential (SARIF help; the TUI detail via tracker.remediation).
    remediation: str = ""
    # A decoder run on the secret after matching; "jwt" reads the payload's ``exp`` to set lifetime.
    decoder: str | None = None
    # A checksum the provider builds into the format (``detectors.checksum.CHECKSUMS``): valid = high.
    checksum: str | None = None
    # Public by design (a client-side key shipped to browsers): reported at low confidence.
    public: bool = False
    # A byte pattern (Python ``re``) that every text the pattern matches contains: a blob without it is
    # not searched for this rule at all. For rules whose keywords are everywhere (``https://`` fills a
    # lock file); every example must contain it, which the catalog checks.
    requires: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A rule matching in one blob. Offsets are byte offsets into the blob's UTF-8 bytes."""

    rule_id: str
    secret: str
    start: int
    end: int
    line: int  # 1-based
    column: int  # 1-based, in characters of that line
    fingerprint: str  # SHA-256 hex of the secret value alone
    # Extra named groups of the pattern (e.g. an Azure endpoint next to its key); never the secret.
    context: tuple[tuple[str, str], ...] = ()
    # Lifetime decided from the secret itself (e.g. a JWT with ``exp``); overrides the rule's.
    lifetime: str | None = None
    confidence: Confidence = Confidence.MEDIUM
    reasons: tuple[str, ...] = ()  # words that set the confidence, e.g. "provider-format", "test-path"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a blob came from."""

    target: str  # repository path or URL, or the scanned directory
    path: str  # path relative to the target, POSIX separators
    location_kind: str = "source"
    commit: str | None = None  # commit that introduced the content at this path
    committed_at: datetime | None = None  # timezone-aware UTC
    author: str | None = None  # author email
    in_head: bool = True
    blob_id: str | None = None
    cell: int | None = None  # notebook cell number (1-based)


@dataclass(frozen=True, slots=True)
class Finding:
    """A match placed in the world: rule metadata, where it was found, fingerprint and redaction.

    ``secret`` is carried in memory only so that output can reveal it on request and verification
    can use it; the tracker never stores it.
    """

    rule_id: str
    provider: str
    category: str
    lifetime: str
    severity: str
    fingerprint: str
    redacted: str
    provenance: Provenance
    line: int
    column: int
    secret: str = field(default="", repr=False, compare=False)
    context: tuple[tuple[str, str], ...] = ()
    # Posture findings (CI checks) carry a message and a fix instead of a secret value.
    message: str = ""
    fix: str = ""
    confidence: Confidence = Confidence.MEDIUM
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanError:
    """A per-file (or per-target) problem that did not stop the scan."""

    target: str
    path: str
    message: str


@dataclass(slots=True)
class NotScanned:
    """Content left unscanned for one reason (a binary, an archive member over the size limit...):
    how many, and the first few paths. Deliberate, so not a ScanError."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    EXAMPLES = 3

    def add(self, path: str) -> None:
        self.count += 1
        if len(self.examples) < self.EXAMPLES:
            self.examples.append(path)


@dataclass(slots=True)
class TargetResult:
    """Everything one target's scan produced; the tracker records it in one transaction."""

    target: str  # path or URL with any credentials stripped
    kind: str  # directory | git | remote
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    blobs: int = 0
    bytes: int = 0
    errors: list[ScanError] = field(default_factory=list)
    refs: dict[str, str] | None = None  # ref name -> commit sha at scan time (git targets)
    complete: bool = True  # False when the target failed (unreachable remote) or lacked objects
    missing_objects: int = 0  # git objects absent from the repository (not scanned; partial clones)
    workloads: list[Workload] = field(default_factory=list)  # CI jobs found in the target's CI files
    not_scanned: dict[str, NotScanned] = field(default_factory=dict)  # reason -> what was left unscanned
