"""A small on-disk cache of what is slow to derive from the rules (the validated catalog, the compiled
prefilter), so that a process starts without re-deriving it. Entries are named by a hash of
everything they derive from (the rule files' bytes and the code that derives them), so a stale entry
is never used. Never required: when the folder cannot be read or written, nothing is cached.

The folder is ``$SPRAWL_CACHE_DIR`` when set, else ``compiled/`` in the user cache dir; it is created
readable by its owner only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from platformdirs import user_cache_dir


def folder() -> Path:
    configured = os.environ.get("SPRAWL_CACHE_DIR")
    return Path(configured) if configured else Path(user_cache_dir("secret-sprawl")) / "compiled"


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def source_hash(*modules: str) -> str:
    """A hash of these modules' source files (the code an entry was derived with)."""
    return key(*(Path(path).read_bytes() for path in modules))


def read(name: str) -> bytes | None:
    try:
        return (folder() / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Store an entry atomically (a reader sees the old entry or the new one, never a part)."""
    try:
        target = folder()
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target, prefix=".tmp-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target / name)
    except OSError:
        return
