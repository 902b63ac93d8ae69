"""Organisation targets against fake GitHub, GitLab and Hugging Face APIs on 127.0.0.1.

Each repository becomes its own tracked target named ``host/org/repo``; pagination, rate limits,
users, forks, archived repositories, include/exclude and refused tokens are exercised; the token
reaches the API and git (as a header) but never the tracker, the cache or the output.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from secret_sprawl.scanner.orgs.expand import OrgOptions, expand_targets, git_auth_env
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Secret, Target
from sqlmodel import Session, select

from tests.scanner.fake_hosts import FakeHosts, FakeRepo, basic_token
from tests.scanner.helpers import groq_key, secret_findings


def _key_file(seed: int) -> dict[str, str]:
    return {"config.py": f"GROQ_API_KEY = '{groq_key(seed)}'\n"}


def _acme(hosts: FakeHosts) -> None:
    hosts.github("acme", FakeRepo("acme/agents", _key_file(1)))
    hosts.github("acme", FakeRepo("acme/infra", _key_file(2), archived=True))
    hosts.github("acme", FakeRepo("acme/upstream-fork", _key_file(3), fork=True))
    hosts.github("acme", FakeRepo("acme/docs", {"README.md": "nothing here\n"}))
    hosts.github("acme", FakeRepo("acme/shared", _key_file(1)))  # the same key as agents


def _scan(sprawl_scan, tmp_path: Path, target: str, *extra: str):
    return sprawl_scan(target, "--db", f"sqlite:///{tmp_path / 'tracker.db'}", "--format", "json",
                       "--cache-dir", tmp_path / "cache", *extra, record=True)


def _tracked(tmp_path: Path) -> tuple[set[str], list[Secret]]:
    engine = open_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with Session(engine) as session:
            return ({t.name for t in session.exec(select(Target)).all()},
                    list(session.exec(select(Secret)).all()))
    finally:
        engine.dispose()


def _bytes_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_github_org_each_repository_is_a_target_and_the_token_stays_out(
        tmp_path: Path, hosts: FakeHosts, sprawl_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    _acme(hosts)
    monkeypatch.setenv("GITHUB_TOKEN", hosts.token or "")
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh")
    assert run.code == 1, run.err
    targets, secrets = _tracked(tmp_path)
    # Forks are skipped, archived repositories kept; five repositories over three pages.
    assert targets == {"github.com/acme/agents", "github.com/acme/infra", "github.com/acme/docs",
                       "github.com/acme/shared"}
    api_pages = [path for path, _ in hosts.requests if path.startswith("/gh/")]
    assert len(api_pages) == 3
    found = secret_findings(run.doc["findings"])
    assert {f["target"] for f in found} == {"github.com/acme/agents", "github.com/acme/infra",
                                            "github.com/acme/shared"}
    assert len(secrets) == 2  # the key shared by two repositories is one secret
    # The token went to the API as a bearer token and to git as a basic-auth header ...
    api_auth = [h["Authorization"] for p, h in hosts.requests if p.startswith("/gh/")]
    assert api_auth and all(a == f"Bearer {hosts.token}" for a in api_auth)
    git_auth = [h.get("Authorization", "") for h in hosts.git_headers()]
    assert git_auth and all(basic_token(a) == hosts.token for a in git_auth)
    # ... and nowhere else: not in the tracker, the mirrors' files, or the output.
    token = (hosts.token or "").encode()
    assert token not in _bytes_under(tmp_path / "cache")
    assert token not in b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert hosts.token not in run.out + run.err


def test_second_scan_fetches_the_cached_mirrors(tmp_path: Path, hosts: FakeHosts, sprawl_scan) -> None:
    _acme(hosts)
    api = ("--api-url", f"github.com={hosts.base}/gh")
    hosts.token = None
    assert _scan(sprawl_scan, tmp_path, "github://acme", *api).code == 1
    mirrors = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(mirrors) == 4
    assert _scan(sprawl_scan, tmp_path, "github://acme", *api, "--incremental").code == 0
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == mirrors


def test_user_instead_of_org_and_include_exclude(tmp_path: Path, hosts: FakeHosts, sprawl_scan) -> None:
    hosts.token = None
    hosts.github("alice", FakeRepo("alice/bot", _key_file(4)), user=True)
    hosts.github("alice", FakeRepo("alice/bot-old", _key_file(5)), user=True)
    hosts.github("alice", FakeRepo("alice/notes", _key_file(6)), user=True)
    run = _scan(sprawl_scan, tmp_path, "github://alice", "--api-url", f"github={hosts.base}/gh",
                "--include", "alice/bot*", "--exclude", "*-old")
    assert run.code == 1, run.err
    assert _tracked(tmp_path)[0] == {"github.com/alice/bot"}


def test_rate_limit_is_waited_out_then_listing_continues(tmp_path: Path, hosts: FakeHosts,
                                                         sprawl_scan) -> None:
    hosts.token = None
    _acme(hosts)
    hosts.rate_limit_once["/gh/orgs/acme"] = 2
    started = time.monotonic()
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh")
    assert run.code == 1, run.err
    assert time.monotonic() - started >= 1.0
    assert len(_tracked(tmp_path)[0]) == 4


def test_rate_limit_longer_than_allowed_stops_clearly(tmp_path: Path, hosts: FakeHosts, sprawl_scan) -> None:
    hosts.token = None
    _acme(hosts)
    hosts.rate_limit_once["/gh/orgs/acme"] = 3600
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh",
                "--max-rate-wait", "5")
    assert run.code == 2
    assert "rate limited" in run.err


def test_refused_token_and_unknown_org_are_clear_errors(
        tmp_path: Path, hosts: FakeHosts, sprawl_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    _acme(hosts)
    wrong = f"wrong{uuid.uuid4().hex}"
    monkeypatch.setenv("MY_GH", wrong)
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh",
                "--token-env", "github.com=MY_GH")
    assert run.code == 2
    assert "401" in run.err and "Traceback" not in run.err and wrong not in run.err
    monkeypatch.setenv("GITHUB_TOKEN", hosts.token or "")
    run = _scan(sprawl_scan, tmp_path, "github://nobody", "--api-url", f"github.com={hosts.base}/gh")
    assert run.code == 2
    assert "github://nobody" in run.err and "404" in run.err


def test_gitlab_group_with_subgroups_and_forks(
        tmp_path: Path, hosts: FakeHosts, sprawl_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", hosts.token or "")
    hosts.gitlab("corp", FakeRepo("corp/api", _key_file(7)))
    hosts.gitlab("corp/ml", FakeRepo("corp/ml/train", _key_file(8)))
    hosts.gitlab("corp/ml", FakeRepo("corp/ml/eval", _key_file(9), archived=True))
    hosts.gitlab("corp/ml", FakeRepo("corp/ml/forked", _key_file(10), fork=True))
    api = ("--api-url", f"gitlab.com={hosts.base}/gl")
    run = _scan(sprawl_scan, tmp_path, "gitlab://corp", *api)
    assert run.code == 1, run.err
    assert _tracked(tmp_path)[0] == {"gitlab.com/corp/api", "gitlab.com/corp/ml/train",
                                     "gitlab.com/corp/ml/eval"}
    assert all(h.get("PRIVATE-TOKEN") == hosts.token for p, h in hosts.requests if p.startswith("/gl/"))
    run = _scan(sprawl_scan, tmp_path, "gitlab://corp/ml", *api, "--include-forks")
    assert {f["target"] for f in secret_findings(run.doc["findings"])} == {
        "gitlab.com/corp/ml/train", "gitlab.com/corp/ml/eval", "gitlab.com/corp/ml/forked"}


def test_huggingface_models_datasets_and_spaces(tmp_path: Path, hosts: FakeHosts, sprawl_scan,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", hosts.token or "")
    for name, seed in (("acme/m1", 11), ("acme/m2", 12), ("acme/m3", 13)):
        hosts.huggingface("acme", FakeRepo(name, _key_file(seed)))
    hosts.huggingface("acme", FakeRepo("datasets/acme/corpus", {"load.py": f"k = '{groq_key(14)}'\n"}))
    hosts.huggingface("acme", FakeRepo("spaces/acme/demo", {"app.py": f"k = '{groq_key(15)}'\n"}))
    run = _scan(sprawl_scan, tmp_path, "huggingface://acme", "--api-url", f"huggingface.co={hosts.base}/hf")
    assert run.code == 1, run.err
    assert _tracked(tmp_path)[0] == {"huggingface.co/acme/m1", "huggingface.co/acme/m2",
                                     "huggingface.co/acme/m3", "huggingface.co/datasets/acme/corpus",
                                     "huggingface.co/spaces/acme/demo"}
    assert len([p for p, _ in hosts.requests if p == "/hf/api/models"]) == 2  # a cursor page
    assert all(basic_token(h["Authorization"]) == hosts.token for h in hosts.git_headers())


def test_expansion_keeps_other_targets_and_drops_duplicates(hosts: FakeHosts) -> None:
    hosts.token = None
    _acme(hosts)
    options = OrgOptions(api_urls={"github": f"{hosts.base}/gh"})
    expanded = expand_targets(["./here", "github://acme", "github://acme"], options, env={})
    assert [str(t) for t in expanded] == ["./here", "github.com/acme/agents", "github.com/acme/infra",
                                          "github.com/acme/docs", "github.com/acme/shared"]


def test_git_header_is_scoped_to_the_clone_host_and_only_for_http() -> None:
    env = git_auth_env("https://github.com/acme/a.git", "x-access-token", "t0ken")
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraHeader"
    assert basic_token(env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: ")) == "t0ken"
    assert git_auth_env("file:///srv/a.git", "u", "t0ken") == {}
    assert git_auth_env("https://github.com/a.git", "u", None) == {}


@pytest.mark.parametrize("target", ["github://", "github://acme/sub", "huggingface://../x", "gitlab://a//b"])
def test_malformed_org_targets_are_usage_errors(tmp_path: Path, sprawl_scan, target: str) -> None:
    run = _scan(sprawl_scan, tmp_path, target)
    assert run.code == 2
    assert "Traceback" not in run.err


def _two_orgs(tmp_path: Path, hosts: FakeHosts, sprawl_scan) -> None:
    hosts.token = None
    _acme(hosts)
    hosts.github("other", FakeRepo("other/x", _key_file(1)))  # the key acme/agents also holds
    api = ("--api-url", f"github.com={hosts.base}/gh")
    run = sprawl_scan("github://acme", "github://other", "--db", f"sqlite:///{tmp_path / 'tracker.db'}",
                      "--cache-dir", tmp_path / "cache", "--format", "json", *api, record=True)
    assert run.code == 1, run.err


def test_metrics_group_by_org(tmp_path: Path, hosts: FakeHosts, sprawl_scan) -> None:
    from secret_sprawl.tracker.metrics import compute_metrics, organisation
    from secret_sprawl.tracker.models.columns import utcnow
    from secret_sprawl.tracker.sla import SlaPolicy

    _two_orgs(tmp_path, hosts, sprawl_scan)
    engine = open_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with Session(engine) as session:
            metrics = compute_metrics(session, SlaPolicy(), as_of=utcnow(), group_by="org")
    finally:
        engine.dispose()
    assert {key: group.open_count for key, group in metrics.groups.items()} == {
        "github.com/acme": 2, "github.com/other": 1}
    assert organisation("huggingface.co/datasets/acme/corpus") == "huggingface.co/acme"
    assert organisation("gitlab.com/corp/ml/train") == "gitlab.com/corp"
    assert organisation("/home/me/repo/sub") == "/home/me/repo/sub"
    assert organisation("https://example.com/a/b.git") == "https://example.com/a/b.git"


@pytest.mark.parametrize(("status", "headers", "wait"), [
    (429, {"Retry-After": "7"}, 7.0),
    (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}, 30.0),
    (429, {"RateLimit-Remaining": "0", "RateLimit-Reset": "1005"}, 5.0),
    (403, {"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": "1030"}, None),  # a plain refusal
    (403, {}, None),
    (200, {"Retry-After": "7"}, None),
])
def test_rate_limit_wait_reads_the_hosts_headers(status: int, headers: dict[str, str],
                                                 wait: float | None) -> None:
    import httpx
    from secret_sprawl.scanner.orgs.http import rate_limit_wait

    assert rate_limit_wait(httpx.Response(status, headers=headers), now=1000.0) == wait


def test_a_clone_url_on_another_host_is_refused_and_the_token_never_goes_there(
        tmp_path: Path, hosts: FakeHosts, elsewhere: FakeHosts, sprawl_scan,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _acme(hosts)
    # The other server really serves the repository: a clone attempt there would succeed and be seen.
    elsewhere.github("acme", FakeRepo("acme/agents", _key_file(1)))
    hosts.clone_urls["acme/agents"] = f"{elsewhere.base}/git/acme/agents.git"
    hosts.clone_urls["acme/docs"] = (tmp_path / "hosts" / "served" / "git" / "acme" / "docs.git").as_uri()
    monkeypatch.setenv("GITHUB_TOKEN", hosts.token or "")
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh")
    assert run.code == 1, run.err
    assert elsewhere.requests == []
    assert "skipped github.com/acme/agents" in run.err and f"{elsewhere.base.split('//')[1]}" in run.err
    assert "skipped github.com/acme/docs" in run.err and "file" in run.err
    assert _tracked(tmp_path)[0] == {"github.com/acme/infra", "github.com/acme/shared"}
    assert hosts.token not in run.out + run.err


def test_a_gitlab_clone_url_on_another_host_is_refused(tmp_path: Path, hosts: FakeHosts, elsewhere: FakeHosts,
                                                       sprawl_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", hosts.token or "")
    hosts.gitlab("corp", FakeRepo("corp/api", _key_file(7)))
    hosts.gitlab("corp", FakeRepo("corp/web", _key_file(8)))
    hosts.clone_urls["corp/web"] = f"{elsewhere.base}/glgit/corp/web.git"
    run = _scan(sprawl_scan, tmp_path, "gitlab://corp", "--api-url", f"gitlab.com={hosts.base}/gl")
    assert run.code == 1, run.err
    assert elsewhere.requests == [] and "skipped gitlab.com/corp/web" in run.err
    assert _tracked(tmp_path)[0] == {"gitlab.com/corp/api"}


def test_a_next_page_on_another_host_is_refused_before_it_is_asked(
        tmp_path: Path, hosts: FakeHosts, elsewhere: FakeHosts, sprawl_scan,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _acme(hosts)
    hosts.next_base = elsewhere.base
    monkeypatch.setenv("GITHUB_TOKEN", hosts.token or "")
    run = _scan(sprawl_scan, tmp_path, "github://acme", "--api-url", f"github.com={hosts.base}/gh")
    assert run.code == 2
    assert "another host" in run.err and "Traceback" not in run.err
    assert elsewhere.requests == []


@pytest.mark.parametrize("host", ["gitlab", "github"])
def test_a_redirect_to_another_host_is_refused_before_it_is_followed(
        host: str, tmp_path: Path, hosts: FakeHosts, elsewhere: FakeHosts, sprawl_scan,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # GitLab's PRIVATE-TOKEN header is not one an HTTP client drops on a cross-origin redirect.
    hosts.gitlab("corp", FakeRepo("corp/api", _key_file(7)))
    _acme(hosts)
    hosts.redirect_base = elsewhere.base
    monkeypatch.setenv("GITLAB_TOKEN", hosts.token or "")
    monkeypatch.setenv("GITHUB_TOKEN", hosts.token or "")
    target, api = {"gitlab": ("gitlab://corp", f"gitlab.com={hosts.base}/gl"),
                   "github": ("github://acme", f"github.com={hosts.base}/gh")}[host]
    run = _scan(sprawl_scan, tmp_path, target, "--api-url", api)
    assert run.code == 2
    assert "another host" in run.err and "Traceback" not in run.err
    assert elsewhere.requests == []


def test_a_queued_job_with_a_foreign_clone_url_gets_no_token() -> None:
    from secret_sprawl.scanner.orgs.expand import rebuild_target
    from secret_sprawl.scanner.orgs.interface import OrgError

    options = OrgOptions(api_urls={"github": "http://127.0.0.1:9/gh"})
    env = {"GITHUB_TOKEN": "t0ken"}
    good = rebuild_target("github.com/a/b", "http://127.0.0.1:9/git/a/b.git", "github", options, env)
    assert basic_token(good.git_env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: ")) == "t0ken"
    with pytest.raises(OrgError, match=r"github\.com/a/b"):
        rebuild_target("github.com/a/b", "http://127.0.0.1:10/git/a/b.git", "github", options, env)


@pytest.mark.parametrize(("clone_url", "api_url", "allowed"), [
    ("https://github.com/acme/a.git", "https://api.github.com", True),  # the default API's git host
    ("https://api.github.com/acme/a.git", "https://api.github.com", True),
    ("https://GitHub.com./acme/a.git", "https://api.github.com", True),
    ("https://github.com.evil.example/acme/a.git", "https://api.github.com", False),
    ("http://github.com/acme/a.git", "https://api.github.com", False),  # no downgrade to plain HTTP
    ("https://github.com:8443/acme/a.git", "https://api.github.com", False),
    ("https://user@github.com/acme/a.git", "https://api.github.com", False),
    ("ssh://git@github.com/acme/a.git", "https://api.github.com", False),
    ("git@github.com:acme/a.git", "https://api.github.com", False),
    ("file:///etc/a.git", "https://api.github.com", False),
    ("https://ghe.corp/acme/a.git", "https://ghe.corp/api/v3", True),  # GitHub Enterprise
    ("https://github.com/acme/a.git", "https://ghe.corp/api/v3", False),  # not this API's host
    ("http://127.0.0.1:8080/git/a.git", "http://127.0.0.1:8080/gh", True),
    ("http://127.0.0.1:8081/git/a.git", "http://127.0.0.1:8080/gh", False),
])
def test_clone_urls_are_accepted_only_on_the_apis_host(clone_url: str, api_url: str, allowed: bool) -> None:
    from secret_sprawl.scanner.orgs.trust import clone_refusal

    refusal = clone_refusal(clone_url, api_url, "https://api.github.com", "github.com")
    assert (refusal is None) == allowed, refusal


def test_secrets_list_group_by_org(tmp_path: Path, hosts: FakeHosts, sprawl_scan, capsys) -> None:
    import json

    from secret_sprawl.scanner.cli import main

    _two_orgs(tmp_path, hosts, sprawl_scan)
    capsys.readouterr()
    db = ("--db", f"sqlite:///{tmp_path / 'tracker.db'}")
    assert main(["secrets", "list", *db, "--group-by", "org", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["group_by"] == "org"
    groups = {group["name"]: sorted(s["redacted"] for s in group["secrets"]) for group in document["groups"]}
    assert [group["count"] for group in document["groups"]] == [2, 1]
    shared = groups["github.com/other"]  # the key in both organisations is listed under each
    assert list(groups) == ["github.com/acme", "github.com/other"]
    assert set(shared) < set(groups["github.com/acme"])
    assert main(["secrets", "list", *db, "--group-by", "target"]) == 0
    table = capsys.readouterr().out
    assert "target github.com/acme/agents: 1 secret(s)" in table
    assert "target github.com/acme/shared: 1 secret(s)" in table
    assert table.rstrip().endswith("2 secret(s) in 4 group(s)")
    assert main(["secrets", "list", *db, "--group-by", "org", "--format", "csv"]) == 2
    assert "--group-by" in capsys.readouterr().err


def test_a_schedule_stores_and_reuses_the_org_options_but_never_a_token(
        tmp_path: Path, hosts: FakeHosts, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import json

    from secret_sprawl.scanner.cli import main
    from secret_sprawl.tracker.schedules import find_schedule

    _acme(hosts)
    hosts.github("acme", FakeRepo("acme/agents-old", _key_file(20)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # where a schedule mirrors repositories
    monkeypatch.setenv("ACME_GH", hosts.token or "")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    db = ("--db", f"sqlite:///{tmp_path / 'tracker.db'}")
    options = ("--api-url", f"github.com={hosts.base}/gh", "--token-env", "github.com=ACME_GH",
               "--include", "acme/*", "--exclude", "*-old", "--include-forks")
    assert main(["schedule", "add", "orgs", "--cron", "0 3 * * *", "github://acme", *options, *db]) == 0
    engine = open_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with Session(engine) as session:
            stored = find_schedule(session, "orgs").options
    finally:
        engine.dispose()
    assert stored == {"api_urls": {"github.com": f"{hosts.base}/gh"}, "token_envs": {"github.com": "ACME_GH"},
                      "include_forks": True, "include": ["acme/*"], "exclude": ["*-old"]}
    capsys.readouterr()
    assert main(["schedule", "run-now", "orgs", *db]) == 1, capsys.readouterr()  # findings: exit 1
    out = capsys.readouterr()
    # The stored filters applied (the fork in, the -old repository out), with the token from ACME_GH.
    assert _tracked(tmp_path)[0] == {f"github.com/acme/{name}"
                                     for name in ("agents", "infra", "docs", "shared", "upstream-fork")}
    api_auth = [h["Authorization"] for p, h in hosts.requests if p.startswith("/gh/")]
    assert api_auth and set(api_auth) == {f"Bearer {hosts.token}"}
    token = (hosts.token or "").encode()
    assert token not in b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert token not in _bytes_under(tmp_path / "xdg")
    assert hosts.token not in out.out + out.err + json.dumps(stored)


@pytest.mark.parametrize("option", [("--token-env", "github.com=ghp_" + "0aB" * 12),
                                    ("--token-env", "github.com=glpat-x"),
                                    ("--api-url", "github.com=https://me:s3cret@ghe.corp/api/v3"),
                                    ("--api-url", "github.com=ghe.corp")])
def test_a_token_or_credentials_in_place_of_a_name_are_refused(option: tuple[str, str], tmp_path: Path,
                                                                capsys) -> None:
    from secret_sprawl.scanner.cli import main

    for command in (["schedule", "add", "n", "--cron", "0 3 * * *"], ["scan", "--no-record"]):
        with pytest.raises(SystemExit) as stopped:
            main([*command, "github://acme", *option, "--db", f"sqlite:///{tmp_path / 't.db'}"])
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert option[0] in err and option[1].partition("=")[2] not in err


def test_the_tracker_refuses_schedule_options_that_could_hold_a_secret(tmp_path: Path) -> None:
    from secret_sprawl.tracker.db import writer
    from secret_sprawl.tracker.schedules import add_schedule

    engine = open_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with Session(writer(engine)) as session:
            for options in ({"token_envs": {"github": "hf_abcdefABCDEF0123"}},
                            {"api_urls": {"gitlab": "https://oauth2:glpat-x@gitlab.corp/api/v4"}}):
                with pytest.raises(ValueError, match=r"stores none|never hold the token"):
                    add_schedule(session, "n", "0 3 * * *", ["github://acme"], options=options, by="t")
            add_schedule(session, "ok", "0 3 * * *", ["github://acme"], by="t",
                         options={"token_envs": {"github": "GHE_TOKEN"}, "include": []})
            assert find_schedule_options(session, "ok") == {"token_envs": {"github": "GHE_TOKEN"}}
    finally:
        engine.dispose()


def find_schedule_options(session: Session, name: str) -> dict | None:
    from secret_sprawl.tracker.schedules import find_schedule

    schedule = find_schedule(session, name)
    return schedule.options if schedule else None
