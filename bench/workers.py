"""Benchmark queue workers: ``python -m bench.workers [--db URL] [--repos 200] [--workers 1,2,4]``.

Builds N synthetic repositories with history (five commits each, a generated key in the first that
a later commit removes, a key shared by every tenth repository), queues one scan job per repository
in a PostgreSQL tracker and runs them with 1, 2 and 4 ``sprawl worker --until-empty`` processes on
this machine, each time into a fresh schema. Reports repositories per minute, the time spent
recording (summed over jobs, from the workers' logs) and the speed-up over the previous step, where
the queue saturates. Then lists a 1,000-repository fake GitHub organisation from a local API (100 per
page, ``Link: rel="next"``). Needs PostgreSQL: ``--db``, else $SPRAWL_TEST_POSTGRES_URL; without one
the worker part is skipped. Writes ``bench/out/workers.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from secret_sprawl.scanner.orgs.expand import OrgOptions, org_repositories
from sqlalchemy import create_engine, make_url, text

OUT = Path(__file__).parent / "out"
SPRAWL = [sys.executable, "-c", "import sys; from secret_sprawl.scanner.cli import main; sys.exit(main())"]
_RECORDED = re.compile(r"recorded .*: \d+ findings in ([\d.]+)s")


def fake_key(rng: random.Random) -> str:
    """A Groq-shaped key from a seeded generator: well-formed, never real."""
    return "gsk_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(52))


def build_repositories(root: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` repositories, written with one ``git fast-import`` each."""
    rng = random.Random(seed)
    shared = fake_key(rng)
    repos = []
    for index in range(count):
        repo = root / f"repo-{index:04d}"
        subprocess.run(["git", "init", "--quiet", "--bare", str(repo)], check=True)
        stream = []
        for commit in range(5):
            files = {f"src/module_{n}.py": f"# module {n}, revision {commit}\nVALUE = {rng.random()}\n" * 20
                     for n in range(8)}
            if commit == 0:
                files["config/settings.py"] = f"GROQ_API_KEY = '{fake_key(rng)}'\n"
            if commit == 2:
                files["config/settings.py"] = "GROQ_API_KEY = os.environ['GROQ_API_KEY']\n"
            if index % 10 == 0:
                files["deploy/.env"] = f"GROQ_API_KEY={shared}\n"
            stream.append(f"commit refs/heads/main\nmark :{commit + 1}\n"
                          f"committer Bench <bench@example.invalid> {1_700_000_000 + commit * 86_400} +0000\n"
                          f"data 8\ncommit {commit}\n" + ("" if commit == 0 else f"from :{commit}\n"))
            for path, body in files.items():
                data = body.encode()
                stream.append(f"M 100644 inline {path}\ndata {len(data)}\n{body}\n")
        subprocess.run(["git", "fast-import", "--quiet"], input="".join(stream).encode(), cwd=repo,
                       check=True)
        repos.append(repo)
    return repos


def run_workers(server_url: str, repos: list[Path], workers: int, scratch: Path) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    db = url.render_as_string(hide_password=False)
    try:
        subprocess.run([*SPRAWL, "scan", *map(str, repos), "--enqueue", "--db", db], check=True,
                       capture_output=True)
        logs = [scratch / f"w{workers}-{n}.log" for n in range(workers)]
        started = time.monotonic()
        processes = []
        for log in logs:
            with log.open("w") as out:
                processes.append(subprocess.Popen(
                    [*SPRAWL, "worker", "--db", db, "--until-empty", "--cache-dir", str(scratch / "cache")],
                    stdout=out, stderr=subprocess.STDOUT))
        for process in processes:
            process.wait()
        elapsed = time.monotonic() - started
        recording = [float(m) for log in logs for m in _RECORDED.findall(log.read_text())]
        with admin.connect() as connection:
            statuses = dict(connection.execute(text(
                f'SELECT status::text, count(*) FROM "{schema}".procrastinate_jobs GROUP BY 1')).all())
            secrets = connection.execute(text(f'SELECT count(*) FROM "{schema}".secret')).scalar_one()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return {"workers": workers, "repositories": len(repos), "seconds": round(elapsed, 2),
            "repos_per_minute": round(len(repos) / elapsed * 60, 1), "jobs": statuses, "secrets": secrets,
            "recording_seconds_total": round(sum(recording), 2),
            "recording_ms_mean": round(1000 * sum(recording) / len(recording), 1) if recording else None}


def enumeration(count: int = 1000, per_page: int = 100) -> dict[str, Any]:
    """List a fake organisation of ``count`` repositories served on 127.0.0.1."""
    pages: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            size = min(int(query.get("per_page", ["30"])[0]), per_page)
            page = int(query.get("page", ["1"])[0])
            pages.append(page)
            start = (page - 1) * size
            here = f"http://127.0.0.1:{self.server.server_address[1]}"
            items = [{"full_name": f"bench/repo-{n}", "clone_url": f"{here}/bench/repo-{n}.git",
                      "fork": n % 50 == 0, "archived": n % 7 == 0}
                     for n in range(start, min(start + size, count))]
            body = json.dumps(items).encode()
            self.send_response(200)
            if start + size < count:
                base = f"{here}{urlsplit(self.path).path}"
                self.send_header("Link", f'<{base}?per_page={size}&page={page + 1}>; rel="next"')
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        options = OrgOptions(api_urls={"github": f"http://127.0.0.1:{server.server_address[1]}"})
        started = time.monotonic()
        repos = org_repositories("github://bench", options, env={})
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    return {"repositories_listed": count, "kept_after_fork_filter": len(repos), "pages": len(pages),
            "seconds": round(elapsed, 3)}


def _line(run: dict[str, Any]) -> str:
    return (f"{run['workers']} worker(s): {run['seconds']}s, {run['repos_per_minute']} repos/min, "
            f"recording {run['recording_seconds_total']}s total ({run['recording_ms_mean']} ms/job), "
            f"speed-up {run['speedup_over_previous']}, jobs {run['jobs']}, secrets {run['secrets']}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("SPRAWL_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server URL (a schema per run is created and dropped)")
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"enumeration": enumeration()}
    e = report["enumeration"]
    print(f"enumeration: {e['repositories_listed']} repositories in {e['pages']} pages: {e['seconds']}s")
    if not args.db:
        print("no PostgreSQL (--db or SPRAWL_TEST_POSTGRES_URL): worker runs skipped")
    else:
        with tempfile.TemporaryDirectory(prefix="sprawl-bench-workers-") as folder:
            scratch = Path(folder)
            started = time.monotonic()
            repos = build_repositories(scratch / "repos", args.repos)
            print(f"built {len(repos)} repositories in {time.monotonic() - started:.1f}s")
            runs = []
            for count in (int(n) for n in args.workers.split(",")):
                run = run_workers(args.db, repos, count, scratch)
                rate = runs[-1]["repos_per_minute"] if runs else None
                run["speedup_over_previous"] = round(run["repos_per_minute"] / rate, 2) if rate else None
                runs.append(run)
                print(_line(run))
            report["runs"] = runs
            report["cpus"] = os.cpu_count()
            report["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)  # other work on the machine
            print(f"{os.cpu_count()} CPUs, load average {report['load_average_1m_at_end']} at the end")
    OUT.mkdir(exist_ok=True)
    (OUT / "workers.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
