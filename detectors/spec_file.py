"""Read one of the detectors' TOML data files (verifiers, identities, revocations): the built-in copy
shipped in the package or an operator's own, with one error message for an unreadable or invalid file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


def read_spec_file(path: str | Path | None, builtin_name: str,
                   error: type[Exception]) -> tuple[dict[str, Any], str]:
    """The parsed document of ``path`` (the package's ``builtin_name`` when None) and its source name;
    ``error`` is raised, naming the file, when it cannot be read or is not valid TOML."""
    source = Path(path) if path else Path(str(resources.files("secret_sprawl.detectors") / builtin_name))
    try:
        return tomllib.loads(source.read_text(encoding="utf-8")), str(source)
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{source}: not valid TOML: {exc}") from exc
