"""Remove credentials from URLs, and from any text that may contain one (git's own error messages).

The one scrubber every boundary uses (output, errors, logs, database rows, mirror config). It knows
every form a credential takes in a URL: ``user:pass@`` and a token as the user name (``TOKEN@``),
percent-encoded (``user%3Apass@``), any scheme in any case (``HTTPS://``, ``git+https://``),
scp-style ``user:TOKEN@host:path`` (even ssh's usual ``git@``), credential-bearing query
parameters (``?access_token=``, ``private_token``, ``key``, ``sig``...) and a fragment.
Pure functions: no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

REDACTED = "REDACTED"
_SECRET_PARAM = re.compile(
    r"token|secret|passw|pwd|auth|key|sig|credential|session|ticket|code|bearer", re.IGNORECASE
)
_SSH_GIT_USER = re.compile(r"^(?:ssh://)?git@[\w.-]+(?::\d+)?[:/][^?#@]*$")
# scheme://[userinfo@]rest -- the scheme may be git+https, svn+ssh, HTTPS...
_SCHEME_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s'\"<>`]*)")
# user[:pass]@host:path (scp-like), not preceded by "://" (handled above).
_SCP_URL = re.compile(r"(?<![\w/@.%+-])([^\s'\"<>`:/@]+(?::[^\s'\"<>`@/]*)?)@([\w.-]+:(?!//))")


def scrub_url(url: str) -> str:
    """``url`` with userinfo, credential query parameters and fragment removed (also scp-style)."""
    if "://" in url:
        return _scrub_scheme_url(url)
    return _SCP_URL.sub(r"\2", url)


def scrub_text(text: str) -> str:
    """``text`` with every URL in it scrubbed (for messages that quote URLs, such as git's)."""
    text = _SCHEME_URL.sub(lambda m: _scrub_scheme_url(m.group(0)), text)
    return _SCP_URL.sub(r"\2", text)


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries a credential (ssh's plain ``git@host:`` user is not one)."""
    return scrub_url(url) != url and not _SSH_GIT_USER.match(url)


def _scrub_scheme_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    slash = rest.find("/")
    authority, tail = (rest, "") if slash == -1 else (rest[:slash], rest[slash:])
    # The last '@' before the path ends the userinfo, even when the userinfo holds '?', '#' or ':'.
    authority = authority.rpartition("@")[2]
    for stop in "?#":
        if stop in authority:
            authority, _, extra = authority.partition(stop)
            tail = f"{stop}{extra}{tail}"
    path, _, query = tail.split("#", 1)[0].partition("?")
    query = _scrub_query(query)
    return f"{scheme}{sep}{authority}{path}{'?' + query if query else ''}"


def _scrub_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return "" if "=" not in query and len(query) > 16 else query
    kept = [(k, REDACTED if _SECRET_PARAM.search(k) else v) for k, v in pairs]
    return urlencode(kept, safe=REDACTED)
