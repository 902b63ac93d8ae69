"""The TUI's small pure parts: remediation lookup, time parsing, cell formatting."""

from __future__ import annotations

import tomllib
from importlib import resources

from secret_sprawl.tui.format import days_text, duration, shorten
from secret_sprawl.tui.remediation import remediation_for


def test_known_provider_has_its_console_page():
    openai = remediation_for("openai")
    assert openai.url == "https://platform.openai.com/api-keys"
    assert "API keys" in openai.hint


def test_unknown_provider_gets_the_generic_advice():
    fallback = remediation_for("no-such-provider")
    assert fallback.url == ""
    assert "Revoke the credential" in fallback.hint


def test_every_remediation_entry_is_complete():
    doc = tomllib.loads(
        (resources.files("secret_sprawl.tui") / "remediation.toml").read_text(encoding="utf-8")
    )
    for provider, entry in doc["providers"].items():
        assert set(entry) == {"url", "hint"}, provider
        assert entry["hint"].strip(), provider
        assert entry["url"] == "" or entry["url"].startswith("https://"), provider


def test_cell_formats():
    assert days_text("breached", -3.4).plain == "3d over"
    assert days_text("within", 12.2).plain == "12d left"
    assert days_text("resolved", 5.0).plain == ""
    assert shorten("github.com/acme/agents", 10) == "…me/agents"
    assert shorten("short", 10) == "short"
    assert duration(None) == "—"
    assert duration(86400 * 1.5) == "1.5 d"
