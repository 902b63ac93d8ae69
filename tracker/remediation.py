"""How to revoke a tracked secret: the ``remediation`` text of the rule that found it.

The rules (``detectors/rules/*.toml``) are the one place this text lives; the tracker looks it up by
rule id for views that may not import the detectors' catalog themselves (the TUI).
"""

from __future__ import annotations

from functools import cache

from secret_sprawl.detectors.catalog import load_catalog

GENERIC = ("Revoke the credential in the issuing provider's console, issue a new one, and update every "
           "place listed above.")


@cache
def _by_rule() -> dict[str, str]:
    return {rule.id: rule.remediation for rule in load_catalog().rules}


def remediation(rule_id: str) -> str:
    """The rule's remediation text, or generic advice for a rule this installation does not know."""
    return _by_rule().get(rule_id) or GENERIC
