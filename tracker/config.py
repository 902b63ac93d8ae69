"""Where the config file and the tracker database are, found the same way by every door (CLI, TUI, scheduler).

Config file: ``--config FILE``, else ``./sprawl.toml``, else ``sprawl.toml`` in the user config dir;
each consumer reads its own table (``[sla]``, ``[verify]``, ``[notify]``, ``[inventory]``).
Database: ``--db URL``, else ``$SPRAWL_DB``, else the embedded SQLite default.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir


class ConfigError(ValueError):
    """A config file that was asked for but cannot be read or parsed."""


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    for candidate in (Path.cwd() / "sprawl.toml", Path(user_config_dir("secret-sprawl")) / "sprawl.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None) -> dict[str, Any]:
    """The config as a dict (empty when there is none); ConfigError for an unusable file."""
    path = config_path(explicit)
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc


def database_url(explicit: str | None) -> str:
    """``--db``, else ``$SPRAWL_DB``, else the embedded SQLite default."""
    from secret_sprawl.tracker.db import default_url  # here: loading the config must not load alembic

    return explicit or os.environ.get("SPRAWL_DB") or default_url()
