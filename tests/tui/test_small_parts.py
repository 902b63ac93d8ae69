"""The TUI's small pure parts: remediation lookup (from the rules), time parsing, cell formatting."""

from __future__ import annotations

from secret_sprawl.tracker.remediation import GENERIC, remediation
from secret_sprawl.tui.format import days_text, duration, shorten


def test_remediation_is_the_rules_own_text():
    assert "https://platform.openai.com/api-keys" in remediation("openai-project-key")
    assert remediation("no-such-rule") == GENERIC
    assert "Revoke the credential" in GENERIC


def test_cell_formats():
    assert days_text("breached", -3.4).plain == "3d over"
    assert days_text("within", 12.2).plain == "12d left"
    assert days_text("resolved", 5.0).plain == ""
    assert shorten("github.com/acme/agents", 10) == "…me/agents"
    assert shorten("short", 10) == "short"
    assert duration(None) == "—"
    assert duration(86400 * 1.5) == "1.5 d"
