"""Credentials in remote URLs, in every position and spelling, never reach an output, a log line, the
database (scan, target and schedule rows) or the mirror's git config: property-based, with hypothesis.
The URLs point at 127.0.0.1 ports where nothing listens, so git fails fast with its own messages."""

from __future__ import annotations

import sqlite3
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from secret_sprawl.detectors.urls import has_credentials, scrub_text, scrub_url
from secret_sprawl.scanner.cli import main

TOKEN = st.text(string.ascii_letters + string.digits, min_size=12, max_size=24).map(lambda s: "tok" + s)
SCHEME = st.sampled_from(["https", "HTTPS", "http", "git+https", "Https"])
REPO = st.sampled_from(["org/repo.git", "org/repo", "a/b/c.git", ""])


@st.composite
def url_with_token(draw) -> tuple[str, str]:
    """(url, token): the token as user, as password, percent-encoded, in the query, in the fragment, or
    in an scp-style address."""
    token, scheme, repo = draw(TOKEN), draw(SCHEME), draw(REPO)
    host = draw(st.sampled_from(["127.0.0.1:9", "127.0.0.1:1", "localhost:9"]))
    forms = [
        f"{scheme}://{token}@{host}/{repo}",
        f"{scheme}://user:{token}@{host}/{repo}",
        f"{scheme}://user%3A{token}@{host}/{repo}",
        f"{scheme}://x-access-token:{token}@{host}/{repo}?ref=main#frag",
        f"{scheme}://{host}/{repo}?access_token={token}",
        f"{scheme}://{host}/{repo}?private_token={token}&x=1",
        f"{scheme}://{host}/{repo}#access_token={token}",
        f"{scheme}://user:{token}#x@{host}/{repo}",
        f"user:{token}@127.0.0.1:{repo or 'repo.git'}",
        f"{token}@127.0.0.1:{repo or 'repo.git'}",
    ]
    return draw(st.sampled_from(forms)), token


@given(url_with_token())
def test_the_scrubber_removes_the_token_from_urls_and_messages(case):
    url, token = case
    assert token not in scrub_url(url)
    assert has_credentials(url)
    for message in (f"fatal: unable to access '{url}/': Failed to connect",
                    f"fatal: repository '{url}' not found", f"Cloning into {url}..."):
        assert token not in scrub_text(message)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=url_with_token())
def test_no_output_log_row_or_mirror_config_holds_the_token(tmp_path_factory, capsys, caplog, case):
    url, token = case
    work = tmp_path_factory.mktemp("url")
    db = work / "t.db"
    cache = work / "cache"
    code = main(["scan", url, "--db", f"sqlite:///{db}", "--cache-dir", str(cache), "--format", "json",
                 "--jobs", "1"])
    assert code == 2  # nothing listens there: the target fails, the scan says so
    assert main(["schedule", "add", "nightly", "--cron", "0 2 * * *", url, "--db", f"sqlite:///{db}"]) == 2
    assert main(["secrets", "list", "--db", f"sqlite:///{db}"]) == 0
    captured = capsys.readouterr()
    assert token not in captured.out and token not in captured.err and token not in caplog.text
    assert "carries credentials" in captured.err
    with sqlite3.connect(db) as connection:
        for (sql,) in connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table'"):
            assert sql is not None
        dump = "\n".join(connection.iterdump())
    assert token not in dump
    assert token.encode() not in db.read_bytes()
    for path in cache.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
