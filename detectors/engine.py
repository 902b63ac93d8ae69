"""The matching engine: compile a rule catalog once, then find secrets in ``bytes``/``str`` blobs.

How a scan works (the cost is in running regexes, so they run on as few bytes as possible):

1. The prefilter finds every keyword of the catalog in one pass (``detectors.prefilter``). With
   Hyperscan, a rule whose pattern starts with more than its keyword (``arize_api_key =``) is looked
   for by that start, its anchor (``detectors.anchors``), instead. A keyword only rules with
   ``requires`` use is found once per blob, and everywhere only when a rule's required pattern is in
   the blob (a lock file's thousands of ``https://`` cost one hit).
2. For each rule with a keyword hit, a window of ``rule.window`` bytes before and after each hit is
   extended to whole lines (at most another ``rule.window`` bytes each way, for long lines);
   overlapping or nearby windows are merged.
3. The rule's regex runs on each window only. The blob is decoded once (only when a keyword hit);
   the search starts at the window's start, so look-behinds see the true preceding text, and a
   match that starts in the window may run up to ``MARGIN`` bytes past its end: a match is what a
   whole-blob search would find there.
4. Filters: ``min_entropy``, ``allow`` placeholders, the JWT decoder; then the confidence and its
   reasons from the value and its line (``detectors.confidence``; a generic rule's value that is
   code is dropped there); then overlaps (a generic rule's match that overlaps a specific rule's
   match is dropped; of several matches on exactly the same span, the first rule in catalog order
   wins); then inline suppressions on the match's lines.
5. Every regex search runs under the ``regex`` module's ``timeout`` (``RULE_TIMEOUT`` seconds per
   window): a rule that backtracks catastrophically on some input is abandoned for that blob and
   named in ``ScanOutcome.timed_out``; the other rules' matches stand.

Offsets in ``Match`` are byte offsets of the ``secret`` group in the blob's UTF-8 bytes; line and
column are 1-based (column in characters). A blob that is not valid UTF-8 (a binary, a Latin-1
file) is matched one character per byte; the fingerprint is always taken over the secret's bytes
as found, and ``Match.secret`` shows bytes that are not UTF-8 as U+FFFD.

The engine is pure (no I/O, no side effects) and picklable: pickling keeps the catalog and
rebuilds the compiled form lazily in the receiving process. Scanning from several threads is
safe: the Hyperscan scratch space is per thread and everything else is read-only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import regex
from secret_sprawl.detectors.anchors import Anchor
from secret_sprawl.detectors.catalog import Catalog, load_catalog
from secret_sprawl.detectors.confidence import MINIFIED_LINE, Surroundings, score
from secret_sprawl.detectors.entropy import shannon_entropy
from secret_sprawl.detectors.jwt import jwt_lifetime
from secret_sprawl.detectors.lines import DecodedBlob, LineIndex, char_start
from secret_sprawl.detectors.literals import KeywordForm
from secret_sprawl.detectors.patterns import Patterns
from secret_sprawl.detectors.prefilter import KeywordSpans, Prefilter, build_prefilter, takes_anchors
from secret_sprawl.detectors.quiet import QuietWindows, lookbehind_reach
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.detectors.search_plan import search_plan
from secret_sprawl.detectors.suppress import is_suppressed
from secret_sprawl.detectors.types import Confidence, Match, Rule

# How far past a window's end a match that starts in it may run.
MARGIN = 512
# Seconds one rule's search of one window may take before the rule is abandoned for the blob.
RULE_TIMEOUT = 1.0
# Characters of the line before and after a secret that the confidence scoring reads.
_AROUND = 240


class _CompiledRule:
    """A rule and its keyword ids; its patterns compile on first use (``Engine.prepare`` compiles all),
    from the cached opcode tables of ``detectors.patterns``."""

    def __init__(self, rule: Rule, order: int, keywords: tuple[int, ...], patterns: Patterns) -> None:
        self.rule, self.order, self.keywords, self._patterns = rule, order, keywords, patterns
        self.presence: int | None = None  # the prefilter's id for ``requires``, when it looks for it

    @cached_property
    def pattern(self) -> regex.Pattern:
        return self._patterns.compile(self.rule.pattern)

    @cached_property
    def allow(self) -> tuple[regex.Pattern, ...]:
        return tuple(self._patterns.compile(allowed) for allowed in self.rule.allow)

    @cached_property
    def requires(self) -> re.Pattern[bytes] | None:
        return re.compile(self.rule.requires.encode("utf-8")) if self.rule.requires is not None else None

    @cached_property
    def reach(self) -> int | None:
        """Characters before a match its look-behinds may read; None: unbounded (never remembered)."""
        return lookbehind_reach(self.rule.pattern)

    @cached_property
    def context_groups(self) -> tuple[str, ...]:
        return tuple(name for name in self.pattern.groupindex if name != "secret")


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    order: int
    rule_id: str
    secret: str
    raw: bytes
    context: tuple[tuple[str, str], ...]
    lifetime: str | None
    confidence: Confidence
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """Matches of one blob, and the rules abandoned on it because their search timed out."""

    matches: list[Match]
    timed_out: tuple[str, ...] = ()


class _Compiled:
    """Everything derived from the catalog: compiled patterns, keyword table, prefilter."""

    def __init__(self, catalog: Catalog, backend: str | None) -> None:
        # A rule is looked for by its anchor where the backend can (detectors.anchors), else by its
        # keywords: only in a keyword's own case, or only at a word's start or end, where every match
        # of the rule shows it so (detectors.literals). Anchors are numbered after the keywords.
        anchored = takes_anchors(backend)
        plan = search_plan(catalog.rules, anchored=anchored)
        anchors = [item if isinstance(item, Anchor) else None for item in plan]
        forms = [{} if isinstance(item, Anchor) else item for item in plan]
        keyword_ids: dict[tuple[bytes, KeywordForm], int] = {}
        for form in forms:
            for keyword, shown in form.items():
                keyword_ids.setdefault(_keyword_key(keyword, shown), len(keyword_ids))
        used = [found for found in anchors if found is not None]
        looked_for: list[tuple[int, ...]] = []  # each rule's keyword ids, or its anchor's
        next_anchor = len(keyword_ids)
        for form, found in zip(forms, anchors, strict=True):
            if found is None:
                looked_for.append(tuple(sorted({keyword_ids[_keyword_key(k, form[k])] for k in form})))
            else:
                looked_for.append((next_anchor,))
                next_anchor += 1
        patterns = Patterns([text for rule in catalog.rules for text in (rule.pattern, *rule.allow)])
        self.rules = tuple(_CompiledRule(rule, order, ids, patterns)
                           for order, (rule, ids) in enumerate(zip(catalog.rules, looked_for, strict=True)))
        # Hits of one keyword (or anchor) closer than twice the smallest window of its rules share a window.
        gaps = [0] * (len(keyword_ids) + len(used))
        smallest: dict[int, int] = {}
        for compiled in self.rules:
            for keyword in compiled.keywords:
                smallest[keyword] = min(smallest.get(keyword, compiled.rule.window), compiled.rule.window)
        for keyword, window in smallest.items():
            gaps[keyword] = 2 * window
        self.rules_by_keyword: dict[int, list[int]] = {}
        for index, compiled in enumerate(self.rules):
            for keyword in compiled.keywords:
                self.rules_by_keyword.setdefault(keyword, []).append(index)
        keywords, forms_by_id = [keyword for keyword, _ in keyword_ids], [form for _, form in keyword_ids]
        # A keyword only rules with ``requires`` use (``https://`` for URL credentials: every line of a
        # lock file) is first looked for once per blob; its every hit only when a rule's required
        # pattern is in the blob (``gated_spans``).
        gated = [keyword for keyword, rules in sorted(self.rules_by_keyword.items())
                 if all(self.rules[rule].rule.requires is not None for rule in rules)]
        first_only = [False] * len(keywords)
        for keyword in gated:
            first_only[keyword] = True
        # A required pattern is also looked for by the prefilter where it can (Hyperscan, in its
        # prefilter mode: a superset), so that a blob without it costs no search of our own.
        requiring = [compiled for compiled in self.rules if compiled.rule.requires is not None]
        present = [str(compiled.rule.requires).encode("utf-8") for compiled in requiring] if anchored else []
        gaps += [0] * len(present)
        self.prefilter: Prefilter = build_prefilter(keywords, gaps, backend, forms=forms_by_id,
                                                    first_only=first_only, anchors=used, present=present)
        for number, compiled in enumerate(requiring if self.prefilter.present else ()):
            compiled.presence = len(keywords) + len(used) + number
        ids = self._gated_ids = tuple(gated) if self.prefilter.reports_first_only else ()
        self._gated = build_prefilter([keywords[k] for k in ids], [gaps[k] for k in ids], backend,
                                      forms=[forms_by_id[k] for k in ids])
        self.quiet = QuietWindows()

    def gated_spans(self, blob: bytes) -> KeywordSpans:
        """Every hit of the keywords the prefilter reported once (see ``__init__``), by keyword id."""
        ids = self._gated_ids
        return {ids[local]: found for local, found in self._gated.scan(blob).items()} if ids else {}


def _keyword_key(keyword: str, form: KeywordForm) -> tuple[bytes, KeywordForm]:
    encoded = keyword.encode("utf-8")
    return (encoded if form.exact else encoded.lower()), form


class Engine:
    """A compiled catalog. ``scan`` is pure and never raises; instances pickle cheaply."""

    def __init__(self, catalog: Catalog, *, prefilter: str | None = None) -> None:
        """``prefilter`` names a backend (see ``detectors.prefilter.BACKENDS``); None = fastest."""
        self.catalog = catalog
        self._backend = prefilter
        self._compiled: _Compiled | None = _Compiled(catalog, prefilter)

    def __getstate__(self) -> dict[str, object]:
        return {"catalog": self.catalog, "backend": self._backend}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.catalog = state["catalog"]  # type: ignore[assignment]
        self._backend = state["backend"]  # type: ignore[assignment]
        self._compiled = None

    @property
    def compiled(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self.catalog, self._backend)
        return self._compiled

    def prepare(self) -> None:
        """Compile every pattern now (before forking processes that share this engine)."""
        for rule in self.compiled.rules:
            _ = rule.pattern, rule.allow, rule.context_groups, rule.reach, rule.requires

    @property
    def prefilter_name(self) -> str:
        return self.compiled.prefilter.name

    def scan(self, data: bytes | str) -> list[Match]:
        """Matches in ``data`` sorted by (start offset, catalog order of the rule)."""
        return self.scan_outcome(data).matches

    def scan_outcome(self, data: bytes | str, *, timeout: float = RULE_TIMEOUT) -> ScanOutcome:
        """``scan``, plus the ids of rules whose search exceeded ``timeout`` seconds on a window."""
        blob = _to_bytes(data)
        compiled = self.compiled
        spans = compiled.prefilter.scan(blob)
        if not spans:
            return ScanOutcome([])
        by_keyword = compiled.rules_by_keyword
        touched = sorted({rule for keyword in spans if keyword in by_keyword for rule in by_keyword[keyword]})
        decoded = DecodedBlob(blob)
        candidates: list[_Candidate] = []
        timed_out: list[str] = []
        located = False  # whether the gated keywords' every hit is in ``spans``
        for index in touched:
            rule = compiled.rules[index]
            if rule.requires is not None:
                if rule.presence is not None and rule.presence not in spans:
                    continue  # the prefilter did not find what every match contains
                if rule.requires.search(blob) is None:
                    continue  # what every match contains is not in this blob: no window can match
                if not located:
                    spans.update(compiled.gated_spans(blob))
                    located = True
            hits = [span for keyword in rule.keywords for span in spans.get(keyword, ())]
            found: list[_Candidate] = []
            try:
                _search(rule, decoded, _windows(blob, hits, rule.rule.window), timeout, compiled.quiet, found)
            except TimeoutError:
                timed_out.append(rule.rule.id)
            candidates.extend(found)
        return ScanOutcome(_finalize(blob, _resolve_overlaps(candidates, compiled.rules)), tuple(timed_out))


def _to_bytes(data: bytes | str) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return data.encode("utf-8")
    except UnicodeEncodeError:
        return data.encode("utf-8", "surrogatepass")


def _windows(blob: bytes, hits: list[list[int]], window: int) -> list[tuple[int, int]]:
    """Merged byte ranges to search: ``window`` around each hit, then out to line boundaries.

    One pass: ``hits`` (sorted here, in place) widen and merge into windows, each window extends to
    its lines and joins the previous one when less than ``2 * MARGIN`` bytes apart.
    """
    size, gap = len(blob), 2 * MARGIN
    hits.sort()
    ranges: list[tuple[int, int]] = []
    low, high = -1, -1
    for start, end in hits:  # comparisons, not max()/min(): this loop runs once per keyword hit
        start -= window
        if start < 0:
            start = 0
        end += window
        if end > size:
            end = size
        if low < 0 or start > high:
            if low >= 0:
                _extend(ranges, _line_start(blob, low, window), _line_end(blob, high, window), gap)
            low, high = start, end
        elif end > high:
            high = end
    if low >= 0:
        _extend(ranges, _line_start(blob, low, window), _line_end(blob, high, window), gap)
    return ranges


def _extend(ranges: list[tuple[int, int]], start: int, end: int, gap: int) -> None:
    """Append ``start:end`` to ``ranges``, or join it to the last range when within ``gap`` of it."""
    if ranges and start <= ranges[-1][1] + gap:
        first, last = ranges[-1]
        ranges[-1] = (first, end if end > last else last)
    else:
        ranges.append((start, end))


def _line_start(blob: bytes, offset: int, cap: int) -> int:
    floor = offset - cap if offset > cap else 0
    found = blob.rfind(b"\n", floor, offset)
    carriage = blob.rfind(b"\r", found + 1 if found >= 0 else floor, offset)
    if carriage > found:
        found = carriage
    return found + 1 if found >= 0 else floor


def _line_end(blob: bytes, offset: int, cap: int) -> int:
    ceiling = offset + cap
    if ceiling > len(blob):
        ceiling = len(blob)
    found = blob.find(b"\n", offset, ceiling)
    if found >= 0:
        ceiling = found
    carriage = blob.find(b"\r", offset, ceiling)
    return carriage if carriage >= 0 else ceiling


def _search(rule: _CompiledRule, blob: DecodedBlob, windows: list[tuple[int, int]], timeout: float,
            quiet: QuietWindows, found: list[_Candidate]) -> None:
    """Append to ``found`` the candidates of ``rule`` whose match starts within one of the byte ranges
    ``windows``; a window whose search found no match at all is remembered in ``quiet``, and not
    searched again. One call per rule and blob, the windows in a loop: this runs for every window.

    Raises ``TimeoutError`` when a window's search takes more than ``timeout`` seconds.
    """
    data, text, ascii_text = blob.data, blob.text, blob.ascii
    size, reach, order, finditer = len(data), rule.reach, rule.order, rule.pattern.finditer
    mode = 0 if ascii_text else 1 if len(text) != size else 2  # ASCII, UTF-8, Latin-1
    for start, end in windows:
        limit = end + MARGIN
        if limit > size:
            limit = size
        if not ascii_text:
            start, end, limit = char_start(data, start), char_start(data, end), char_start(data, limit)
        key = None
        if reach is not None:
            key = quiet.key(order, reach, mode, data, start, end, limit)
            if key in quiet:
                continue
        if ascii_text:  # one character per byte, every byte a character's start
            first, stop = start, end
        else:
            first, stop, limit = blob.char_index(start), blob.char_index(end), blob.char_index(limit)
        matched = False
        for match in finditer(text, first, limit, timeout=timeout):
            if match.start() >= stop:
                break
            matched = True
            candidate = _candidate(rule, blob, match)
            if candidate is not None:
                found.append(candidate)
        if not matched and key is not None:
            quiet.add(key)


def _candidate(rule: _CompiledRule, blob: DecodedBlob, found: regex.Match) -> _Candidate | None:
    first, last = found.span("secret")
    if first < 0 or first == last:
        return None
    start, end = blob.byte_offset(first), blob.byte_offset(last)
    raw = blob.data[start:end]
    secret = raw.decode("utf-8", "replace")  # bytes that are not UTF-8 show as U+FFFD
    spec = rule.rule
    if spec.min_entropy is not None and shannon_entropy(secret) < spec.min_entropy:
        return None
    if any(allowed.search(secret) for allowed in rule.allow):
        return None
    lifetime = None
    if spec.decoder == "jwt":
        lifetime = jwt_lifetime(secret)
        if lifetime is None:
            return None
    scored = score(spec, secret, _surroundings(blob.text, first, last))
    if scored is None:
        return None
    context = tuple(
        (name, _bytes_of(blob, found.span(name)).decode("utf-8", "replace"))
        for name in rule.context_groups
        if found.group(name) is not None
    )
    return _Candidate(start, end, rule.order, spec.id, secret, raw, context, lifetime, *scored)


def _surroundings(text: str, first: int, last: int) -> Surroundings:
    """The secret's line around it (at most ``_AROUND`` characters each way) and a few lines nearby.

    Line ends are looked for at most ``MINIFIED_LINE`` characters away, so that many matches on one
    huge line stay linear; a line longer than that reports a length of ``MINIFIED_LINE + 1``.
    """
    floor, ceiling = max(0, first - MINIFIED_LINE), min(len(text), last + MINIFIED_LINE)
    found_start = max(text.rfind("\n", floor, first), text.rfind("\r", floor, first))
    line_start = found_start + 1 if found_start >= 0 else floor
    ends = [found for found in (text.find("\n", last, ceiling), text.find("\r", last, ceiling)) if found >= 0]
    line_end = min(ends) if ends else ceiling
    length = line_end - line_start
    if (found_start < 0 and floor > 0) or (not ends and ceiling < len(text)):
        length = MINIFIED_LINE + 1
    return Surroundings(
        before=text[max(line_start, first - _AROUND) : first],
        after=text[last : min(line_end, last + _AROUND)],
        nearby=text[max(0, first - 4 * _AROUND) : last + 4 * _AROUND],
        line_length=length,
    )


def _bytes_of(blob: DecodedBlob, span: tuple[int, int]) -> bytes:
    return blob.data[blob.byte_offset(span[0]) : blob.byte_offset(span[1])]


def _resolve_overlaps(candidates: list[_Candidate], rules: Sequence[_CompiledRule]) -> list[_Candidate]:
    """Specific beats generic on overlapping spans; one match per (span, kind), first rule wins."""
    candidates.sort(key=lambda c: (c.start, c.order, c.end))
    specific = sorted((c.start, c.end) for c in candidates if not rules[c.order].rule.generic)
    starts = [start for start, _ in specific]
    reach: list[int] = []  # reach[i]: furthest end among specific[:i + 1]
    for _, end in specific:
        reach.append(max(end, reach[-1]) if reach else end)
    kept: list[_Candidate] = []
    seen: set[tuple[int, int]] = set()
    for candidate in candidates:
        if rules[candidate.order].rule.generic:
            before = bisect.bisect_left(starts, candidate.end)
            if before and reach[before - 1] > candidate.start:
                continue
        if (candidate.start, candidate.end) in seen:
            continue
        seen.add((candidate.start, candidate.end))
        kept.append(candidate)
    return kept


def _finalize(blob: bytes, candidates: list[_Candidate]) -> list[Match]:
    """Drop suppressed candidates and place the rest at their line and column."""
    lines = LineIndex(blob)
    suppressed: dict[int, bool] = {}  # line start -> that line carries a marker
    matches = []
    for candidate in candidates:
        line_start = lines.line_start(candidate.start)
        if line_start not in suppressed:
            suppressed[line_start] = is_suppressed(blob[line_start : lines.line_end(candidate.start)])
        if suppressed[line_start] or _multiline_suppressed(blob, lines, candidate):
            continue
        line, column = lines.locate(candidate.start)
        matches.append(
            Match(
                rule_id=candidate.rule_id,
                secret=candidate.secret,
                start=candidate.start,
                end=candidate.end,
                line=line,
                column=column,
                fingerprint=fingerprint(candidate.raw),
                context=candidate.context,
                lifetime=candidate.lifetime,
                confidence=candidate.confidence,
                reasons=candidate.reasons,
            )
        )
    return matches


def _multiline_suppressed(blob: bytes, lines: LineIndex, candidate: _Candidate) -> bool:
    """For a secret spanning lines (a PEM key), a marker on any of its lines counts."""
    if b"\n" not in candidate.raw and b"\r" not in candidate.raw:
        return False
    return is_suppressed(blob[candidate.start : lines.line_end(candidate.end)])


_ENGINES: dict[str, Engine] = {}


def build_engine(extra_rule_files: Sequence[str | Path] = ()) -> Engine:
    """The engine for the built-in catalog plus ``extra_rule_files``, compiled once per process.

    Raises ``detectors.catalog.CatalogError`` when a rules file is invalid.
    """
    catalog = load_catalog(extra_rule_files)
    engine = _ENGINES.get(catalog.digest)
    if engine is None:
        engine = _ENGINES[catalog.digest] = Engine(catalog)
    return engine
