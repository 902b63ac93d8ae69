"""File names, owners and notes that carry terminal escapes, markup or spreadsheet formulas reach every
output literally: escaped (``\\x1b``) in the scan table and ``sprawl secrets show``, neutralised in
scan CSV and ``sprawl secrets list`` CSV (OWASP's leading quote)."""

from __future__ import annotations

import csv
import io

import pytest
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker.safe_text import csv_cell, markup, terminal

from tests.scanner.fake_providers import fake_openai_key

FORMULA = '=HYPERLINK("evil.example","x").env'
ESCAPES = "\x1b]8;;evil.example\x07\x1b[2Jclear\u202e.env"
MARKUP = "[bold red]loud[/bold red] [/x].env"


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    for name in (FORMULA, ESCAPES, MARKUP):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"OPENAI_API_KEY={fake_openai_key()}\n", encoding="utf-8")
    return folder, f"sqlite:///{tmp_path / 't.db'}"


def test_terminal_escapes_are_visible():
    assert terminal("a\x1b[2Jb\rc\u202ed\x07") == "a\\x1b[2Jb\\x0dc\\u202ed\\x07"
    assert terminal("one\ntwo", keep_newlines=True) == "one\ntwo"
    assert terminal("tab\there") == "tab\\x09here"
    assert markup("[bold]x[/x]\x1b") == "\\[bold]x\\[/x]\\x1b"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert csv_cell(value) == "'" + value
    assert csv_cell("plain") == "plain" and csv_cell(5) == 5


def test_scan_table_and_csv_show_hostile_names_literally(hostile, capsys, monkeypatch):
    folder, _ = hostile
    monkeypatch.chdir(folder.parent)  # a short target name, so the table does not fold the paths
    assert main(["scan", "repo", "--no-record", "--format", "table"]) == 1
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\u202e" not in table
    assert "\\x1b]8;;evil.example\\x07" in table and "\\u202e" in table  # visible, as escapes
    assert "[bold red]loud" in table and "[/x].env" in table  # markup shown, not applied
    assert main(["scan", str(folder), "--no-record", "--format", "csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    paths = {row["path"] for row in rows}
    assert "'" + FORMULA in paths and not any(row[k].startswith("=") for row in rows for k in row)


def test_secrets_list_csv_and_show_are_safe(hostile, capsys):
    folder, db_url = hostile
    assert main(["scan", str(folder), "--db", db_url, "--format", "json"]) == 1
    capsys.readouterr()
    assert main(["secrets", "assign", "1", "=cmd|' /C calc'!A0", "--db", db_url]) == 0
    assert main(["secrets", "note", "1", "\x1b[31mred\x1b[0m [/x]", "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["secrets", "list", "--format", "csv", "--db", db_url]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    assert "'=cmd|' /C calc'!A0" in {row["owner"] for row in rows}
    for ident in ("1", "2", "3"):
        assert main(["secrets", "show", ident, "--db", db_url]) == 0
        shown = capsys.readouterr().out
        assert "\x1b" not in shown and "\u202e" not in shown
    assert main(["secrets", "list", "--db", db_url]) == 0
    assert "\x1b" not in capsys.readouterr().out
