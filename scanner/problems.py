"""Warnings of a scan summarised for a person: one stderr line per kind of problem.

A kind is the message without its particulars (object ids, numbers, the detail after the first
``": "``). A kind seen once is printed as it is; a kind seen more often is one line with the count
and the first few places ("142 × not valid notebook JSON …: a.ipynb, b.ipynb, c.ipynb and 139 more").
``verbose`` prints every warning. The report's ``scan.errors`` always keeps the full list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from secret_sprawl.detectors.types import ScanError

SHOWN = 3
_PARTICULARS = re.compile(r"\b[0-9a-f]{7,64}\b|\d+")


def kind(error: ScanError) -> str:
    head, _, rest = error.message.partition(": ")
    tail = rest.rpartition("; ")[2] if rest and "; " in rest else ""
    return _PARTICULARS.sub("N", head + (f" ({tail})" if tail else ""))


def summary_lines(errors: Iterable[ScanError], *, verbose: bool = False) -> list[str]:
    errors = list(errors)
    if verbose:
        return [_line(error) for error in errors]
    groups: dict[str, list[ScanError]] = {}
    for error in errors:
        groups.setdefault(kind(error), []).append(error)
    lines = []
    for name, group in groups.items():
        if len(group) == 1:
            lines.append(_line(group[0]))
            continue
        places = ", ".join(_place(error) for error in group[:SHOWN])
        more = f" and {len(group) - SHOWN} more (--verbose lists them)" if len(group) > SHOWN else ""
        lines.append(f"{len(group)} × {name}: {places}{more}")
    return lines


def _line(error: ScanError) -> str:
    return f"{_place(error)}: {error.message}"


def _place(error: ScanError) -> str:
    return f"{error.target}: {error.path or '(target)'}"
