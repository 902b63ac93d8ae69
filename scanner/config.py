"""Find and read the TOML config file and the tracker URL, as every command resolves them.

Order for the config file: ``--config FILE``, else ``./sprawl.toml``, else ``sprawl.toml`` in the
user config dir. Each consumer reads its own table (``[sla]``, ``[verify]``, ``[notify]``, ...).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from scanner.cli import UsageError
from tracker.db import default_url


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    for candidate in (Path.cwd() / "sprawl.toml", Path(user_config_dir("secret-sprawl")) / "sprawl.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None) -> dict[str, Any]:
    """The config as a dict; an explicit file that is missing or malformed is a usage error."""
    path = config_path(explicit)
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config {path} is not valid TOML: {exc}") from exc


def database_url(explicit: str | None) -> str:
    """``--db``, else ``$SPRAWL_DB``, else the embedded SQLite default."""
    if explicit:
        return explicit
    if os.environ.get("SPRAWL_DB"):
        return os.environ["SPRAWL_DB"]
    return default_url()
