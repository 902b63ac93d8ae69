"""``sprawl tui`` options: --as-of, --refresh, the database URL and the [sla] config it resolves."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest
from secret_sprawl.scanner.cli import common_options
from secret_sprawl.tui import command


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sprawl")
    command.register(parser.add_subparsers(dest="command"), common_options())
    return parser.parse_args(["tui", *argv])


def test_defaults_and_as_of():
    args = parse()
    assert (args.as_of, args.refresh, args.func) == (None, command.DEFAULT_REFRESH_SECONDS, command.run)
    args = parse("--as-of", "2026-03-01", "--refresh", "0")
    assert args.as_of == datetime(2026, 3, 1, tzinfo=UTC)
    assert args.refresh == 0
    assert parse("--as-of", "2026-03-01T14:30+02:00").as_of == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_config_and_rules_are_passed_on_to_verify():
    assert command.passed_on_options(parse()) == []
    argv = ["--config", "team.toml", "--rules", "a.toml", "--rules", "b.toml"]
    assert command.passed_on_options(parse(*argv)) == argv


@pytest.mark.parametrize("argv", [("--as-of", "last tuesday"), ("--refresh", "-1"), ("--refresh", "often")])
def test_bad_options_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(*argv)
    assert exit_info.value.code == 2
    assert "sprawl tui" in capsys.readouterr().err


def test_database_url_order(monkeypatch):
    monkeypatch.setenv("SPRAWL_DB", "sqlite:///from-env.db")
    assert command.database_url("sqlite:///explicit.db") == "sqlite:///explicit.db"
    assert command.database_url(None) == "sqlite:///from-env.db"
    monkeypatch.delenv("SPRAWL_DB")
    assert command.database_url(None).startswith("sqlite:///")
    assert command.database_url(None).endswith("sprawl.db")


def test_sla_policy_from_explicit_and_discovered_config(tmp_path, monkeypatch):
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[sla]\ndays = 14\n[sla.category]\nai = 7\n", encoding="utf-8")
    policy = command.sla_policy(str(explicit))
    assert (policy.days, policy.window_days("ai", "long-lived")) == (14.0, 7.0)

    monkeypatch.chdir(tmp_path)
    assert command.sla_policy(None).days == 27.0  # nothing found: the default
    (tmp_path / "sprawl.toml").write_text("[sla]\ndays = 10\n", encoding="utf-8")
    assert command.sla_policy(None).days == 10.0


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read config"), ("[sla\n", "not valid TOML"),
     ("[sla]\ndays = -1\n", r"\[sla\] days: .*greater than 0")],
)
def test_unusable_config_is_refused(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        command.sla_policy(str(path))


def test_run_reports_an_unopenable_database(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = parse("--db", f"sqlite:///{tmp_path}/missing-dir/t.db", "--config", str(tmp_path / "none.toml"))
    assert command.run(args) == 2
    assert "cannot read config" in capsys.readouterr().err
    args = parse("--db", f"sqlite:///{tmp_path}/missing-dir/t.db")
    assert command.run(args) == 2
    assert "cannot open the tracker database" in capsys.readouterr().err
