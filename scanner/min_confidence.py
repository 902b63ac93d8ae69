"""The ``--min-confidence LEVEL`` option shared by ``sprawl scan``, ``secrets list`` and ``metrics``.

LEVEL is ``high``, ``medium`` or ``low`` (any case); the default is ``medium``, so findings and
secrets at low confidence (placeholders, test fixtures, vendored code) are kept but not shown
unless asked for with ``--min-confidence low``.
"""

from __future__ import annotations

import argparse

from secret_sprawl.detectors.types import Confidence

# The tracker's DEFAULT_FLOOR too; not imported from there, so that a scan that records nothing
# starts without loading the tracker's database stack.
DEFAULT = Confidence.MEDIUM


def add_min_confidence(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--min-confidence`` to ``parser``; ``what`` names what it filters (e.g. "show findings")."""
    parser.add_argument(
        "--min-confidence", type=confidence_level, default=DEFAULT, metavar="LEVEL",
        help=f"{what} at this confidence or higher: high, medium or low (default {DEFAULT})",
    )


def confidence_level(text: str) -> Confidence:
    """An argparse type: a confidence level by name."""
    try:
        return Confidence(text.strip().lower())
    except ValueError:
        levels = ", ".join(level.value for level in Confidence)
        raise argparse.ArgumentTypeError(f"{text!r} is not a confidence level ({levels})") from None
