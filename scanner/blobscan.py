"""Turn one blob into findings: sniff, classify, parse, run the engine, place each match in the file.

A match's confidence is lowered where its path says tests, docs, examples or vendored code
(``detectors.context``); the path's reason words join the match's own.

This is the work done in each worker process; it holds one compiled Engine and is pure apart from
that (no I/O). A piece of a large file is scanned as plain bytes and its matches shifted to the
file's lines; a whole file goes through its structured parser when its path has one; an archive
(``sources/archive.py``) is opened and each member scanned as a file at ``archive!member``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from secret_sprawl.detectors.context import lower_for_path, path_context
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.redact import redact
from secret_sprawl.detectors.types import Finding, Match, Provenance, Rule, ScanError
from secret_sprawl.scanner.sources.archive import is_archive, members
from secret_sprawl.scanner.sources.base import ARCHIVE_TOO_LARGE, BINARY, Blob, Skipped
from secret_sprawl.scanner.sources.content import as_text, is_binary, is_utf16
from secret_sprawl.scanner.structured import kubernetes, notebook
from secret_sprawl.scanner.structured.classify import Parser, classify
from secret_sprawl.scanner.structured.locate import Locator
from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, Segment, whole


@dataclass(slots=True)
class BlobResult:
    """What one blob (or piece) gave: findings, per-file warnings, and what to count."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # what was deliberately left unscanned, and why
    bytes: int = 0  # bytes of the blob this result covers (a piece's own part, without the overlap)
    source: str | None = None  # "file" or "blob" on the first piece of each item, for counting


class BlobScanner:
    """One compiled engine plus the rule metadata that turns its matches into findings."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.catalog = engine.catalog
        self._rules: dict[str, Rule] = engine.catalog.by_id()

    def scan(self, blob: Blob) -> BlobResult:
        """Findings in one blob; never raises (an unexpected failure is a ScanError for the blob)."""
        try:
            result = self._scan(blob)
        except Exception as exc:  # a parser bug must not stop a nightly scan of hundreds of repositories
            problem = f"internal error while scanning: {type(exc).__name__}: {exc}"
            result = BlobResult(errors=[ScanError(blob.provenance.target, blob.provenance.path, problem)])
        result.bytes = blob.keep_before if blob.keep_before is not None else len(blob.data)
        if blob.piece == 0:
            result.source = "file" if blob.provenance.blob_id is None else "blob"
        return result

    def _scan(self, blob: Blob, *, open_archives: bool = True) -> BlobResult:
        where = blob.provenance
        if blob.piece == 0 and open_archives and is_archive(where.path):
            if blob.last:
                return self._archive(blob)
            not_opened = Skipped(where.target, where.path, ARCHIVE_TOO_LARGE)  # over --max-file-size
            if is_binary(blob.data):
                return BlobResult(skipped=[not_opened])
            result = self._scan(blob, open_archives=False)  # a text-like archive: its bytes as they are
            result.skipped.append(not_opened)
            return result
        if blob.piece == 0 and is_binary(blob.data):
            return BlobResult(skipped=[Skipped(where.target, where.path, BINARY)])
        kind = _kind(blob.provenance.path)
        provenance = blob.provenance
        if provenance.location_kind != kind.location_kind:
            provenance = replace(provenance, location_kind=kind.location_kind)
        if not (blob.piece == 0 and blob.last):
            result = self._piece(blob, provenance)
            if kind.parser in _DECODERS:
                decoded = self._piece_decoded(blob, provenance, _DECODERS[kind.parser], result.errors)
                result.findings = self._prefer_decoded(result.findings, decoded)
            return result
        if kind.parser is None and not is_utf16(blob.data):
            result = BlobResult()
            matches = self._matches(blob.data, provenance, result.errors)
            result.findings = [self._finding(m, provenance, m.line, m.column) for m in matches]
            return result
        return self._structured(blob, provenance, kind.parser)

    def _archive(self, blob: Blob) -> BlobResult:
        """Each member of an archive scanned as a file of its own, at ``archive!member``."""
        result = BlobResult()
        for member in members(blob):
            if isinstance(member, ScanError):
                result.errors.append(member)
            elif isinstance(member, Skipped):
                result.skipped.append(member)
            else:
                scanned = self._scan(member, open_archives=False)  # members() opened the nested ones
                result.findings += scanned.findings
                result.errors += scanned.errors
                result.skipped += scanned.skipped
        return result

    def _matches(self, data: bytes | str, provenance: Provenance, errors: list[ScanError]) -> list[Match]:
        """The engine's matches; a rule whose search timed out is a warning for this file."""
        outcome = self.engine.scan_outcome(data)
        errors.extend(
            ScanError(provenance.target, provenance.path,
                      f"rule {rule_id} timed out on this file (its pattern backtracks); matches skipped")
            for rule_id in outcome.timed_out
        )
        return outcome.matches

    def _piece(self, blob: Blob, provenance: Provenance) -> BlobResult:
        """A piece of a large file; a UTF-16 one decoded first (its byte order came with the piece)."""
        result = BlobResult()
        data: bytes | str = blob.data
        keep = blob.keep_before
        if blob.encoding:
            data = _without_bom(blob.data.decode(blob.encoding, errors="replace"), blob.piece)
            if keep is not None:  # the own part's end, as a byte offset in the decoded text's UTF-8
                own = _without_bom(blob.data[:keep].decode(blob.encoding, errors="replace"), blob.piece)
                keep = len(own.encode("utf-8"))
        for match in self._matches(data, provenance, result.errors):
            if keep is not None and match.start >= keep:
                continue
            column = match.column + (blob.column_offset if match.line == 1 else 0)
            result.findings.append(self._finding(match, provenance, match.line + blob.line_offset, column))
        return result

    def _piece_decoded(self, blob: Blob, provenance: Provenance, decoder: PieceDecoder,
                       errors: list[ScanError]) -> list[Finding]:
        """Values a format encodes (a manifest's base64 data, a notebook's JSON strings) in a piece of a
        file too large to parse whole, each scanned decoded and reported at its line."""
        findings = []
        for start, segment in decoder(blob.data):
            if blob.keep_before is not None and start >= blob.keep_before:
                continue  # the line is in the overlap: the next piece has it whole
            column = segment.column + (blob.column_offset if segment.line == 1 else 0)
            for match in self._matches(segment.text, provenance, errors):
                findings.append(self._finding(match, provenance, segment.line + blob.line_offset, column))
        return findings

    def _structured(self, blob: Blob, provenance: Provenance, parser: Parser | None) -> BlobResult:
        text = as_text(blob.data)
        result = BlobResult()
        parsed: Parsed
        if parser is None:
            parsed = whole(text)
        else:
            try:
                parsed = parser(text)
            except MalformedError as exc:
                result.errors.append(ScanError(provenance.target, provenance.path,
                                               f"{exc}; scanned as plain text"))
                parsed = whole(text)
        if parsed.location_kind and parsed.location_kind != provenance.location_kind:
            provenance = replace(provenance, location_kind=parsed.location_kind)
        locator = Locator(text) if any(segment.locate for segment in parsed.segments) else None
        plain: list[Finding] = []
        decoded: list[Finding] = []
        for segment in parsed.segments:
            placed = replace(provenance, cell=segment.cell) if segment.cell is not None else provenance
            for match in self._matches(segment.text, provenance, result.errors):
                line, column = _place(match, segment, locator)
                (decoded if segment.fixed else plain).append(self._finding(match, placed, line, column))
        result.findings = self._prefer_decoded(plain, decoded)
        return result

    def _prefer_decoded(self, plain: list[Finding], decoded: list[Finding]) -> list[Finding]:
        """An encoded value whose decoded form matched is that same secret, not a generic one of its own;
        a decoded copy of a value the text already showed on that line is the same finding."""
        decoded_lines = {finding.line for finding in decoded}
        kept = [f for f in plain if not (self._rules[f.rule_id].generic and f.line in decoded_lines)]
        shown = {(f.line, f.fingerprint) for f in kept}
        return kept + [f for f in decoded if (f.line, f.fingerprint) not in shown]

    def _finding(self, match: Match, provenance: Provenance, line: int, column: int) -> Finding:
        rule = self._rules[match.rule_id]
        confidence, reasons = lower_for_path(match.confidence, match.reasons, path_context(provenance.path),
                                             generic=rule.generic)
        return Finding(
            rule_id=rule.id, provider=rule.provider, category=rule.category,
            lifetime=match.lifetime or rule.lifetime, severity=rule.severity,
            fingerprint=match.fingerprint, redacted=redact(match.secret), provenance=provenance,
            line=line, column=column, secret=match.secret, context=match.context,
            confidence=confidence, reasons=reasons,
        )


_kind = functools.lru_cache(maxsize=4096)(classify)  # a history meets each path in version after version


def _without_bom(text: str, piece: int) -> str:
    return text[1:] if piece == 0 and text.startswith("\ufeff") else text


_JSON_STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')


def json_strings(data: bytes) -> list[tuple[int, Segment]]:
    """(byte offset, decoded text at the literal's line and column) of each JSON string in ``data``
    that holds an escape (the others read the same raw); for a notebook too large to parse whole."""
    found = []
    line, counted = 1, 0
    for literal in _JSON_STRING.finditer(data):
        if b"\\" not in literal.group():
            continue
        try:
            text = json.loads(literal.group())
        except ValueError:
            continue
        start = literal.start()
        line += data.count(b"\n", counted, start)
        counted = start
        column = start - data.rfind(b"\n", 0, start)
        found.append((start, Segment(text, line=line, column=column + 1, fixed=True)))
    return found


PieceDecoder = Callable[[bytes], list[tuple[int, Segment]]]
_DECODERS: dict[Parser, PieceDecoder] = {kubernetes.parse: kubernetes.encoded_values,
                                          notebook.parse: json_strings}


def _place(match: Match, segment: Segment, locator: Locator | None) -> tuple[int, int]:
    """The file's (line, column) of a match in a segment."""
    if segment.fixed:
        return segment.line, segment.column
    if segment.locate and locator is not None:
        return locator.find(match.secret) or (segment.line, segment.column)
    column = match.column + (segment.column - 1 if match.line == 1 else 0)
    return segment.line + match.line - 1, column
