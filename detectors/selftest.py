"""Run rules' own examples through an engine: the check behind the catalog tests and ``rules check``.

Each example, scanned alone, must yield exactly its ``secret`` from that rule at the default
confidence (medium) or higher, or at low as a public-by-design key (other, unrelated secrets on
the same line, like a second registry in a Docker config, are fine; a truncated or extended
variant of it is not). A generic rule is a fallback: its example also passes when another rule
reports exactly that secret (a specific rule, or a generic one earlier in the catalog, took it).
Each negative example must yield nothing from that rule at the default confidence (a placeholder
reported at low confidence is fine: low findings are kept, and hidden by default). Running
them through the real engine (prefilter, windows, filters, overlap resolution) is what keeps a
rule's documentation and behaviour from drifting apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.types import Confidence, Rule


def check_rule(engine: Engine, rule: Rule) -> list[str]:
    """Problems with ``rule``'s examples under ``engine``, one sentence each; empty when all pass."""
    problems = []
    for number, example in enumerate(rule.examples, 1):
        found = _secrets(engine, rule, example.text, example=True)
        variants = [s for s in found if s != example.secret and (s in example.secret or example.secret in s)]
        if example.secret not in found or variants:
            got = "nothing" if not found else ", ".join(repr(secret) for secret in found)
            problems.append(
                f"{rule.id}: example {number} {_short(example.text)} should yield "
                f"{example.secret!r} but yielded {got}"
            )
    for number, text in enumerate(rule.negative_examples, 1):
        found = _secrets(engine, rule, text)
        if found:
            problems.append(
                f"{rule.id}: negative example {number} {_short(text)} must not match but yielded "
                + ", ".join(repr(secret) for secret in found)
            )
    return problems


def check_rules(engine: Engine, rules: Iterable[Rule]) -> list[str]:
    """``check_rule`` over several rules."""
    return [problem for rule in rules for problem in check_rule(engine, rule)]


def _secrets(engine: Engine, rule: Rule, text: str, *, example: bool = False) -> list[str]:
    """Secrets ``rule`` reports in ``text`` at the default confidence. For an ``example``, public-by-
    design keys (always low) count, and for a generic rule so do secrets another rule reported."""
    fallback = example and rule.generic
    return sorted({match.secret for match in engine.scan(text)
                   if (match.rule_id == rule.id or fallback) and (
                       match.confidence.at_least(Confidence.MEDIUM)
                       or (example and "public-by-design" in match.reasons))})


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")
