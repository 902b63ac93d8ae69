"""SARIF 2.1.0 for GitHub code scanning and other viewers.

One run; one ``rules[]`` entry per rule that has a result (with ``security-severity`` so GitHub
ranks it); each result carries ``partialFingerprints["secretFingerprint/v1"]`` (the SHA-256 of the
secret, stable across scans and moves), a URI relative to its target's ``uriBaseId`` and 1-based
line and column, and its confidence as ``rank`` (high 90, medium 60, low 30) and as
``properties.confidence`` / ``properties.reasons``. Messages show only the redacted form: never the secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from secret_sprawl.detectors.posture import PostureRule, posture_rules
from secret_sprawl.detectors.types import Confidence, Finding, Rule
from secret_sprawl.scanner import __version__
from secret_sprawl.scanner.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "secretFingerprint/v1"
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_RANK = {Confidence.HIGH: 90.0, Confidence.MEDIUM: 60.0, Confidence.LOW: 30.0}


def render(report: Report) -> str:
    rules: dict[str, Rule | PostureRule] = {**posture_rules(), **report.catalog.by_id()}
    used = sorted({f.rule_id for f in report.findings})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    bases = {result.target: f"TARGET{i}" for i, result in enumerate(report.results, start=1)}
    run = {
        "tool": {"driver": {
            "name": "secret-sprawl", "version": __version__, "semanticVersion": __version__,
            "rules": [_rule(rules[rule_id]) for rule_id in used],
        }},
        "originalUriBaseIds": {base: {"uri": _base_uri(target)} for target, base in bases.items()},
        "results": [_result(f, rules[f.rule_id], index[f.rule_id], bases) for f in report.findings],
        "invocations": [{
            "executionSuccessful": all(result.complete for result in report.results),
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": f"{e.target}: {e.path or '(target)'}: {e.message}"}}
                for e in report.errors
            ],
        }],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule: Rule | PostureRule) -> dict:
    if isinstance(rule, PostureRule):
        return _posture_rule(rule)
    entry = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": f"{rule.name} ({rule.provider}, {rule.lifetime}): {rule.lifetime_note}"},
        "help": {"text": rule.remediation or f"Revoke the {rule.name} at {rule.provider} and remove it from "
                                              "the repository history."},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "tags": list(dict.fromkeys(("security", "secret", rule.category, rule.provider, rule.lifetime))),
            "precision": "high",
        },
    }
    if rule.references:
        entry["helpUri"] = rule.references[0]
    return entry


def _posture_rule(rule: PostureRule) -> dict:
    """A CI posture rule: its fix text is the ``help``."""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.fix},
        "helpUri": rule.references[0],
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "ci", "posture", rule.lifetime],
            "precision": "medium",
        },
    }


def _result(finding: Finding, rule: Rule | PostureRule, rule_index: int, bases: dict[str, str]) -> dict:
    p = finding.provenance
    where = f" (introduced in {p.commit[:12]} by {p.author or 'unknown'})" if p.commit else ""
    state = "" if p.in_head else " It is no longer at HEAD but stays in the history."
    region = {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)}
    return {
        "ruleId": rule.id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.message}." if finding.message
                    else f"{rule.name} {finding.redacted}{where}.{state}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(p.path), "uriBaseId": bases[p.target]},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "rank": _RANK[Confidence(finding.confidence)],
        "properties": {
            "fingerprint": finding.fingerprint, "confidence": str(finding.confidence),
            "reasons": list(finding.reasons), "location_kind": p.location_kind, "in_head": p.in_head,
            "commit": p.commit, "author": p.author,
            "committed_at": p.committed_at.isoformat() if p.committed_at else None,
            **({"cell": p.cell} if p.cell is not None else {}),
        },
    }


def _base_uri(target: str) -> str:
    if "://" in target:
        return target.rstrip("/") + "/"
    path = Path(target).resolve()
    base = path if path.is_dir() else path.parent
    return base.as_uri().rstrip("/") + "/"
