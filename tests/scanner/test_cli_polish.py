"""The command line as people type it: global options before or after the command, help text on every
option, ``--rules`` only where rules are read, NO_COLOR / ``--no-color`` on a real terminal, and the
pre-commit (staged) output that says what to do next."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from secret_sprawl.scanner.cli import build_parser, main

from tests.scanner.helpers import commit_all, git, groq_key

ROOT = Path(__file__).resolve().parents[2]
_SPRAWL = [sys.executable, "-m", "secret_sprawl.scanner.cli"]


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    skipped = argparse._SubParsersAction | argparse._HelpAction
    return (a for a in parser._actions if not isinstance(a, skipped))


def test_every_option_and_argument_of_every_command_has_help_text() -> None:
    missing = [f"sprawl {' '.join(path)} {'/'.join(action.option_strings) or action.dest}"
               for path, parser in _parsers(build_parser()) for action in _options(parser)
               if not (action.help or "").strip() or action.help == argparse.SUPPRESS]
    assert missing == []


def test_the_help_check_sees_an_option_without_help() -> None:
    parser = argparse.ArgumentParser()
    parser.add_subparsers().add_parser("x").add_argument("--bare")
    assert [action.dest for path, sub in _parsers(parser) for action in _options(sub)
            if not action.help] == ["bare"]


def test_rules_only_on_the_commands_that_read_rules() -> None:
    with_rules = {" ".join(path) for path, parser in _parsers(build_parser())
                  if any("--rules" in action.option_strings for action in parser._actions)}
    assert with_rules == {"scan", "worker", "verify", "revoke", "rules list", "rules check", "tui"}


@pytest.mark.parametrize("command", [("secrets", "list"), ("metrics",), ("audit", "verify")])
def test_rules_on_a_command_without_rules_is_a_usage_error(command: tuple[str, ...], tmp_path: Path,
                                                           capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*command, "--rules", str(tmp_path / "r.toml"), "--db", f"sqlite:///{tmp_path / 't.db'}"])
    assert stopped.value.code == 2
    assert "--rules" in capsys.readouterr().err


@pytest.mark.parametrize("order", ["before", "between", "after"])
def test_global_options_before_or_after_the_command(order: str, tmp_path: Path, capsys) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'here.db'}")
    argv = {"before": [*db, "secrets", "list"], "between": ["secrets", *db, "list"],
            "after": ["secrets", "list", *db]}[order]
    assert main([*argv, "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert (tmp_path / "here.db").exists()


def test_an_option_after_the_command_wins_over_one_before(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert main(["--db", f"sqlite:///{first}", "metrics", "--db", f"sqlite:///{second}"]) == 0
    assert second.exists() and not first.exists()
    assert main(["--config", str(tmp_path / "absent.toml"), "--db", f"sqlite:///{second}", "metrics"]) == 2
    assert "absent.toml" in capsys.readouterr().err


def _on_a_terminal(argv: list[str], cwd: Path, **env: str) -> str:
    """Run ``sprawl`` with its output on a pseudo-terminal; what it wrote there."""
    master, slave = os.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(TERM="xterm-256color", COLUMNS="200", **env)
    process = subprocess.Popen([*_SPRAWL, *argv], stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                               env=environment, close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        process.wait(timeout=120)
    return b"".join(chunks).decode(errors="replace")


def _coloured(text: str) -> bool:
    """Whether ``text`` holds an SGR sequence that sets a foreground or background colour."""
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        codes = [int(code) for code in params.split(";") if code]
        if any(30 <= c <= 38 or 40 <= c <= 48 or 90 <= c <= 107 for c in codes):
            return True
    return False


@pytest.fixture
def repo_with_key(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("hello\n")
    commit_all(repo, "first")
    (repo / "settings.py").write_text(f"GROQ_API_KEY = '{groq_key(41)}'\n")
    git(repo, "add", "settings.py")
    return repo


def test_no_color_is_honoured_on_a_terminal(repo_with_key: Path) -> None:
    scan = ["scan", ".", "--no-record", "--no-history", "--format", "table"]
    plain = _on_a_terminal(scan, repo_with_key)
    assert "groq-api-key" in plain and _coloured(plain)  # a terminal gets colour by default
    for text in (_on_a_terminal(scan, repo_with_key, NO_COLOR="1"),
                 _on_a_terminal(["--no-color", *scan], repo_with_key),
                 _on_a_terminal([*scan, "--no-color"], repo_with_key)):
        assert "groq-api-key" in text and not _coloured(text)


def test_staged_output_says_staged_has_no_history_columns_and_says_what_to_do(repo_with_key: Path) -> None:
    done = subprocess.run([*_SPRAWL, "scan", "--staged", "--no-record", "--format", "table"],
                          cwd=repo_with_key, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "staged" in out and "settings.py" in out
    assert "at HEAD" not in out and "introduced" not in out and "history" not in out
    steps = out[out.index("Before committing"):]
    assert "remove it" in steps and "# sprawl:allow <reason>" in steps
    hook = re.search(r"^- id: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.MULTILINE)
    assert hook and f"SKIP={hook.group(1)} git commit" in steps
    # The advice is true: a reasoned allow comment lets the commit through.
    (repo_with_key / "settings.py").write_text(
        f"GROQ_API_KEY = '{groq_key(41)}'  # sprawl:allow test fixture, not a real key\n")
    git(repo_with_key, "add", "settings.py")
    allowed = subprocess.run([*_SPRAWL, "scan", "--staged", "--no-record", "--format", "table"],
                             cwd=repo_with_key, capture_output=True, text=True, timeout=120, check=False)
    assert allowed.returncode == 0 and "Before committing" not in allowed.stdout


def test_a_history_scan_keeps_its_history_columns(repo_with_key: Path) -> None:
    commit_all(repo_with_key, "add the key")
    done = subprocess.run([*_SPRAWL, "scan", ".", "--no-record", "--format", "table"], cwd=repo_with_key,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "at HEAD" in done.stdout and "introduced" in done.stdout and "Before committing" not in done.stdout
