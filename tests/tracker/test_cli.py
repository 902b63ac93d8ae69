"""``sprawl secrets``, ``sprawl metrics`` and ``sprawl audit`` as a user runs them."""

from __future__ import annotations

import json

import pytest
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import text

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import at, fake_secret, finding, result


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = open_database(url)
    recorder = Recorder(engine, actor="scanner")
    recorder.record(
        result(
            "repo-a",
            [
                finding(fake_secret(), committed_at=at("2025-01-01"), provider="openai"),
                finding(
                    fake_secret(),
                    path="x.py",
                    committed_at=at("2025-01-02"),
                    provider="huggingface",
                    category="ai",
                    rule_id="huggingface-token",
                ),
            ],
        )
    )
    recorder.record(
        result("repo-b", [finding(fake_secret(), target="repo-b", committed_at=at("2025-01-03"))])
    )
    recorder.finish()
    engine.dispose()
    return url


def _ids(run) -> list[int]:
    return [row["id"] for row in json.loads(run.out)]


def test_list_filters(url):
    assert _ids(sprawl("secrets", "list", "--db", url, "--format", "json")) == [1, 2, 3]
    assert _ids(sprawl("secrets", "list", "--db", url, "--format", "json", "--provider", "huggingface")) == [
        2
    ]
    assert _ids(sprawl("secrets", "--db", url, "list", "--format", "json", "--target", "repo-b")) == [3]
    within = sprawl(
        "secrets", "list", "--db", url, "--format", "json", "--sla", "within", "--as-of", "2025-01-10"
    )
    assert _ids(within) == [1, 2, 3]
    assert _ids(sprawl("secrets", "list", "--db", url, "--format", "json", "--sla", "breached")) == [1, 2, 3]
    table = sprawl("secrets", "list", "--db", url)
    assert table.code == 0 and "huggingface-token" in table.out and "3 secret(s)" in table.out


def test_resolve_assign_reopen_and_show_timeline(url):
    assert sprawl("secrets", "assign", "2", "dana", "--by", "lead", "--db", url).code == 0
    done = sprawl(
        "secrets",
        "resolve",
        "2",
        "--reason",
        "rotated",
        "--at",
        "2025-01-09T10:00:00Z",
        "--note",
        "new key in vault",
        "--by",
        "dana",
        "--db",
        url,
    )
    assert done.code == 0 and "resolved as rotated" in done.out
    assert _ids(sprawl("secrets", "list", "--db", url, "--format", "json", "--status", "rotated")) == [2]
    assert sprawl("secrets", "reopen", "2", "--by", "lead", "--db", url).code == 0
    assert sprawl("secrets", "note", "2", "checked again", "--by", "lead", "--db", url).code == 0
    shown = sprawl("secrets", "show", "2", "--db", url)
    assert shown.code == 0
    kinds = [line.split()[1] for line in shown.out.split("Timeline:\n")[1].splitlines()]
    assert kinds == ["detected", "assigned", "status-changed", "reopened", "note"]
    assert "open -> rotated  by dana" in shown.out and "repo-a: x.py:1" in shown.out


def test_user_errors_exit_2_with_a_message(url):
    missing = sprawl("secrets", "show", "42", "--db", url)
    assert missing.code == 2 and "no secret" in missing.err
    risky = sprawl("secrets", "resolve", "1", "--reason", "accepted-risk", "--db", url)
    assert risky.code == 2 and "needs a note" in risky.err
    assert (
        sprawl("secrets", "resolve", "1", "--reason", "revoked", "--at", "yesterday", "--db", url).code == 2
    )
    bad_config = sprawl("metrics", "--db", url, "--config", "/nonexistent/sprawl.toml")
    assert bad_config.code == 2


def test_prefix_identifies_a_secret(url, tmp_path):
    listed = json.loads(sprawl("secrets", "list", "--db", url, "--format", "json").out)
    prefix = listed[2]["fingerprint"][:10]
    assert sprawl("secrets", "assign", prefix, "erin", "--db", url).code == 0
    assert json.loads(sprawl("secrets", "list", "--db", url, "--format", "json").out)[2]["owner"] == "erin"


def test_metrics_uses_the_config_sla_and_writes_files(url, tmp_path):
    config = tmp_path / "sprawl.toml"
    config.write_text("[sla]\ndays = 10\n[sla.category]\nai = 5\n", encoding="utf-8")
    run = sprawl(
        "metrics", "--db", url, "--config", config, "--as-of", "2025-01-07T00:00:01", "--format", "json"
    )
    summary = json.loads(run.out)["summary"]
    assert json.loads(run.out)["sla"]["days"] == 10
    assert summary["breached_count"] == 2  # ai keys exposed Jan 1 and Jan 2 are past 5 days, Jan 3 is not
    out = tmp_path / "report.html"
    assert sprawl("metrics", "--db", url, "--format", "html", "--output", out).code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "MTTR over 0 revoked/rotated" in sprawl("metrics", "--db", url).out


def test_audit_verify_and_export(url, tmp_path):
    ok = sprawl("audit", "verify", "--db", url)
    assert ok.code == 0 and "OK" in ok.out
    lines = sprawl("audit", "export", "--db", url).out.splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["detected"] * 3
    assert sprawl("audit", "export", "--since", "2999-01-01", "--db", url).out == ""
    engine = open_database(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET actor = 'someone-else' WHERE id = 2"))
    engine.dispose()
    broken = sprawl("audit", "verify", "--db", url)
    assert broken.code == 1 and "BROKEN at event 2" in broken.out
    assert sprawl("audit", "verify", "--since", "2025-01-01", "--db", url).code == 2


def test_metrics_groups_show_control_characters_of_a_target_name_visibly(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    hostile = "repo\x1b]0;owned\x07\x1b[2J"
    recorder = Recorder(open_database(url), actor="scanner")
    recorder.record(result(hostile, [finding(fake_secret(), target=hostile, committed_at=at("2025-01-01"))]))
    recorder.finish()
    run = sprawl("metrics", "--db", url, "--group-by", "target", "--as-of", "2025-02-01T00:00:00Z")
    assert run.code == 0
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "target=repo\\x1b]0;owned\\x07\\x1b[2J: open 1" in run.out
