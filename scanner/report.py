"""The result of one ``sprawl scan`` run as the formatters see it: findings in a fixed order, the
targets' counts and errors, and which fingerprints are shared (seen in more than one place).

``findings`` are those at ``--min-confidence`` or above; ``hidden`` counts the ones below it, which
the formats mention but do not list (the tracker still records every finding). ``staged`` says the
findings are in what ``git commit`` would record (``--staged``, the pre-commit hook), not in history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from secret_sprawl.detectors.catalog import Catalog
from secret_sprawl.detectors.types import Confidence, Finding, NotScanned, ScanError, TargetResult
from secret_sprawl.scanner.structured.classify import classify


def sort_key(finding: Finding) -> tuple:
    p = finding.provenance
    return (p.target, p.path, finding.line, finding.column, finding.rule_id, p.commit or "")


@dataclass(slots=True)
class Report:
    results: list[TargetResult]
    catalog: Catalog
    duration_s: float
    show_secrets: bool = False
    findings: list[Finding] = field(default_factory=list)  # after any baseline and confidence floor, sorted
    min_confidence: Confidence = Confidence.LOW
    hidden: int = 0  # findings (after the baseline) below ``min_confidence``
    staged: bool = False  # a scan of the index (pre-commit), not of files or history

    @classmethod
    def build(cls, results: Sequence[TargetResult], catalog: Catalog, duration_s: float, *,
              show_secrets: bool = False, known: frozenset[str] = frozenset(),
              min_confidence: Confidence = Confidence.LOW, staged: bool = False) -> Report:
        kept = [f for r in results for f in r.findings if f.fingerprint not in known]
        findings = sorted((f for f in kept if f.confidence.at_least(min_confidence)), key=sort_key)
        return cls(list(results), catalog, duration_s, show_secrets, findings, min_confidence,
                   len(kept) - len(findings), staged)

    @property
    def errors(self) -> list[ScanError]:
        return [error for result in self.results for error in result.errors]

    def not_scanned(self) -> dict[str, int]:
        """How many files or blobs each reason left unscanned, over every target (reasons sorted)."""
        counts: dict[str, int] = defaultdict(int)
        for result in self.results:
            for reason, skipped in result.not_scanned.items():
                counts[reason] += skipped.count
        return dict(sorted(counts.items()))

    def not_scanned_line(self) -> str | None:
        """One line for people: "not scanned: 12 binary (a.png, b.jpg, c.ico ...), 1 too-large (x.zip!y)"."""
        merged: dict[str, NotScanned] = {}
        for result in self.results:
            for reason, skipped in result.not_scanned.items():
                into = merged.setdefault(reason, NotScanned())
                into.count += skipped.count
                into.examples += skipped.examples[: NotScanned.EXAMPLES - len(into.examples)]
        if not merged:
            return None
        parts = []
        for reason, skipped in sorted(merged.items()):
            more = " ..." if skipped.count > len(skipped.examples) else ""
            parts.append(f"{skipped.count} {reason} ({', '.join(skipped.examples)}{more})")
        return "not scanned: " + ", ".join(parts)

    def shared(self) -> set[str]:
        """Fingerprints found in more than one target or file (over all findings, not the baseline cut)."""
        places: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for result in self.results:
            for f in result.findings:
                places[f.fingerprint].add((f.provenance.target, f.provenance.path))
        return {fingerprint for fingerprint, where in places.items() if len(where) > 1}

    def records(self) -> list[dict]:
        """The findings as flat records (json, jsonl, csv), ``secret`` only with ``show_secrets``."""
        shared = self.shared()
        return [finding_record(f, shared=f.fingerprint in shared, show_secret=self.show_secrets)
                for f in self.findings]

    def summary(self) -> dict:
        secrets = {f.fingerprint for f in self.findings if not f.message}
        return {
            "findings": len(self.findings),
            "unique_secrets": len(secrets),
            "shared_secrets": len(secrets & self.shared()),
            "posture_findings": sum(1 for f in self.findings if f.message),
            "by_confidence": {level.value: sum(1 for f in self.findings if f.confidence == level)
                              for level in Confidence},
            "min_confidence": str(self.min_confidence),
            "below_min_confidence": self.hidden,
        }


def original_kind(finding: Finding) -> str:
    """The kind of place the path is, also for history-only findings (whose kind is git-history)."""
    if finding.provenance.location_kind != "git-history":
        return finding.provenance.location_kind
    return classify(finding.provenance.path).location_kind


def finding_record(finding: Finding, *, shared: bool, show_secret: bool) -> dict:
    """One finding as the flat record json, jsonl and csv write."""
    p = finding.provenance
    record = {
        "rule_id": finding.rule_id, "provider": finding.provider, "category": finding.category,
        "lifetime": finding.lifetime, "severity": finding.severity, "fingerprint": finding.fingerprint,
        "redacted": finding.redacted, "target": p.target, "path": p.path, "line": finding.line,
        "column": finding.column, "cell": p.cell, "location_kind": p.location_kind,
        "original_kind": original_kind(finding), "commit": p.commit,
        "committed_at": p.committed_at.isoformat().replace("+00:00", "Z") if p.committed_at else None,
        "author": p.author, "in_head": p.in_head, "blob_id": p.blob_id, "shared": shared,
        "context": dict(finding.context), "confidence": str(finding.confidence),
        "reasons": list(finding.reasons),
        "kind": "posture" if finding.message else "secret",
    }
    if finding.message:
        record["message"], record["fix"] = finding.message, finding.fix
    elif show_secret:
        record["secret"] = finding.secret
    return record
