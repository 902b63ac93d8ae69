"""A readable table grouped by secret: one section per fingerprint, one row per place it was seen
(with that place's confidence and the reasons for it).

A scan of staged changes (``--staged``, the pre-commit hook) says "staged", has no history columns
(no commit, no "at HEAD": nothing is committed yet) and ends with what to do before committing.
"""

from __future__ import annotations

import io
import sys
from collections import defaultdict

from rich.console import Console
from rich.table import Table
from secret_sprawl.detectors.types import Finding
from secret_sprawl.scanner.report import Report
from secret_sprawl.tracker.safe_text import markup

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
_CONFIDENCE_STYLE = {"high": "bold", "medium": "", "low": "dim"}
_HOOK_ID = "sprawl-staged"  # the id in .pre-commit-hooks.yaml, for SKIP=
NEXT_STEPS = (
    "Before committing, for each secret above:\n"
    "  - remove it from the staged file (read it from the environment or a secret manager) and\n"
    "    `git add` the file again; if the key was ever pushed or shared, revoke it as well;\n"
    "  - or, if it is not a credential (a test value, a placeholder), add a comment\n"
    "    `# sprawl:allow <reason>` on its line, so the reason is reviewed with the change;\n"
    f"  - in an emergency only: `SKIP={_HOOK_ID} git commit ...` skips this check (the secret stays)."
)


def render(report: Report, *, color: bool | None = None) -> str:
    out = io.StringIO()
    is_tty = sys.stdout.isatty() if color is None else color
    # On a terminal, rich reads NO_COLOR (set by --no-color too); elsewhere there is no colour at all.
    console = Console(file=out, force_terminal=is_tty, no_color=None if is_tty else True,
                      width=160 if not is_tty else None)
    by_secret: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_secret[finding.fingerprint].append(finding)
    shared = report.shared()
    columns = ("secret", "where", "kind", "confidence", *(() if report.staged else ("introduced", "at HEAD")))
    if by_secret:
        title = "Secrets in staged changes" if report.staged else "Secrets found"
        table = Table(title=title, show_lines=False, expand=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for fingerprint, findings in by_secret.items():
            label = _label(findings[0], shared=fingerprint in shared, show_secret=report.show_secrets)
            for i, finding in enumerate(findings):
                table.add_row(label if i == 0 else "", *_place(finding)[:len(columns) - 1])
            table.add_section()
        console.print(table)
    summary = report.summary()
    files, blobs = sum(r.files for r in report.results), sum(r.blobs for r in report.results)
    scanned = (f"{files + blobs} staged file(s)" if report.staged
               else f"{files} file(s), {blobs} history blob(s)")
    console.print(
        f"{summary['findings']} finding(s), {summary['unique_secrets']} unique secret(s), "
        f"{summary['shared_secrets']} shared, {summary['posture_findings']} CI posture; "
        f"{scanned}, {sum(r.bytes for r in report.results) / 1e6:.1f} MB in {report.duration_s:.1f}s"
    )
    if report.hidden:
        console.print(f"{report.hidden} finding(s) below --min-confidence {report.min_confidence} not shown "
                      "(--min-confidence low shows every finding)", highlight=False)
    not_scanned = report.not_scanned_line()
    if not_scanned:
        console.print(markup(not_scanned), highlight=False)
    for error in report.errors:
        where = markup(f"{error.target}: {error.path or '(target)'}: {error.message}")
        console.print(f"[yellow]warning[/]: {where}", highlight=False)
    if report.staged and report.findings:
        console.print(NEXT_STEPS, highlight=False, markup=False)
    return out.getvalue()


def _label(finding: Finding, *, shared: bool, show_secret: bool) -> str:
    style = _SEVERITY_STYLE.get(finding.severity, "")
    lines = [f"[{style}]{finding.severity}[/] {finding.rule_id}", markup(finding.redacted),
             f"sha256 {finding.fingerprint[:12]}"]
    if shared:
        lines.append("[bold magenta]shared[/]")
    if show_secret:
        lines.append(markup(finding.secret))
    return "\n".join(lines)


def _place(finding: Finding) -> tuple[str, str, str, str, str]:
    p = finding.provenance
    cell = f" (cell {p.cell})" if p.cell is not None else ""
    where = f"{p.target}:{p.path}:{finding.line}:{finding.column}{cell}"
    introduced = ""
    if p.commit:
        when = p.committed_at.strftime("%Y-%m-%d") if p.committed_at else ""
        introduced = f"{markup(p.commit[:10])} {when}\n{markup(p.author or '')}"
    level = str(finding.confidence)
    style = _CONFIDENCE_STYLE.get(level, "")
    confidence = f"[{style}]{level}[/]" if style else level
    if finding.reasons:
        confidence += "\n" + markup(", ".join(finding.reasons))
    return markup(where), p.location_kind, confidence, introduced, "yes" if p.in_head else "no"
