"""The import direction the house plan fixes: detectors imports none of ours; tracker only detectors;
scanner detectors and tracker; tui only tracker (and detectors types). Read from the source with ast,
so a lazy import inside a function counts too."""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from secret_sprawl.scanner import sources
from secret_sprawl.scanner.sources.registry import SOURCES

ROOT = Path(__file__).resolve().parents[1]
OURS = ("detectors", "scanner", "tracker", "tui")
ALLOWED = {
    "detectors": {"detectors"},
    "tracker": {"tracker", "detectors"},
    "scanner": {"scanner", "detectors", "tracker"},
    "tui": {"tui", "tracker", "detectors"},
}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update((_ours(name), node.lineno) for name in names if _ours(name))
    return found


def _ours(module: str) -> str | None:
    """The folder a module name points into (``secret_sprawl.tracker.db`` -> ``tracker``), else None."""
    parts = module.split(".")
    if parts[0] in OURS:  # the bare folder name, as if the folders were top-level packages
        return parts[0]
    return parts[1] if parts[0] == "secret_sprawl" and len(parts) > 1 and parts[1] in OURS else None


@pytest.mark.parametrize("package", OURS)
def test_imports_point_one_way(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for imported, line in sorted(imported_packages(path))
        if imported not in ALLOWED[package]
    ]
    assert wrong == []


def test_tui_uses_only_detectors_types() -> None:
    uses = {
        f"{path.relative_to(ROOT)}"
        for path in (ROOT / "tui").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("detectors")
        and node.module != "secret_sprawl.detectors.types"
    }
    assert uses == set()


SQL_PACKAGES = ("sqlalchemy", "sqlmodel")
TRACKER_MODELS = "secret_sprawl.tracker.models"
SQL_BUILDERS = frozenset({"select", "func", "insert", "update", "delete", "text", "and_", "or_", "exists",
                          "case", "literal", "column", "table"})
SESSION_CALLS = frozenset({"get", "add", "add_all", "delete", "execute", "exec", "scalar", "scalars", "merge",
                           "query", "get_one"})


def sql_outside_tracker(path: Path) -> list[str]:
    """What in ``path`` builds SQL or reads/writes rows itself: a SQL builder imported from sqlalchemy or
    sqlmodel (or reached through the module, ``sa.select``), or a row call on a session/connection."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    on_models = any(isinstance(node, ast.ImportFrom) and (node.module or "").startswith(TRACKER_MODELS)
                    for node in ast.walk(tree))  # a session over our tables, not e.g. the job queue's own
    modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names if alias.name.split(".")[0] in SQL_PACKAGES}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in SQL_PACKAGES:
            found += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name in SQL_BUILDERS]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, name = node.value.id, node.attr
            row_call = owner in ("session", "connection") and name in SESSION_CALLS and on_models
            if row_call or (owner in modules and name in SQL_BUILDERS):
                found.append(f"{node.lineno}: {owner}.{name}")
    return found


@pytest.mark.parametrize("package", [p for p in OURS if p != "tracker"])
def test_only_the_tracker_touches_its_tables(package: str) -> None:
    wrong = [f"{path.relative_to(ROOT)}:{where}"
             for path in sorted((ROOT / package).rglob("*.py")) for where in sql_outside_tracker(path)]
    assert wrong == []


def test_only_the_tracker_creates_the_queues_tables() -> None:
    """The job queue's schema sits next to the tracker's tables: scanner/ connects, never builds it."""
    builds = ("SchemaManager", "psycopg.connect(")
    wrong = [f"{path.relative_to(ROOT)}" for package in OURS if package != "tracker"
             for path in sorted((ROOT / package).rglob("*.py"))
             if any(word in path.read_text(encoding="utf-8") for word in builds)]
    assert wrong == []


def test_the_sql_check_sees_sql(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import sqlalchemy as sa\nfrom sqlmodel import select\nq = sa.select(1)\n"
                      "session.get(X, 1)\nfrom secret_sprawl.tracker.models import X\n", encoding="utf-8")
    assert sql_outside_tracker(module) == ["2: imports select", "3: sa.select", "4: session.get"]


def test_every_module_says_what_it_is_for() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for package in (*OURS, "bench", "fixtures")
        for path in sorted((ROOT / package).rglob("*.py"))
        if not {"versions", "out"} & set(path.relative_to(ROOT).parts) and path.stat().st_size
        and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def _format_choices(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> tuple[str, ...]:
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return tuple(next(a for a in parser._actions if a.dest == "format").choices)


def test_every_output_renders_through_the_format_registry() -> None:
    from secret_sprawl.scanner.cli import build_parser
    from secret_sprawl.scanner.formats import REGISTRY, names, renderer

    assert {subject: all(callable(renderer(subject, name)) for name in names(subject))
            for subject in REGISTRY} == dict.fromkeys(REGISTRY, True)
    modules = {path.stem for path in (ROOT / "scanner" / "formats").glob("*.py")} - {"__init__", "text"}
    assert modules == {spec.split(":")[0] for formats in REGISTRY.values() for spec in formats.values()}
    parser = build_parser()
    commands = {"scan": ("scan",), "metrics": ("metrics",), "inventory": ("inventory",),
                "secrets": ("secrets", "list"), "rules": ("rules", "list"),
                "verify": ("verify",), "jobs": ("jobs", "list"), "identify": ("identify",)}
    assert {subject: _format_choices(parser, path) for subject, path in commands.items()} == {
        subject: names(subject) for subject in commands}
    # No command renders a format of its own: none imports json, csv or rich's Table to write output
    # (``audit export`` streams the log's own JSONL, which is not a choice of formats).
    own = [f"{path.name}: {name}"
           for path in sorted((ROOT / "scanner" / "commands").glob("*.py")) if path.name != "audit.py"
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
           if isinstance(node, ast.Import | ast.ImportFrom)
           for name in (getattr(node, "module", None) or "", *(a.name for a in node.names))
           if name in ("json", "csv", "rich.table")]
    assert own == []


BAD_URLS = ("not a url", "foo://x")
COMMANDS = (("secrets", "list"), ("metrics",), ("inventory",), ("verify", "--all-open"), ("audit", "verify"),
            ("schedule", "list"), ("scan",), ("identify", "--all-open"))


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_db_url_is_a_message_and_exit_2(url: str, tmp_path: Path, capsys) -> None:
    from secret_sprawl.scanner.cli import main

    (tmp_path / "empty.txt").write_text("nothing here\n", encoding="utf-8")
    for command in COMMANDS:
        extra = [str(tmp_path)] if command == ("scan",) else []
        assert (command, main([*command, *extra, "--db", url])) == (command, 2)
        assert "database error" in capsys.readouterr().err


def test_a_bad_db_url_never_shows_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "secret_sprawl.scanner.cli", "secrets", "list", "--db", "foo://x"],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert (done.returncode, "Traceback" in done.stderr, done.stdout) == (2, False, "")
    assert "foo" in done.stderr


@pytest.mark.parametrize(("table", "line", "named"), [
    ("sla", "days = \"soon\"", "[sla] days"),
    ("verify", "timeout = nan", "[verify] timeout"),
    ("notify", "url = 5", "[notify] url"),
    ("inventry", "x = 1", "inventry"),
])
def test_a_config_file_with_a_wrong_type_is_a_message_and_exit_2(table: str, line: str, named: str,
                                                                tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(f"[{table}]\n{line}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "secret_sprawl.scanner.cli", "metrics",
                           "--config", str(config), "--db", f"sqlite:///{tmp_path / 't.db'}"],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert (done.returncode, "Traceback" in done.stderr) == (2, False), done.stderr
    assert str(config) in done.stderr and named in done.stderr, done.stderr


def test_only_the_front_door_raises_usage_errors() -> None:
    """Domain modules raise their own errors; ``UsageError`` belongs to the CLI and its commands."""
    front = {ROOT / "scanner" / "cli.py", *(ROOT / "scanner" / "commands").glob("*.py")}
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for package in OURS for path in sorted((ROOT / package).rglob("*.py")) if path not in front
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "UsageError" for alias in node.names)
    ]
    assert wrong == []


def _source_classes() -> set[type]:
    found = set()
    for module in pkgutil.iter_modules(sources.__path__):
        loaded = importlib.import_module(f"{sources.__name__}.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            protocol = all(hasattr(value, attribute) for attribute in ("name", "claims", "scan"))
            if value.__module__ == loaded.__name__ and protocol:
                found.add(value)
    return found


def test_every_source_class_is_registered_once_and_the_directory_comes_last() -> None:
    registered = [type(source) for source in SOURCES]
    assert len(set(registered)) == len(registered)
    assert set(registered) == _source_classes()
    assert SOURCES[-1].name == "directory"
    for source in SOURCES:
        assert isinstance(source.name, str) and source.name
        assert list(inspect.signature(source.claims).parameters) == ["spec", "options"]
        assert list(inspect.signature(source.scan).parameters) == ["spec", "session"]
