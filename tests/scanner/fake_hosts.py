"""Fake GitHub, GitLab and Hugging Face APIs on 127.0.0.1, serving real git repositories.

Every host's repositories are served over git's dumb HTTP protocol by the same server, so the test
sees the headers git sends. ``clone_urls`` makes the API name another clone URL for a repository,
``next_base`` another origin for its next pages, ``redirect_base`` one it redirects to (a hostile
API). Every page
holds ``per_page`` items at most, so any organisation of three or more repositories is paginated
(GitHub and Hugging Face through ``Link: rel="next"``, GitLab through ``X-Next-Page``).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.scanner.helpers import commit_all, git


@dataclass
class FakeRepo:
    path: str  # acme/agents, group/sub/project, datasets/acme/corpus
    files: dict[str, str]
    fork: bool = False
    archived: bool = False


@dataclass
class FakeHosts:
    root: Path
    token: str | None = None  # when set, the APIs answer 401 without it
    per_page: int = 2
    github_orgs: dict[str, list[FakeRepo]] = field(default_factory=dict)
    github_users: dict[str, list[FakeRepo]] = field(default_factory=dict)
    gitlab_groups: dict[str, list[FakeRepo]] = field(default_factory=dict)
    hf_orgs: dict[str, list[FakeRepo]] = field(default_factory=dict)
    rate_limit_once: dict[str, int] = field(default_factory=dict)  # path prefix -> seconds until reset
    clone_urls: dict[str, str] = field(default_factory=dict)  # repository path -> clone URL the API names
    next_base: str | None = None  # the origin the API's next-page links point at (default its own)
    redirect_base: str | None = None  # when set, every API request is redirected (302) to this origin
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def add(self, where: dict[str, list[FakeRepo]], owner: str, repo: FakeRepo, served: str) -> None:
        where.setdefault(owner, []).append(repo)
        work = self.root / "work" / repo.path
        work.mkdir(parents=True)
        git(work, "init", "--quiet")
        for name, text in repo.files.items():
            (work / name).write_text(text)
        commit_all(work, f"add {repo.path}")
        bare = self.root / "served" / served
        bare.parent.mkdir(parents=True, exist_ok=True)
        git(self.root, "clone", "--quiet", "--bare", str(work), str(bare))
        git(bare, "update-server-info")

    def github(self, owner: str, repo: FakeRepo, *, user: bool = False) -> None:
        self.add(self.github_users if user else self.github_orgs, owner, repo, f"git/{repo.path}.git")

    def gitlab(self, group: str, repo: FakeRepo) -> None:
        self.add(self.gitlab_groups, group, repo, f"glgit/{repo.path}.git")

    def huggingface(self, org: str, repo: FakeRepo) -> None:
        self.add(self.hf_orgs, org, repo, f"hf/{repo.path}")

    def git_headers(self) -> list[dict[str, str]]:
        return [headers for path, headers in self.requests if path.startswith(("/git/", "/glgit/", "/hf/"))
                and not path.startswith("/hf/api/")]


def serve(hosts: FakeHosts) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hosts))
    hosts.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def basic_token(header: str) -> str:
    return base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")[2]


def _handler(hosts: FakeHosts) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            hosts.requests.append((url.path, dict(self.headers.items())))
            for prefix, seconds in list(hosts.rate_limit_once.items()):
                if url.path.startswith(prefix):
                    del hosts.rate_limit_once[prefix]
                    return self._send(403, b'{"message": "rate limit"}', {
                        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + seconds)})
            if url.path.startswith(("/gh/", "/gl/", "/hf/api/")) and hosts.redirect_base:
                return self._send(302, b"", {"Location": f"{hosts.redirect_base}{self.path}"})
            if url.path.startswith(("/gh/", "/gl/", "/hf/api/")):
                return self._api(url.path, query)
            file = hosts.root / "served" / url.path.lstrip("/")
            if file.is_file():
                return self._send(200, file.read_bytes(), {"Content-Type": "application/octet-stream"})
            return self._send(404, b"not found")

        def _api(self, path: str, query: dict[str, str]) -> None:
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if hosts.token and hosts.token not in (bearer, self.headers.get("PRIVATE-TOKEN")):
                return self._send(401, b'{"message": "Bad credentials"}')
            parts = path.strip("/").split("/")
            if parts[:2] == ["gh", "orgs"] and parts[3:] == ["repos"]:
                return self._page(hosts.github_orgs.get(parts[2]), query, self._github_item, "link")
            if parts[:2] == ["gh", "users"] and parts[3:] == ["repos"]:
                return self._page(hosts.github_users.get(parts[2]), query, self._github_item, "link")
            if parts[:2] == ["gl", "groups"] and parts[3:] == ["projects"]:
                group = unquote(parts[2])
                repos = [r for g, rs in hosts.gitlab_groups.items() if g == group or g.startswith(group + "/")
                         for r in rs] or None
                return self._page(repos, query, self._gitlab_item, "x-next-page")
            if parts[:2] == ["hf", "api"] and len(parts) == 3:
                prefix = "" if parts[2] == "models" else f"{parts[2]}/"
                repos = [r for r in hosts.hf_orgs.get(query.get("author", ""), [])
                         if r.path.startswith(prefix) and (prefix or "/" not in r.path.split("/", 1)[1])]
                return self._page(repos, query, self._hf_item, "cursor")
            return self._send(404, b'{"message": "Not Found"}')

        def _page(self, repos, query, item, style: str) -> None:
            if repos is None:
                return self._send(404, b'{"message": "Not Found"}')
            size = min(int(query.get("per_page", query.get("limit", 100))), hosts.per_page)
            page = int(query.get("page", "1"))
            start = int(query.get("cursor", "0")) if style == "cursor" else (page - 1) * size
            chunk, more = repos[start:start + size], start + size < len(repos)
            headers: dict[str, str] = {"Content-Type": "application/json"}
            here = f'{hosts.next_base or hosts.base}{self.path.split("?")[0]}'
            if more and style == "link":
                headers["Link"] = f'<{here}?per_page={size}&page={page + 1}>; rel="next"'
            elif more and style == "x-next-page":
                headers["X-Next-Page"] = str(page + 1)
            elif more:
                cursor = f'author={query["author"]}&limit={size}&cursor={start + size}'
                headers["Link"] = f'<{here}?{cursor}>; rel="next"'
            self._send(200, json.dumps([item(r) for r in chunk]).encode(), headers)

        @staticmethod
        def _github_item(repo: FakeRepo) -> dict:
            return {"full_name": repo.path,
                    "clone_url": hosts.clone_urls.get(repo.path, f"{hosts.base}/git/{repo.path}.git"),
                    "fork": repo.fork, "archived": repo.archived}

        @staticmethod
        def _gitlab_item(repo: FakeRepo) -> dict:
            clone_url = hosts.clone_urls.get(repo.path, f"{hosts.base}/glgit/{repo.path}.git")
            return {"path_with_namespace": repo.path, "http_url_to_repo": clone_url,
                    "archived": repo.archived, **({"forked_from_project": {"id": 1}} if repo.fork else {})}

        @staticmethod
        def _hf_item(repo: FakeRepo) -> dict:
            return {"id": repo.path.removeprefix("datasets/").removeprefix("spaces/")}

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
