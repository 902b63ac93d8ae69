"""Read a tracked secret's value again from where it was recorded, since the tracker never stores it.

For each recorded occurrence, newest first: the git blob (by id, through gitpython) when the target
is a local repository or a remote one still mirrored in the cache, else the file at its path in the
working tree. The engine runs on that content
and the match with the secret's fingerprint is the value. When no occurrence can be read any more
(remote target, file changed or deleted, blob pruned), ``Unreadable`` says why, per place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import git
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.types import Match
from secret_sprawl.scanner.sources.remote import default_cache_dir, is_remote, mirror_path
from secret_sprawl.scanner.verify.pairing import Candidate, paired_secret
from secret_sprawl.tracker.fingerprints import keyed
from secret_sprawl.tracker.models.core import Occurrence, Secret
from secret_sprawl.tracker.queries import Place


class Unreadable(Exception):
    """The secret's value can no longer be read from any recorded place; the message says why."""


@dataclass(frozen=True, slots=True)
class Reread:
    secret: str = field(repr=False)
    context: tuple[tuple[str, str], ...]
    paired: str = field(repr=False)  # the other half of an AWS key pair, or ""
    place: str  # target:path:line it was read from


def reread_secret(places: Iterable[Place], secret: Secret, engine: Engine,
                  key: bytes | None = None) -> Reread:
    """The value of ``secret`` read afresh from the first of its ``places`` (the tracker's, most
    recently scanned first) that still holds it, or raise ``Unreadable``. ``key``: the fingerprint key
    the tracker's fingerprints were made with (``tracker/fingerprints.py``)."""
    reasons: list[str] = []
    for recorded in places:
        occurrence = recorded.occurrence
        place = f"{recorded.target}:{occurrence.path}:{occurrence.line}"
        try:
            content = _content(_local_root(recorded.target), occurrence)
        except _Missing as exc:
            reasons.append(f"{place}: {exc}")
            continue
        matches = engine.scan(content)
        found = next((m for m in matches if keyed(m.fingerprint, key) == secret.fingerprint), None)
        if found is None:
            reasons.append(f"{place}: the content there no longer contains this secret")
            continue
        return Reread(found.secret, found.context, _pair(found, matches), place)
    raise Unreadable("; ".join(reasons) or "no recorded occurrence")


def _local_root(target: str) -> Path:
    return mirror_path(target, default_cache_dir()) if is_remote(target) else Path(target)


def _content(root: Path, occurrence: Occurrence) -> bytes:
    if not root.is_dir():
        raise _Missing("target is not a local directory, repository or cached mirror (re-scan it to verify)")
    if occurrence.blob_id:
        try:
            with git.Repo(root) as repo:  # closed here: its git processes never outlive the read
                return repo.odb.stream(bytes.fromhex(occurrence.blob_id)).read()
        except (git.exc.GitError, ValueError, OSError):
            pass  # fall back to the working tree
    path = (root / occurrence.path).resolve()
    if not path.is_relative_to(root.resolve()):
        raise _Missing("recorded path leaves the target")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _Missing(f"cannot read the file ({exc.strerror or exc})") from exc


def _pair(found: Match, matches: list[Match]) -> str:
    others = [Candidate(m.rule_id, m.secret, m.line) for m in matches if m is not found]
    return paired_secret(Candidate(found.rule_id, found.secret, found.line), others)


class _Missing(Exception):
    pass
