"""The ``[revoke] automatic = ["github", ...]`` policy: revoke what a recorded scan just found, without
asking, for the providers the operator named, and for no other. With no policy (the default) nothing
here sends anything. The values are this scan's findings, still in memory; the calls, re-checks and
events are the same as ``sprawl revoke --yes``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from secret_sprawl.detectors.types import Finding

if TYPE_CHECKING:
    from secret_sprawl.scanner.revoke.service import Revoked
    from secret_sprawl.tracker.config_schema import Config
    from sqlalchemy import Engine


def revoke_automatically(
    db: Engine, config: Config, findings: Iterable[Finding], *, scan_id: int | None, by: str,
    endpoints: Sequence[str] = (), allow_overrides: bool = False,
) -> list[Revoked]:
    """Revoke the open secrets among ``findings`` whose provider the policy names; [] without a policy."""
    policy = frozenset(config.revoke.automatic)
    chosen = [f for f in findings if f.provider in policy]
    if not chosen:
        return []
    # Imported here so that a scan without a policy never loads the HTTP stack.
    import os

    from secret_sprawl.detectors.revocation import load_revocations
    from secret_sprawl.detectors.verification import load_verifiers
    from secret_sprawl.scanner.revoke.plan import API, plan
    from secret_sprawl.scanner.revoke.service import Recheck, revoke, summary
    from secret_sprawl.scanner.verify.client import Verifier
    from secret_sprawl.scanner.verify.service import items_for_fingerprints, requests_from_findings
    from secret_sprawl.scanner.verify.settings import VerifySettings

    verifiers = load_verifiers()
    settings = VerifySettings.from_config(config, endpoints, allow_overrides=allow_overrides)
    items = items_for_fingerprints(db, requests_from_findings(chosen, verifiers))
    plans = plan(db, None, verifiers, load_revocations(), settings, [i for i, _ in items], env=os.environ,
                 items=items)
    table = config.revoke
    results = revoke(db, [p for p in plans if p.kind == API], Verifier(verifiers, settings), settings,
                     env=os.environ, by=by, scan_id=scan_id,
                     recheck=Recheck(table.recheck_attempts, table.recheck_delay))
    if results:
        print(f"[revoke] automatic ({', '.join(sorted(policy))}): {summary(results)}", file=sys.stderr)
    return results
