"""How sure the engine is that a match is a live credential: a ``Confidence`` and the reasons for it.

- Provider formats (``reasons`` start with ``provider-format``): ``high`` when the rule's checksum
  validates (``checksum-valid``), or, for formats without one, when the value starts with its
  distinctive prefix and the rest is random (``entropy``); ``medium`` otherwise (a checksum that
  fails: a typed or generated example, or a corrupted copy).
- URL logins (database and service URLs): ``medium``, or ``low`` with ``localhost`` /
  ``placeholder-like`` for a local host or a trivial password.
- Generic assignments (``keyword-context``): read by ``detectors.assignment``; ``medium`` for an
  issued-looking literal, ``low`` for a placeholder, a public-by-design value or an expression,
  dropped (None) for code and non-credential shapes.
- Anything placeholder-like (``sk-test-...``, ``...EXAMPLE``, ``xxxx``) is ``low``; public-by-design
  values (a rule's ``public = true``, a documented public prefix such as PostHog's ``phc_`` or a
  publishable ``pk_live_``, a Supabase anon JWT, a Firebase web ``apiKey`` in its web config) are
  ``low``. A match on a minified line (over ``MINIFIED_LINE`` characters) is ``low``.

Path context (tests, docs, examples, vendored) is applied later by the scanner with
``detectors.context.lower_for_path``; the engine never sees paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from secret_sprawl.detectors.assignment import PLACEHOLDER, PUBLIC, assess
from secret_sprawl.detectors.checksum import checksum_valid
from secret_sprawl.detectors.entropy import shannon_entropy
from secret_sprawl.detectors.jwt import jwt_is_public
from secret_sprawl.detectors.placeholder import placeholder_like
from secret_sprawl.detectors.types import Confidence, Rule
from secret_sprawl.detectors.urlcreds import url_login_reasons

PROVIDER_FORMAT = "provider-format"
MINIFIED = "minified"
MINIFIED_LINE = 2000
_URL = regex.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Keys documented as safe to ship to browsers or apps: PostHog project keys, Stripe/Clerk publishable
# keys, Mapbox public tokens, Langfuse public keys, Supabase publishable keys.
PUBLIC_PREFIXES = ("phc_", "pk_live_", "pk_test_", "pk.ey", "pk-lf-", "sb_publishable_")
_WEB_CONFIG = regex.compile(r"authDomain|messagingSenderId|firebaseConfig|initializeApp|storageBucket|appId")
_LOW_REASONS = frozenset({PLACEHOLDER, PUBLIC, "localhost", "expression", MINIFIED})


@dataclass(frozen=True, slots=True)
class Surroundings:
    """The text around a match: its line before and after the secret, nearby lines, line length."""

    before: str
    after: str
    nearby: str
    line_length: int


def score(rule: Rule, secret: str, around: Surroundings) -> tuple[Confidence, tuple[str, ...]] | None:
    """The confidence and reasons of ``secret`` matched by ``rule``; None when it is not a credential."""
    if _URL.match(secret) and "@" in secret:
        reasons: tuple[str, ...] = (PROVIDER_FORMAT if not rule.generic else "keyword-context",
                                    *url_login_reasons(secret))
    elif rule.generic:
        assessed = assess(around.before, secret, around.after)
        if assessed is None:
            return None
        reasons = assessed
    else:
        reasons = _provider_reasons(rule, secret, around)
    if around.line_length > MINIFIED_LINE:
        reasons = (*reasons, MINIFIED)
    if _LOW_REASONS.intersection(reasons):
        return Confidence.LOW, reasons
    if "checksum-valid" in reasons or ("entropy" in reasons and PROVIDER_FORMAT in reasons):
        return Confidence.HIGH, reasons
    return Confidence.MEDIUM, reasons


def _provider_reasons(rule: Rule, secret: str, around: Surroundings) -> tuple[str, ...]:
    prefix = _prefix_length(rule, secret)
    reasons = [PROVIDER_FORMAT]
    if (rule.public or secret.startswith(PUBLIC_PREFIXES) or (rule.decoder == "jwt" and jwt_is_public(secret))
            or _firebase_web_key(secret, around)):
        reasons.append(PUBLIC)
    checked = checksum_valid(rule.checksum, secret) if rule.checksum is not None else None
    if _URL.match(secret):  # a webhook URL: only its random tail can be a placeholder
        placeholder = placeholder_like(secret.rstrip("/").rsplit("/", 1)[-1])
    else:
        placeholder = placeholder_like(secret, prefix)
    if placeholder:
        reasons.append(PLACEHOLDER)
    elif checked:
        reasons.append("checksum-valid")
    elif checked is None and _random_after_prefix(secret, prefix):
        reasons.append("entropy")
    return tuple(reasons)


def _random_after_prefix(secret: str, prefix: int) -> bool:
    """A distinctive prefix followed by at least 16 characters of high entropy."""
    return prefix >= 3 and len(secret) - prefix >= 16 and shannon_entropy(secret[prefix:]) >= 3.5


def _prefix_length(rule: Rule, secret: str) -> int:
    """Length of the longest keyword the secret starts with (its provider prefix), or 0."""
    lowered = secret.lower()
    return max((len(keyword) for keyword in rule.keywords if lowered.startswith(keyword.lower())), default=0)


def _firebase_web_key(secret: str, around: Surroundings) -> bool:
    """A Google ``AIza`` key inside a Firebase web app config is shipped to every browser by design."""
    return secret.startswith("AIza") and bool(_WEB_CONFIG.search(around.nearby))
