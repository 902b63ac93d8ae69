"""Reading identity answers: expiry formats, paths through JSON and XML, templates, scope lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from secret_sprawl.detectors.identity import Source
from secret_sprawl.scanner.identify.values import (
    Answer,
    parse_body,
    parse_expiry,
    resolve,
    split_scopes,
    walk,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-15 13:24:01 UTC", datetime(2025, 3, 15, 13, 24, 1, tzinfo=UTC)),  # GitHub
    ("2025-03-15 13:24:01 -0700", datetime(2025, 3, 15, 20, 24, 1, tzinfo=UTC)),  # GitHub, with an offset
    ("2025-03-15", datetime(2025, 3, 15, tzinfo=UTC)),  # GitLab: a date
    ("2031-01-01T00:00:00Z", datetime(2031, 1, 1, tzinfo=UTC)),
    ("2025-03-15T10:00:00.123+02:00", datetime(2025, 3, 15, 8, 0, 0, 123000, tzinfo=UTC)),
    ("1735689600", datetime(2025, 1, 1, tzinfo=UTC)),  # epoch seconds
    ("1735689600000", datetime(2025, 1, 1, tzinfo=UTC)),  # epoch milliseconds
    ("next tuesday", None),
    ("2025-13-45", None),
])
def test_parse_expiry(text, expected):
    assert parse_expiry(text) == expected


def test_paths_walk_lists_element_by_element():
    body = {"orgs": [{"name": "a", "role": "admin"}, {"name": "b"}], "n": None, "ok": True}
    assert walk(body, ("orgs", "name")) == ["a", "b"]
    assert walk(body, ("orgs", "role")) == ["admin"]
    assert walk(body, ("n",)) == [] and walk(body, ("missing", "x")) == [] and walk(body, ("ok",)) == [True]


def test_xml_answers_read_like_json_without_namespaces():
    body = parse_body('<R xmlns="https://sts.amazonaws.com/doc/"><Result><Arn> arn:x </Arn>'
                      "<P><member><N>A</N></member><member><N>B</N></member></P></Result></R>")
    assert walk(body, ("Result", "Arn")) == ["arn:x"]
    assert walk(body, ("Result", "P", "member", "N")) == ["A", "B"]
    assert [parse_body(text) for text in ("not a document", "{broken", "<a>")] == [None, None, None]


def test_sources_read_bodies_headers_templates_and_constants():
    body = {"orgs": [{"name": "acme", "role": "admin", "perms": ["r", "w"]}], "flag": False}
    answers = {"me": Answer(200, {"x-oauth-scopes": "repo, gist"}, body)}
    assert resolve(Source(call="me", part="header", path=("X-OAuth-Scopes",)), answers) == ["repo, gist"]
    assert resolve(Source(call="me", part="body", path=("orgs",), text="org:{name}:{role}:{perms}"),
                   answers) == ["org:acme:admin:r,w"]
    flag = Source(call="me", part="body", path=("flag",), text="free: {}")
    assert resolve(flag, answers) == ["free: false"]
    assert resolve(Source(value="admin key"), answers) == ["admin key"]
    assert resolve(Source(call="other", part="body", path=("x",)), answers) == []  # a call not made
    assert resolve(Source(call="me", part="body", path=("orgs",)), answers) == []  # objects are not values
    assert split_scopes(["repo, admin:org", "read write"]) == ["repo", "admin:org", "read", "write"]
