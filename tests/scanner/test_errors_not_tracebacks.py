"""Every bad setting a user can type or a file can hold gives exit 2 and one line naming the file, the
table and the key, or what is wrong with the database URL: never a traceback, never exit 1 (findings)."""

from __future__ import annotations

import os

import pytest
from secret_sprawl.scanner import cli
from secret_sprawl.scanner.cli import main

CONFIGS = [
    ("[sla]\ndays = 1e17\n", r"[sla] days: input should be less than or equal to 3650"),
    ("[sla]\ndays = nan\n", "[sla] days: must be a finite number"),
    ("[sla]\ndays = inf\n", "[sla] days: must be a finite number"),
    ("[sla.category]\nai = -inf\n", "[sla.category] ai: must be a finite number"),
    ("[verify]\ntimeout = nan\n", "[verify] timeout: must be a finite number"),
    ("[verify]\nretries = 1000000\n", "[verify] retries: input should be less than or equal to 10"),
    ("[verify]\nconcurency = 4\n", "[verify] unknown key 'concurency'"),
    ("[notify]\nurl = 5\n", "[notify] url: input should be a valid string"),
    ('[notify]\nurl = "gopher://x"\n', "[notify] url: must be an http(s) URL"),
    ("[inventry]\nshared_jobs_threshold = 3\n", "unknown table 'inventry'"),
    ('[tracker]\nfingerprint_key = "hunter2"\n', "[tracker] fingerprint_key: must name an environment"),
    ("[sla\n", "is not valid TOML"),
]


@pytest.mark.parametrize(("content", "message"), CONFIGS)
@pytest.mark.parametrize("command", [["metrics"], ["secrets", "list"], ["scan", "--no-record"],
                                     ["inventory"]])
def test_bad_config_names_file_table_and_key(tmp_path, capsys, command, content, message):
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    argv = [*command, "--config", str(config), "--db", f"sqlite:///{tmp_path / 't.db'}"]
    if command[0] == "scan":
        argv.append(str(tmp_path))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(config) in err and message in err and "Traceback" not in err


def _garbage(tmp_path):
    path = tmp_path / "garbage.db"
    path.write_bytes(os.urandom(4096))
    return f"sqlite:///{path}"


def _plain_text(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 50, encoding="utf-8")
    return f"sqlite:///{path}"


DATABASES = [
    (lambda tmp: "not a url", "'not a url' is not a database URL"),
    (lambda tmp: "/path/x.db", "is not a database URL (for a file, sqlite:////path/x.db)"),
    (lambda tmp: "foo://host/db", "unknown database kind 'foo'"),
    (lambda tmp: "mysql://user:hunter2@127.0.0.1/db", "the driver for mysql is not installed"),
    (_garbage, "file is not a database"),
    (_plain_text, "file is not a database"),
    (lambda tmp: f"sqlite:///{tmp}/no/such/dir/t.db", "unable to open database file"),
]


@pytest.mark.parametrize(("url", "message"), DATABASES)
@pytest.mark.parametrize("command", [["secrets", "list"], ["metrics"], ["db", "current"], ["audit", "verify"],
                                     ["schedule", "list"], ["inventory"], ["tui"]])
def test_bad_database_says_what_is_wrong(tmp_path, capsys, command, url, message):
    assert main([*command, "--db", url(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "hunter2" not in err


def test_ctrl_c_while_starting_up_is_an_error_not_a_traceback(monkeypatch, capsys):
    def interrupted(_command):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["secrets", "list"]) == 2
    assert "interrupted" in capsys.readouterr().err
