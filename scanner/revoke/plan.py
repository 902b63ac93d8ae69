"""Plan a revocation per tracked secret: the provider's calls (as the key's holder, or as an admin when
the admin key is in the environment), or the manual steps where no API exists, or why nothing is done
(resolved already, value no longer readable). Planning sends nothing: ``--dry-run`` shows the plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from secret_sprawl.detectors.engine import Engine as RuleEngine
from secret_sprawl.detectors.revocation import RevocationCatalog, RevocationSpec, Step
from secret_sprawl.detectors.verification import VerifierCatalog
from secret_sprawl.scanner.revoke.answers import render
from secret_sprawl.scanner.verify.client import VerifyRequest
from secret_sprawl.scanner.verify.service import Item, reread_items
from secret_sprawl.scanner.verify.settings import VerifySettings
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.models.core import SecretStatus
from secret_sprawl.tracker.remediation import remediation
from sqlalchemy import Engine
from sqlmodel import Session

API, MANUAL, SKIPPED, CLOSED = "api", "manual", "skipped", "closed"


@dataclass(frozen=True, slots=True)
class Planned:
    """What will be done for one secret: ``kind`` api (``steps`` to ``base``, as the key's ``mode``
    holder or as an admin), manual (revoke it by hand), skipped (its value cannot be read) or closed
    (resolved already)."""

    secret_id: int
    redacted: str
    provider: str
    rule_id: str
    kind: str
    reason: str = ""  # manual / skipped / closed: why
    console: str = ""
    steps: tuple[Step, ...] = ()
    base: str = ""
    admin_env: tuple[str, ...] = ()
    request: VerifyRequest | None = field(default=None, repr=False)
    mode: str = ""  # api: "holder" (the key revokes itself) or "admin"

    def describe(self) -> list[str]:
        """The calls, redacted: what ``--dry-run`` shows (values looked up on the way stay ``{name}``)."""
        shown = {"secret": self.redacted, "secret_json": f'"{self.redacted}"',
                 "admin": f"${self.admin_env[0]}" if self.admin_env else "", "aws_key_id": "{aws_key_id}"}
        lines = []
        for step in self.steps:
            line = f"{step.method} {self.base}{render(step.path, shown)}"
            if step.body:
                line += f"  body: {render(step.body, shown)}"
            signed = f"; signed with {'the admin key pair' if step.auth == 'admin' else 'the key pair'}"
            lines.append(f"{line}  ({step.name}{signed if step.sign else ''})")
        return lines


def plan(db: Engine, rules: RuleEngine | None, verifiers: VerifierCatalog, revocations: RevocationCatalog,
         settings: VerifySettings, secret_ids: Sequence[int], *, env: Mapping[str, str],
         fingerprint_key: bytes | None = None, items: Sequence[Item] = ()) -> list[Planned]:
    """A plan per secret; values are read afresh from where they were found (with ``rules``) unless
    ``items`` has them already."""
    given = dict(items)
    with Session(db) as session:
        secrets = {int(s.id or 0): s for s in queries.secrets_by_id(session, secret_ids)}
    plans: dict[int, Planned] = {}
    to_read: list[int] = []
    for secret_id in secret_ids:
        secret = secrets[secret_id]
        base = Planned(secret_id, secret.redacted, secret.provider, secret.rule_id, SKIPPED)
        spec = revocations.spec_for(secret.provider, secret.rule_id)
        if secret.status != SecretStatus.OPEN:
            plans[secret_id] = _with(base, CLOSED, f"already {secret.status}")
        elif spec is None:
            plans[secret_id] = _with(base, MANUAL, f"{secret.provider} has no revocation API for "
                                                   f"{secret.rule_id}: {remediation(secret.rule_id)}")
        elif verifiers.spec_for(secret.provider, secret.rule_id) is None:
            plans[secret_id] = _with(base, MANUAL, f"no verifier could confirm a revocation of "
                                                   f"{secret.rule_id}: {remediation(secret.rule_id)}",
                                     spec.console)
        else:
            admin = bool(spec.admin_steps) and all(env.get(name) for name in spec.admin_env)
            if not admin and not spec.steps:
                need = " and ".join(spec.admin_env)
                why = f"set {need} (an admin key) to revoke it through {secret.provider}'s API, or: "
                plans[secret_id] = _with(base, MANUAL, why + remediation(secret.rule_id), spec.console)
                continue
            plans[secret_id] = replace(
                base, kind=API, console=spec.console, steps=spec.admin_steps if admin else spec.steps,
                base=_base_url(spec, settings), admin_env=spec.admin_env if admin else (),
                request=given.get(secret_id), mode="admin" if admin else "holder")
            if secret_id not in given:
                to_read.append(secret_id)
    read, skipped = reread_items(db, rules, verifiers, to_read, fingerprint_key) if to_read and rules else (
        [], [(i, "", "the value is not at hand") for i in to_read])
    for secret_id, request in read:
        plans[secret_id] = replace(plans[secret_id], request=request)
    for secret_id, _redacted, why in skipped:
        plans[secret_id] = _with(plans[secret_id], SKIPPED, why)
    return [plans[i] for i in secret_ids]


def _base_url(spec: RevocationSpec, settings: VerifySettings) -> str:
    """The operator's override for the provider, else its official base: never a scanned URL."""
    return settings.endpoints.get(spec.provider, spec.base_url).rstrip("/")


def _with(planned: Planned, kind: str, reason: str, console: str = "") -> Planned:
    return replace(planned, kind=kind, reason=reason, console=console or planned.console, steps=(),
                   request=None)
