"""Detection accuracy: ``python -m bench.accuracy [--min-confidence medium] [--repo PATH]``.

Corpus mode (default) scans the labelled corpus of ``fixtures/accuracy`` through the real scanner
(structured parsers, engine, path context) and reports:

- recall: the share of planted credentials reported at ``--min-confidence`` or higher;
- silence: the share of hard negatives on which nothing is reported at that level;
- per rule: credentials found, and negatives it fired on; per confidence: every finding's level.

Planted values are synthetic (``fixtures.accuracy.values``): every format of ``FORMATS`` in three
contexts of ``contexts.toml``, the hand-written positives of ``cases.toml``; negatives are the
hand-written ones plus, for every format, its placeholder forms (``x`` runs, counting sequences).

``--repo PATH`` scans a git repository's full history instead and reports the distinct findings
(by fingerprint) per confidence and per rule, with each finding's redacted value, path and reasons
(``--list``) for judging by hand. Nothing is written anywhere; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from secret_sprawl.detectors.context import lower_for_path, path_context
from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.types import Confidence, Finding, Provenance
from secret_sprawl.scanner.blobscan import BlobScanner
from secret_sprawl.scanner.sources.base import Blob

from fixtures.accuracy.values import FORMATS, PASSWORD, generate, value_for

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "accuracy"
CONTEXTS_PER_FORMAT = 3
_MARKER = re.compile(r"@@(B64:)?([A-Z0-9-]+)@@")
_RANDOM_FIELD = re.compile(r"\{(?:bech|uuid|crc|[AahHUZBudp])(\d*)\}")


@dataclass(frozen=True, slots=True)
class Case:
    path: str
    text: str
    secret: str = ""  # empty for a negative
    label: str = ""  # format or case name, for the report


@dataclass(slots=True)
class Report:
    min_confidence: Confidence
    positives: int = 0
    found: int = 0
    negatives: int = 0
    silent: int = 0
    missed: list[str] = field(default_factory=list)
    noisy: list[str] = field(default_factory=list)
    rules_found: Counter = field(default_factory=Counter)
    rules_noisy: Counter = field(default_factory=Counter)
    confidences: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 0.0

    @property
    def silence(self) -> float:
        return self.silent / self.negatives if self.negatives else 0.0


def load_cases(seed: int = 13) -> tuple[list[Case], list[Case]]:
    """The corpus as (positives, negatives), values generated from ``seed``."""
    rng = random.Random(seed)
    contexts = tomllib.loads((CORPUS / "contexts.toml").read_text())["context"]
    cases = tomllib.loads((CORPUS / "cases.toml").read_text())
    positives: list[Case] = []
    for index, (kind, (_template, name)) in enumerate(FORMATS.items()):
        for turn in range(CONTEXTS_PER_FORMAT):
            context = contexts[(index + turn * 5) % len(contexts)]
            value = value_for(kind, rng)
            text = (context["text"].replace("@@NAME@@", name).replace("@@name@@", name.lower())
                    .replace("@@VALUE@@", value))
            positives.append(Case(context["path"], text, value, f"{kind}@{context['name']}"))
    for number, item in enumerate(cases["positive"], 1):
        positives.append(_marked(item["path"], item["text"], rng, f"case-{number}"))
    negatives = [Case(item["path"], item["text"], "", f"negative-{number}")
                 for number, item in enumerate(cases["negative"], 1)]
    for kind, (template, name) in FORMATS.items():
        for variant, filler in (("x-run", "x"), ("sequence", "1234567890")):
            value = _RANDOM_FIELD.sub(lambda m, f=filler: (f * 200)[: int(m.group(1) or 6)], template)
            negatives.append(Case("app/.env", f"{name}={value}\n", "", f"{kind}-{variant}"))
    return positives, negatives


def _marked(path: str, text: str, rng: random.Random, label: str) -> Case:
    found = _MARKER.search(text)
    if found is None:
        raise ValueError(f"positive {label} has no @@MARKER@@")
    kind = found.group(2).lower()
    value = generate(PASSWORD, rng) if kind == "password" else value_for(kind, rng)
    written = base64.b64encode(value.encode()).decode() if found.group(1) else value
    return Case(path, text[: found.start()] + written + text[found.end() :], value, f"{label}:{kind}")


def findings_of(scanner: BlobScanner, case: Case) -> list[Finding]:
    """The scanner's findings for one case, with the path's context applied."""
    result = scanner.scan(Blob(case.text.encode(), Provenance("accuracy-corpus", case.path)))
    return [with_path_context(scanner, finding) for finding in result.findings]


def with_path_context(scanner: BlobScanner, finding: Finding) -> Finding:
    """``finding`` with its path's reasons applied (unless the scanner already did)."""
    reasons = path_context(finding.provenance.path)
    if not reasons or set(reasons) <= set(finding.reasons):
        return finding
    generic = scanner.catalog.by_id()[finding.rule_id].generic
    confidence, merged = lower_for_path(finding.confidence, finding.reasons, reasons, generic=generic)
    return replace(finding, confidence=confidence, reasons=merged)


def run_corpus(min_confidence: Confidence, seed: int = 13) -> Report:
    scanner = BlobScanner(build_engine())
    positives, negatives = load_cases(seed)
    report = Report(min_confidence)
    for case in positives:
        findings = findings_of(scanner, case)
        report.confidences.update(f.confidence.value for f in findings)
        hits = [f for f in findings
                if f.confidence.at_least(min_confidence) and _covers(f.secret, case.secret)]
        report.positives += 1
        if hits:
            report.found += 1
            report.rules_found[hits[0].rule_id] += 1
        else:
            seen = ", ".join(f"{f.rule_id}/{f.confidence.value}" for f in findings) or "nothing"
            report.missed.append(f"{case.label} ({case.path}): {seen}")
    for case in negatives:
        findings = findings_of(scanner, case)
        report.confidences.update(f.confidence.value for f in findings)
        loud = [f for f in findings if f.confidence.at_least(min_confidence)]
        report.negatives += 1
        if loud:
            report.rules_noisy.update(f.rule_id for f in loud)
            report.noisy.append(f"{case.label} ({case.path}): "
                                + ", ".join(f"{f.rule_id}/{f.confidence.value} {f.redacted}" for f in loud))
        else:
            report.silent += 1
    return report


def _covers(found: str, planted: str) -> bool:
    return planted in found or (len(found) >= 8 and found in planted)


def run_repo(path: str, jobs: int) -> list[Finding]:
    """Distinct findings (one per fingerprint, the first seen) over a repository's full history."""
    from secret_sprawl.scanner.pipeline import Runner
    from secret_sprawl.scanner.targets import ScanOptions, scan_target

    with Runner(jobs=jobs) as runner:
        result = scan_target(path, ScanOptions(history=True), runner)
    scanner = BlobScanner(build_engine())
    distinct: dict[str, Finding] = {}
    for finding in result.findings:
        if finding.fingerprint and finding.fingerprint not in distinct:
            distinct[finding.fingerprint] = with_path_context(scanner, finding)
    return list(distinct.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--min-confidence", choices=[c.value for c in Confidence], default="medium")
    parser.add_argument("--repo", metavar="PATH", help="scan this git repository's history instead")
    parser.add_argument("--list", action="store_true", help="with --repo: list every distinct finding")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    floor = Confidence(args.min_confidence)
    if args.repo:
        return _print_repo(run_repo(args.repo, args.jobs), floor, args.list, args.json)
    report = run_corpus(floor)
    if args.json:
        json.dump({"recall": report.recall, "silence": report.silence, "positives": report.positives,
                   "negatives": report.negatives, "rules_found": dict(report.rules_found),
                   "rules_noisy": dict(report.rules_noisy), "confidences": dict(report.confidences),
                   "missed": report.missed, "noisy": report.noisy}, sys.stdout, indent=2)
        print()
        return 0
    print(f"corpus: {report.positives} credentials, {report.negatives} negatives "
          f"(at --min-confidence {floor.value})")
    print(f"recall  {report.recall:.3f}  ({report.found}/{report.positives})")
    print(f"silence {report.silence:.3f}  ({report.silent}/{report.negatives})")
    print("findings per confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(report.confidences.items())))
    print("credentials found per rule:")
    for rule, count in report.rules_found.most_common():
        print(f"  {count:4d}  {rule}")
    if report.rules_noisy:
        print("negatives fired on, per rule:")
        for rule, count in report.rules_noisy.most_common():
            print(f"  {count:4d}  {rule}")
    for title, lines in (("missed", report.missed), ("noisy", report.noisy)):
        if lines:
            print(f"{title}:")
            for line in lines:
                print(f"  {line}")
    return 0


def _print_repo(findings: list[Finding], floor: Confidence, listing: bool, as_json: bool) -> int:
    shown = [f for f in findings if f.confidence.at_least(floor)]
    per_confidence = Counter(f.confidence.value for f in findings)
    per_rule = Counter(f.rule_id for f in shown)
    if as_json:
        json.dump({"distinct": len(findings), "at_min_confidence": len(shown),
                   "per_confidence": dict(per_confidence), "per_rule": dict(per_rule)}, sys.stdout, indent=2)
        print()
        return 0
    print(f"distinct findings: {len(findings)}; at {floor.value} or higher: {len(shown)}")
    print("per confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(per_confidence.items())))
    print(f"per rule (at {floor.value}+):")
    for rule, count in per_rule.most_common():
        print(f"  {count:4d}  {rule}")
    if listing:
        for finding in sorted(findings, key=lambda f: (f.confidence.rank, f.rule_id), reverse=True):
            print(f"  {finding.confidence.value:6s} {finding.rule_id:32s} {finding.redacted:24s} "
                  f"{finding.provenance.path}:{finding.line}  {','.join(finding.reasons)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
