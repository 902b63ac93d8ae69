"""The key of the audit chain's HMAC, kept outside the database so a copy of it cannot re-sign events.

``$SPRAWL_AUDIT_KEY`` when set (inject it from a secret manager; needed when several machines write one
shared PostgreSQL tracker: they must share the key), else ``audit.key`` in the user config dir,
created on first use with 256 random bits, mode 0600 in a 0700 directory. Losing the key does not
lose data, but the chain can then no longer be verified.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from platformdirs import user_config_dir

ENV = "SPRAWL_AUDIT_KEY"


class AuditKeyError(RuntimeError):
    """The key file exists but cannot be read, or cannot be created."""


def audit_key() -> bytes:
    """The HMAC key for audit events (see the module docstring for where it comes from)."""
    value = os.environ.get(ENV)
    if value:
        return value.encode("utf-8")
    return _key_file(str(key_path()))


def key_path() -> Path:
    return Path(user_config_dir("secret-sprawl")) / "audit.key"


@lru_cache(maxsize=4)
def _key_file(location: str) -> bytes:
    path = Path(location)
    try:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
        key = path.read_text(encoding="ascii").strip()
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()  # another process created it first
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"cannot use the audit key file {path}: {exc}") from None
    if not key:
        raise AuditKeyError(f"the audit key file {path} is empty")
    return key.encode("ascii")
