"""Place history findings in time: the commit that introduced each secret at each path, and in_head.

Input: the findings of every blob that had matches (keyed by blob id). For each (path, rule,
fingerprint) the earliest commit by commit date that wrote a blob containing it at that path is
the introduction, even when the secret later moved to another blob (an edit elsewhere in the file).
``in_head`` is true when HEAD's version of that path still contains the fingerprint; such findings
keep their kind and take their line from HEAD's version, the others become ``git-history`` and
take their line from the introducing version. A finding inside an archive keeps its ``!member`` part
after whichever path the archive had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from secret_sprawl.detectors.types import Finding
from secret_sprawl.scanner.sources.archive import member_suffix
from secret_sprawl.scanner.sources.git_history import Introduction, head_blobs

if TYPE_CHECKING:
    from git import Git

# Scan HEAD's blob at a path that this run did not scan (incremental scans); returns its findings.
Rescan = Callable[[str, str], list[Finding]]
_Key = tuple[str, str, str]  # path, rule id, fingerprint


def attribute(git: Git, hits: dict[str, list[Finding]], introduced: dict[tuple[str, str], Introduction], *,
              exclude: Sequence[str], rescan: Rescan) -> list[Finding]:
    """``introduced``: ``git_history.introductions`` of (at least) the blobs in ``hits``."""
    if not hits:
        return []
    places: dict[str, list[tuple[str, Introduction | None]]] = defaultdict(list)
    for (blob, path), introduction in introduced.items():
        if blob in hits:
            places[blob].append((path, introduction))
    for blob, findings in hits.items():
        if blob not in places:  # no commit in range wrote it (e.g. grafted history): keep its path
            places[blob].append((findings[0].provenance.path, None))
    head = head_blobs(git, {path for entries in places.values() for path, _ in entries})

    earliest: dict[_Key, tuple[Introduction | None, str, str]] = {}
    for blob, entries in places.items():
        paths = {path for path, _ in entries}
        for path, introduction in entries:
            for finding in hits[blob]:
                member = "" if finding.provenance.path in paths else member_suffix(finding.provenance.path)
                key = (path + member, finding.rule_id, finding.fingerprint)
                known = earliest.get(key)
                if known is None or _before(introduction, known[0]):
                    earliest[key] = (introduction, blob, path)

    head_findings: dict[str, list[Finding]] = {}
    for path, blob in head.items():
        if blob in hits:
            head_findings[path] = hits[blob]
        elif exclude:  # not scanned in this run: it may still hold a secret introduced in range
            head_findings[path] = rescan(blob, path)

    result = []
    for (path, rule_id, fingerprint), (introduction, blob, outer) in earliest.items():
        member = path[len(outer):]
        current = _same(head_findings.get(outer, []), rule_id, fingerprint, member)
        in_head = bool(current)
        source = current if in_head else _same(hits[blob], rule_id, fingerprint, member)
        for finding in source:
            provenance = replace(
                finding.provenance, path=path, in_head=in_head,
                blob_id=head[outer] if in_head else blob,
                location_kind=finding.provenance.location_kind if in_head else "git-history",
                commit=introduction.commit if introduction else None,
                committed_at=introduction.committed_at if introduction else None,
                author=introduction.author if introduction else None,
            )
            result.append(replace(finding, provenance=provenance))
    return result


def _same(findings: list[Finding], rule_id: str, fingerprint: str, member: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id and f.fingerprint == fingerprint
            and (not member or f.provenance.path.endswith(member))]


def _before(candidate: Introduction | None, known: Introduction | None) -> bool:
    if candidate is None:
        return False
    return known is None or candidate.before(known)
