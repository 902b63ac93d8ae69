"""A URL's inline login (``scheme://user:password@host:port``): is it a local or a trivial one?

Database and service URLs with an inline password are credentials, but one on ``localhost`` or with
a password like ``postgres`` or ``password`` is a development default: it is reported at low
confidence (reason ``localhost`` or ``placeholder-like``) rather than dropped.
"""

from __future__ import annotations

import regex
from secret_sprawl.detectors.placeholder import placeholder_like

LOCALHOST = "localhost"

_LOGIN = regex.compile(r"^[A-Za-z0-9+.-]+://(?P<user>[^:@/]*):(?P<password>[^@]*)@(?P<host>\[[^\]]*\]|[^:/,]*)")
_LOCAL_HOSTS = regex.compile(
    r"(?i)^(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal|[a-z0-9-]+\.local(?:host)?)$"
)
_TRIVIAL_PART = regex.compile(r"(?i)foo|bar|baz|secret|passw|changeme|example")
_TRIVIAL = frozenset({
    "password", "passwd", "pass", "pwd", "secret", "changeme", "admin", "root", "guest", "default", "test",
    "testing", "postgres", "mysql", "redis", "mongo", "mongodb", "rabbitmq", "user", "dbpass", "db_password",
    "example", "letmein", "qwerty", "tiger", "foo", "bar", "baz", "p", "pw", "sa", "oracle", "mssql",
})


def url_login_reasons(url: str) -> tuple[str, ...]:
    """``localhost`` and/or ``placeholder-like`` for a URL's inline login; empty when neither."""
    found = _LOGIN.match(url)
    if found is None:
        return ()
    user, password, host = found.group("user"), found.group("password"), found.group("host")
    reasons = []
    if _LOCAL_HOSTS.match(host):
        reasons.append(LOCALHOST)
    if trivial_password(password, user):
        reasons.append("placeholder-like")
    return tuple(reasons)


def common_password(password: str) -> bool:
    """A default or dictionary password, alone or followed by digits and ``!``: ``redis123``."""
    lowered = password.lower()
    return lowered in _TRIVIAL or lowered.rstrip("0123456789!@#") in _TRIVIAL


def trivial_password(password: str, user: str = "") -> bool:
    """A default or dictionary password, the user name again, a very short one, or a placeholder."""
    return (
        common_password(password) or password == user or len(password) < 6 or placeholder_like(password)
        or bool(_TRIVIAL_PART.search(password))
    )
