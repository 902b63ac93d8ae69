"""Keyword prefilter: find every rule keyword in one pass over a blob, case-insensitively.

The engine runs a rule's regex only in a window around the places its keywords occur, so the
prefilter's job is to report where each keyword occurs, cheaply. Hits of one keyword that lie close
together (within ``gap`` bytes of each other) are coalesced into one span while scanning, so a blob
with thousands of hits of a common keyword costs one short list, not thousands of windows.

Three interchangeable backends, picked by measurement (``python -m bench.engine``). The speeds below
are of the prefilter alone; the whole engine's (prefilter plus rules), which pyproject.toml quotes
when choosing the dependency, are lower:

- ``hyperscan``: a Hyperscan database of the escaped keywords (vectorized; about 1 GB/s with the catalog's
  ~400 keywords on this machine);
- ``ahocorasick``: a pyahocorasick automaton over the ASCII-lowercased blob (about 50 MB/s);
- ``regex``: the pure-Python fallback, one trie-shaped pattern of the escaped keywords (15-30 MB/s).

Keywords are matched ASCII-case-insensitively and anywhere, except where a rule's pattern shows a
keyword only in one exact case or only at a word's start or end (``detectors.literals``) and the
backend can tell (Hyperscan, whose database holds each keyword as an escaped pattern); Hyperscan also
reports a ``first_only`` keyword once per scan (the engine asks for its every hit only when needed).
Compiling the Hyperscan database takes 10-150 ms, a large part of a small scan's start: the compiled
database is serialized into the cache (``detectors.cache``, keyed by the keyword patterns, their flags
and the Hyperscan version) and loaded from there by the next process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from secret_sprawl.detectors import cache
from secret_sprawl.detectors.anchors import Anchor
from secret_sprawl.detectors.literals import KeywordForm
from secret_sprawl.detectors.spans import merge

BACKENDS = ("hyperscan", "ahocorasick", "regex")

# keyword index -> coalesced [start, end] byte spans, in ascending order
KeywordSpans = dict[int, list[list[int]]]
Forms = Sequence[KeywordForm]


class Prefilter:
    """Common part of the backends: the keywords and the coalescing of hits into spans."""

    name = ""

    # Whether ``first_only`` keywords are reported once per scan (others report every hit: a superset).
    reports_first_only = False

    # Whether the backend looks for ``anchors`` and ``present`` patterns (Hyperscan); the others take
    # keywords only.
    takes_anchors = False

    def __init__(self, keywords: Sequence[bytes], gaps: Sequence[int], forms: Forms = (),
                 first_only: Sequence[bool] = (), anchors: Sequence[Anchor] = (),
                 present: Sequence[bytes] = ()) -> None:
        if (anchors or present) and not self.takes_anchors:
            raise ValueError(f"the {self.name} prefilter does not look for anchors or patterns")
        self.forms = tuple(forms) or (KeywordForm(),) * len(keywords)
        self.first_only = tuple(first_only) or (False,) * len(keywords)
        self.keywords = tuple(keyword if form.exact else keyword.lower()
                              for keyword, form in zip(keywords, self.forms, strict=True))
        self.anchors = tuple(anchors)
        self.present = tuple(present)  # may be emptied by a backend that cannot compile them
        # A hit's start is its end minus this: a keyword's length, an anchor's widest match.
        self.lengths = (*(len(keyword) for keyword in self.keywords), *(a.width for a in self.anchors),
                        *(0 for _ in self.present))
        self.gaps = tuple(gaps)
        # Each keyword in lower case -> every keyword index it stands for, for the backends that
        # match case-insensitively only and anywhere (an exact or word-start keyword is then found
        # in every case and place: more hits, the same findings).
        self.lowered: dict[bytes, list[int]] = {}
        for index, keyword in enumerate(self.keywords):
            self.lowered.setdefault(keyword.lower(), []).append(index)

    def scan(self, data: bytes) -> KeywordSpans:
        """Where each keyword (then each anchor, numbered after the keywords) occurs in ``data``;
        those that do not occur are absent."""
        if not data or not self.lengths:
            return {}
        spans: KeywordSpans = {}
        unordered: set[int] = set()
        lengths, gaps = self.lengths, self.gaps

        def add(keyword: int, _start: int, end: int, _flags: int = 0, _context: object = None) -> None:
            """One hit, coalesced into its keyword's last span when near it. Takes Hyperscan's
            match-handler arguments, so that backend calls it directly (one Python call per hit: a
            closure over locals, not a method, is the cheapest); its ``start`` is not read (Hyperscan
            reports none): a hit starts its keyword's length before its end."""
            start = end - lengths[keyword]
            found = spans.get(keyword)
            if found is None:
                spans[keyword] = [[start, end]]
                return
            last = found[-1]
            if last[0] <= start <= last[1] + gaps[keyword]:
                if end > last[1]:
                    last[1] = end
                return
            if start < last[0]:
                unordered.add(keyword)  # hits may arrive out of order: sorted and merged below
            found.append([start, end])

        self._hits(data, add)
        for keyword in unordered:
            spans[keyword] = merge(sorted(spans[keyword]), gaps[keyword])
        return spans

    def _hits(self, data: bytes, add: Callable[..., None]) -> None:
        """Call ``add(keyword_index, start, end)`` for every occurrence of every keyword."""
        raise NotImplementedError


class HyperscanPrefilter(Prefilter):
    name = "hyperscan"
    reports_first_only = True
    takes_anchors = True

    def __init__(self, keywords: Sequence[bytes], gaps: Sequence[int], forms: Forms = (),
                 first_only: Sequence[bool] = (), anchors: Sequence[Anchor] = (),
                 present: Sequence[bytes] = ()) -> None:
        import hyperscan

        super().__init__(keywords, gaps, forms, first_only, anchors, present)
        if not self.lengths:
            self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            return
        try:
            self._database = _hyperscan_database(self.keywords, self.forms, self.first_only, self.anchors,
                                                 self.present)
        except hyperscan.error:
            if not self.present:
                raise
            self.present = ()  # a pattern Hyperscan refuses: the engine searches for them itself
            self._database = _hyperscan_database(self.keywords, self.forms, self.first_only, self.anchors, ())
        self._make_scratch = lambda: hyperscan.Scratch(self._database)
        # A scratch space must not be shared between threads.
        self._local = threading.local()

    def _hits(self, data: bytes, add: Callable[..., None]) -> None:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._make_scratch()
        self._database.scan(data, match_event_handler=add, scratch=scratch)


def _hyperscan_database(keywords: Sequence[bytes], forms: Forms, first_only: Sequence[bool],
                        anchors: Sequence[Anchor], present: Sequence[bytes]) -> object:
    """The block-mode database of ``keywords``, each escaped into a pattern: caseless unless exact,
    between ``\\b`` where it may only start or end a word, reported once per scan where ``first_only``;
    then the ``anchors`` as they are; then the ``present`` patterns in Hyperscan's prefilter mode (a
    superset of their matches) reported once. Cached, else compiled (and cached)."""
    import hyperscan

    edge = {True: b"\\b", False: b""}
    expressions = [edge[form.word_start] + re.escape(keyword) + edge[form.word_end]
                   for keyword, form in zip(keywords, forms, strict=True)]
    expressions += [anchor.expression for anchor in anchors] + list(present)
    once_flag = {True: hyperscan.HS_FLAG_SINGLEMATCH, False: 0}
    flags = [(0 if form.exact else hyperscan.HS_FLAG_CASELESS) | once_flag[once]
             for form, once in zip(forms, first_only, strict=True)]
    flags += [0] * len(anchors)  # an anchor spells out both cases where it is caseless
    flags += [hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH] * len(present)
    version = getattr(hyperscan, "__version__", "")
    entry = "hyperscan-" + cache.key(version, bytes(flags), *expressions) + ".db"
    stored = cache.read(entry)
    if stored is not None:
        try:
            return hyperscan.loadb(stored, hyperscan.HS_MODE_BLOCK)
        except hyperscan.error:
            pass  # written by another build of the library: compile afresh
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
                     flags=flags)
    cache.write(entry, hyperscan.dumpb(database))
    return database


class AhoCorasickPrefilter(Prefilter):
    name = "ahocorasick"

    def __init__(self, keywords: Sequence[bytes], gaps: Sequence[int], forms: Forms = (),
                 first_only: Sequence[bool] = (), anchors: Sequence[Anchor] = (),
                 present: Sequence[bytes] = ()) -> None:
        import ahocorasick

        super().__init__(keywords, gaps, forms, first_only, anchors, present)
        self._automaton = ahocorasick.Automaton()
        for lowered, indices in self.lowered.items():
            # Latin-1 maps each byte to one character, so string offsets are byte offsets.
            self._automaton.add_word(lowered.decode("latin-1"), (indices, len(lowered)))
        if self.keywords:
            self._automaton.make_automaton()

    def _hits(self, data: bytes, add: Callable[..., None]) -> None:
        for last, (indices, length) in self._automaton.iter(data.lower().decode("latin-1")):
            for keyword in indices:
                add(keyword, last + 1 - length, last + 1)


class RegexPrefilter(Prefilter):
    """Pure Python: the keywords as one trie-shaped pattern, searched again after each hit's start.

    A trie (``sk-(?:proj-|ant-)?``) keeps the per-position work of Python's ``re`` small where a
    flat alternation of hundreds of literals would try each one. The greedy trie finds the longest
    keyword at a position; the shorter keywords that are prefixes of it are reported with it, and
    restarting one byte later finds keywords that overlap it.
    """

    name = "regex"

    def __init__(self, keywords: Sequence[bytes], gaps: Sequence[int], forms: Forms = (),
                 first_only: Sequence[bool] = (), anchors: Sequence[Anchor] = (),
                 present: Sequence[bytes] = ()) -> None:
        super().__init__(keywords, gaps, forms, first_only, anchors, present)
        self._pattern = re.compile(_trie_pattern(list(self.lowered)))
        # A lower-cased keyword -> the indices of itself and of every keyword it starts with.
        self._found = {
            word: [index for other, indices in self.lowered.items() if word.startswith(other)
                   for index in indices]
            for word in self.lowered
        }

    def _hits(self, data: bytes, add: Callable[..., None]) -> None:
        lowered, search, lengths = data.lower(), self._pattern.search, self.lengths
        found = search(lowered)
        while found is not None:
            start = found.start()
            for keyword in self._found[found.group()]:
                add(keyword, start, start + lengths[keyword])
            found = search(lowered, start + 1)


def _trie_pattern(keywords: Sequence[bytes]) -> bytes:
    root: dict = {}
    for keyword in keywords:
        node = root
        for byte in keyword:
            node = node.setdefault(byte, {})
        node[None] = {}
    return _trie_node(root)


def _trie_node(node: dict) -> bytes:
    branches = [re.escape(bytes([byte])) + _trie_node(child) for byte, child in sorted(
        (byte, child) for byte, child in node.items() if byte is not None)]
    if not branches:
        return b""
    body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
    if None not in node:
        return body
    return (body if len(branches) == 1 and len(body) == 1 else b"(?:" + body + b")") + b"?"


_CLASSES: dict[str, type[Prefilter]] = {
    "hyperscan": HyperscanPrefilter,
    "ahocorasick": AhoCorasickPrefilter,
    "regex": RegexPrefilter,
}


def available_backends() -> list[str]:
    """The backends whose native module imports here, fastest first; ``regex`` is always there."""
    names = []
    for name, module in (("hyperscan", "hyperscan"), ("ahocorasick", "ahocorasick")):
        try:
            __import__(module)
        except ImportError:
            continue
        names.append(name)
    return [*names, "regex"]


def hyperscan_accepts(expression: bytes) -> bool:
    """Whether Hyperscan compiles ``expression`` as an anchor (it refuses, say, nested repeats whose
    bounds multiply past its limit); checked once per anchor, before it joins the database."""
    import hyperscan

    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=[expression], ids=[0], elements=1, flags=[0])
    except hyperscan.error:
        return False
    return True


def takes_anchors(backend: str | None) -> bool:
    """Whether ``backend`` (None: the fastest available) looks for anchors."""
    name = backend if backend is not None else available_backends()[0]
    return name in _CLASSES and _CLASSES[name].takes_anchors


def build_prefilter(keywords: Sequence[bytes], gaps: Sequence[int], backend: str | None = None,
                    forms: Forms = (), first_only: Sequence[bool] = (),
                    anchors: Sequence[Anchor] = (), present: Sequence[bytes] = ()) -> Prefilter:
    """A prefilter over ``keywords`` (``gaps[i]``: coalescing distance for keyword ``i``; ``forms[i]``:
    in its own case only, at a word's start only, where the backend can tell; default: neither;
    ``first_only[i]``: whether keyword ``i``'s first hit is enough, where the backend can tell:
    ``reports_first_only``); ``anchors`` (``detectors.anchors``; backends that ``takes_anchors``) are
    numbered after the keywords, then ``present`` (byte patterns whose hit only says that the blob
    may hold a match; the prefilter's ``present`` is empty when the backend could not take them);
    ``gaps`` covers all.

    ``backend`` None picks the fastest available one; naming an unavailable backend raises
    ``ValueError``.
    """
    if backend is None:
        backend = available_backends()[0]
    if backend not in _CLASSES:
        raise ValueError(f"unknown prefilter backend {backend!r} (one of {', '.join(BACKENDS)})")
    try:
        return _CLASSES[backend](keywords, gaps, forms, first_only, anchors, present)
    except ImportError as exc:
        raise ValueError(f"prefilter backend {backend!r} is not installed: {exc}") from exc
