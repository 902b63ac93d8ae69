"""Where the config file and the tracker database are, found the same way by every door (CLI, TUI, scheduler).

Config file: ``--config FILE``, else ``./sprawl.toml``, else ``sprawl.toml`` in the user config dir.
It is read once per command into a typed :class:`Config` (see ``tracker/config_schema.py``) and
passed down. Trust boundary: a ``./sprawl.toml`` that lies inside a target being scanned is never
read (a repository must not configure its own scan), and even outside one its ``[notify] url`` and
``[verify.endpoints]`` are ignored: where a secret or an alert may be sent comes only from the command
line, the environment, ``--config`` or the user config dir.
Database: ``--db URL``, else ``$SPRAWL_DB``, else the embedded SQLite default.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir
from pydantic import ValidationError
from secret_sprawl.tracker.config_schema import Config, config_problem

log = logging.getLogger(__name__)
CONFIG_NAME = "sprawl.toml"
# A token variable's name (``--token-env HOST=NAME``): upper case, as environment variables are by
# convention; a token pasted in its place (ghp_…, glpat-…, hf_…) has lower-case letters or dashes.
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


class ConfigError(ValueError):
    """A config file that was asked for but cannot be read, parsed or validated."""


def user_config_path() -> Path:
    return Path(user_config_dir("secret-sprawl")) / CONFIG_NAME


def load_config(explicit: str | None, *, scanned: Iterable[str] = ()) -> Config:
    """The validated config (defaults when there is no file); ConfigError naming file, table and key.

    ``scanned`` are the targets of this run: a ``./sprawl.toml`` inside one of them is not read.
    """
    if explicit:
        return _read(Path(explicit))
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        inside = _inside_any(local, scanned)
        if inside is None:
            return _without_destinations(_read(local), local)
        log.warning("ignoring %s: it is inside the scanned target %s", local, inside)
    user = user_config_path()
    return _read(user) if user.is_file() else Config()


def parse_config(text: str, source: str) -> Config:
    """A config from TOML text; ConfigError naming ``source`` and the table and key at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {source} is not valid TOML: {exc}") from None
    return validate_config(data, source)


def validate_config(data: Mapping[str, Any], source: str) -> Config:
    """A config from parsed TOML; ConfigError naming ``source`` and the table and key at fault."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"config {source}: {config_problem(exc)}") from None


def database_url(explicit: str | None) -> str:
    """``--db``, else ``$SPRAWL_DB``, else the embedded SQLite default; DatabaseError for a bad URL."""
    from secret_sprawl.tracker.db import check_url, default_url  # here: the config must not load alembic

    return check_url(explicit or os.environ.get("SPRAWL_DB") or default_url())


def _read(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not UTF-8 text") from None
    return parse_config(text, str(path))


def _without_destinations(config: Config, path: Path) -> Config:
    """The working directory's config minus the places it could send secrets or alerts to."""
    dropped = [name for name, present in (("[notify] url", config.notify.url),
                                          ("[verify.endpoints]", config.verify.endpoints),
                                          ("[verify] allow_endpoint_overrides",
                                           config.verify.allow_endpoint_overrides)) if present]
    if not dropped:
        return config
    log.warning("ignoring %s in %s: put destinations in --config or %s", " and ".join(dropped), path,
                user_config_path())
    return config.model_copy(update={
        "notify": config.notify.model_copy(update={"url": None}),
        "verify": config.verify.model_copy(update={"endpoints": {}, "allow_endpoint_overrides": False}),
    })


def _inside_any(path: Path, targets: Iterable[str]) -> str | None:
    resolved = path.resolve()
    for target in targets:
        root = Path(target)
        if not root.exists():
            continue  # a URL, or nothing: no local file of it can be read here
        if resolved.is_relative_to(root.resolve()):
            return target
    return None
