"""Who is acting: the default ``--by`` for every change recorded in the audit log (the OS user)."""

from __future__ import annotations

import getpass
import os


def default_actor() -> str:
    """The login name of the OS user running this process, or ``"unknown"`` if it cannot be found."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = os.environ.get("USER", "")
    return name or "unknown"
