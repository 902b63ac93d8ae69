"""Find the other half of an AWS key pair: the secret access key near a key id, and vice versa.

An AWS key id alone proves nothing and a secret access key alone cannot be used; STS needs both.
Candidates are other AWS matches of the same blob, paired by the nearest line (within a few lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from secret_sprawl.scanner.verify.client import AWS_KEY_ID, AWS_TEMPORARY_KEY_ID

MAX_LINE_DISTANCE = 5
KEY_ID_RULES = frozenset({"aws-access-key-id", "aws-sts-access-key-id"})
SECRET_KEY_RULES = frozenset({"aws-secret-access-key"})


@dataclass(frozen=True, slots=True)
class Candidate:
    rule_id: str
    secret: str = field(repr=False)
    line: int


def paired_secret(item: Candidate, others: Iterable[Candidate]) -> str:
    """The nearest complementary half for ``item`` in the same blob, or ``""``."""
    if item.rule_id in KEY_ID_RULES or _looks_like_key_id(item.secret):
        wanted = SECRET_KEY_RULES
    elif item.rule_id in SECRET_KEY_RULES:
        wanted = KEY_ID_RULES
    else:
        return ""
    near = [o for o in others if o.rule_id in wanted and abs(o.line - item.line) <= MAX_LINE_DISTANCE]
    if not near:
        return ""
    return min(near, key=lambda o: (abs(o.line - item.line), o.line)).secret


def _looks_like_key_id(value: str) -> bool:
    return bool(AWS_KEY_ID.match(value) or AWS_TEMPORARY_KEY_ID.match(value))
