"""Benchmark the git-history and working-tree scans: throughput, peak memory, growth with history.

``python -m bench.history [--repo PATH]... [--tree PATH]... [--repeat N] [--real-only]
[--synthetic-commits N] [--jobs N] [--no-peers]``

Builds (once, deterministically) a synthetic repository with N commits in ``bench/out/`` and a
working tree of generated files, and optionally takes real repositories (``--repo``, e.g. one with
thousands of refs; clone them outside the project) and real source trees (``--tree``). For each it
reports, in the same run and on the same machine, the tools taking turns ``--repeat`` times
(median; a shared machine's busy moments then weigh on every tool alike), wall time,
MB/s of unique blob bytes (history) or file bytes (tree) and the peak resident memory of the whole
process tree (sampled from /proc), for ``sprawl scan`` and for each peer found on PATH
(``gitleaks git``/``gitleaks dir``, ``kingfisher scan``, ``detect-secrets scan``; an absent peer is
skipped and named). History growth is measured on 1/4, 1/2 and all of the synthetic history.
For history subjects the run also times ``git log -p -U0 --all`` alone: the git cost of the other
design (scanning the lines each commit adds), a lower bound for it, against which the unique-blob
design was chosen.
Real repositories are often incomplete, so two more history subjects are derived from the synthetic
one: a copy with one blob in 50 absent (as in public snapshots with lost objects) and a
``--filter=blob:none`` partial clone (its server present; history blobs absent by design). A peer
may fetch a partial clone's blobs from its server or stop at an absent object; each subject is
rebuilt before each tool, so no tool sees another's fetches. Start-up is timed too: the median of
``STARTS`` runs of ``sprawl --version`` and of a scan of a one-file folder, beside each peer's.
Each subject ends with sprawl's wall time and peak memory as a multiple of each peer's. Results
(measurements and ratios) are printed and written to ``bench/out/history.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

OUT = Path(__file__).resolve().parent / "out"
SEED = 7
FILES = 240
LINES_PER_FILE = 500
TREE_FILES = 3000
TREE_FILE_BYTES = 40_000
SMALL_TREE_FILES = 650  # about 26 MB, the size of a mid-sized project's source tree
STARTS = 10


@dataclass
class Measurement:
    tool: str
    subject: str
    seconds: float | None
    megabytes: float
    peak_mb: float | None
    note: str = ""
    findings: int | None = None  # secrets reported

    @property
    def mb_per_s(self) -> float | None:
        return self.megabytes / self.seconds if self.seconds else None


# ----------------------------------------------------------------------------------------- inputs

_WORDS = ("config", "model", "engine", "retry", "batch", "index", "score", "vector", "prompt", "agent",
          "result", "items", "value", "self", "None", "True", "count", "offset", "layer", "frame")


def _line(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=8)
    return f"    {words[0]}_{words[1]} = {words[2]}({', '.join(words[3:6])})  # {rng.randrange(10**6)}"


def _fake_key(rng: random.Random) -> str:
    return "gsk_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(52))


def build_synthetic(path: Path, commits: int) -> Path:
    """A repository of ``commits`` commits over FILES files; each commit rewrites some lines of two
    files; every 97th commit plants a fake key that a later commit removes. Built with fast-import."""
    marker = path / "sprawl-bench-commits"
    if marker.is_file() and marker.read_text() == str(commits):
        return path
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    with tempfile.TemporaryFile() as stream:
        _write_history(stream, commits)
        stream.seek(0)
        subprocess.run(["git", "fast-import", "--quiet"], cwd=path, stdin=stream, check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=path, check=True)
    marker.write_text(str(commits))
    return path


def _write_history(stream: IO[bytes], commits: int) -> None:
    """The fast-import stream of the synthetic history."""
    rng = random.Random(SEED)
    files = [[_line(rng) for _ in range(LINES_PER_FILE)] for _ in range(FILES)]
    when = 1_600_000_000
    for number in range(1, commits + 1):
        when += 3600
        stream.write(f"commit refs/heads/main\nmark :{number}\n"
                     f"committer Bench <bench@example.com> {when} +0000\n".encode())
        message = f"change {number}"
        stream.write(f"data {len(message)}\n{message}\n".encode())
        touched = range(FILES) if number == 1 else rng.sample(range(FILES), 2)
        for index in touched:
            lines = files[index]
            for _ in range(LINES_PER_FILE // 10):
                lines[rng.randrange(LINES_PER_FILE)] = _line(rng)
            if number % 97 == 0:
                lines[rng.randrange(LINES_PER_FILE)] = f"    GROQ_API_KEY = '{_fake_key(rng)}'"
            data = ("\n".join(lines) + "\n").encode()
            header = f"M 100644 inline src/module_{index:03d}.py\ndata {len(data)}\n"
            stream.write(header.encode() + data + b"\n")
        for fraction in (4, 2):
            if number == commits // fraction:
                stream.write(f"reset refs/heads/at-1-{fraction}\nfrom :{number}\n\n".encode())


def history_slice(repo: Path, branch: str, dest: Path) -> Path:
    """A bare repository whose only ref is ``branch`` (objects shared by hard links)."""
    if not dest.exists():
        subprocess.run(["git", "clone", "--quiet", "--bare", "--single-branch", "--no-tags",
                        "--branch", branch, str(repo), str(dest)], check=True)
    return dest


def with_absent_blobs(repo: Path, dest: Path, every: int = 50) -> Path:
    """A bare copy of ``repo`` whose pack lacks every ``every``-th blob (the refs stay, so history does)."""
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(dest)], check=True)
    listing = subprocess.run(["git", "rev-list", "--objects", "--all"], cwd=repo, capture_output=True,
                             text=True, check=True).stdout.split("\n")
    ids = [line.split(" ", 1)[0] for line in listing if line]
    kinds = subprocess.run(["git", "cat-file", "--batch-check=%(objecttype)"], cwd=repo, input="\n".join(ids),
                           capture_output=True, text=True, check=True).stdout.split()
    blobs = [sha for sha, kind in zip(ids, kinds, strict=True) if kind == "blob"]
    dropped = set(blobs[::every])
    kept = "".join(f"{sha}\n" for sha in ids if sha not in dropped)
    subprocess.run(["git", "pack-objects", "--quiet", str(dest / "objects" / "pack" / "pack")], cwd=repo,
                   input=kept, text=True, check=True, stdout=subprocess.DEVNULL)
    refs = subprocess.run(["git", "for-each-ref", "--format=%(objectname) %(refname)"], cwd=repo,
                          capture_output=True, text=True, check=True).stdout
    (dest / "packed-refs").write_text(refs)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=dest, check=True)
    return dest


def partial_clone(repo: Path, dest: Path) -> Path:
    """A ``--filter=blob:none`` clone of ``repo`` over file:// (HEAD's blobs only; the server stays)."""
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["git", "-C", str(repo), "config", "uploadpack.allowFilter", "true"], check=True)
    subprocess.run(["git", "-c", "protocol.file.allow=always", "clone", "--quiet", "--filter=blob:none",
                    f"file://{repo}", str(dest)], check=True)
    return dest


def build_tree(path: Path, files: int = TREE_FILES) -> Path:
    """A directory of ``files`` generated source files (40 kB each), a few with fake keys."""
    marker = path / ".sprawl-bench-tree"
    if marker.is_file():
        return path
    shutil.rmtree(path, ignore_errors=True)
    rng = random.Random(SEED + 1)
    for number in range(files):
        folder = path / f"pkg{number % 30:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        lines, size = [], 0
        while size < TREE_FILE_BYTES:
            lines.append(_line(rng))
            size += len(lines[-1]) + 1
        if number % 500 == 0:
            lines.append(f"GROQ_API_KEY = '{_fake_key(rng)}'")
        (folder / f"mod{number:04d}.py").write_text("\n".join(lines) + "\n")
    marker.write_text("")
    return path


def unique_blob_megabytes(repo: Path) -> float:
    """MB of the unique present blobs reachable from the repository's refs (what a history scan reads;
    ``--missing=print`` so that an absent object does not end the listing early)."""
    listing = subprocess.run("git rev-list --objects --all --missing=print --filter=object:type=blob | "
                             "grep -v '^?' | cut -d' ' -f1 | "
                             "git cat-file --batch-check='%(objecttype) %(objectsize)'", shell=True, cwd=repo,
                             capture_output=True, text=True, check=True).stdout
    sizes = (line.split() for line in listing.splitlines())
    return sum(int(size) for kind, size in sizes if kind == "blob") / 1e6


def tree_megabytes(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# ------------------------------------------------------------------------------------- measuring

SAMPLE_SECONDS = 0.1


def _tree_memory_kb(root: int) -> int:
    """Proportional set size (shared pages split between sharers, so forked workers are not counted
    twice) of ``root`` and all its descendants, in KiB. Descendants are found through each task's
    ``/proc/PID/task/TID/children`` (a few small reads, not a walk of every process on the machine):
    a sampler must cost the measured tools little, and a tool of many processes (workers, git) no
    more than a tool of one."""
    return sum(_pss_kb(pid) for pid in _family(root))


def _family(root: int) -> set[int]:
    family, pending = set(), [root]
    while pending:
        pid = pending.pop()
        if pid in family:
            continue
        family.add(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
            except (OSError, ValueError):
                continue
    return family


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(command: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak memory (MB, PSS) of the process tree sampled every ``SAMPLE_SECONDS`` (reading
    PSS walks a process's page tables: sampled every 20 ms it took a quarter of a core from a tool of
    seven processes), and the exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_memory_kb(process.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    process.stderr.read()
    return seconds, peak / 1024, process.returncode


def sprawl(subject: Path, jobs: int, *, history: bool) -> list[str]:
    command = [sys.executable, "-m", "secret_sprawl.scanner.cli",
        "scan", str(subject), "--no-record", "--format", "json",
               "--output", str(_report("sprawl.json")), "--jobs", str(jobs)]
    return command if history else [*command, "--no-history"]


def peers(subject: Path, *, history: bool, jobs: int) -> dict[str, list[str]]:
    """Each peer's command for this subject (history or working tree) when the peer is on PATH."""
    found = {}
    if shutil.which("gitleaks"):
        mode = "git" if history else "dir"
        found[f"gitleaks {mode}"] = ["gitleaks", mode, str(subject), "--no-banner", "--log-level", "error",
                                     "--report-path", str(_report("gitleaks.json")),
                                     "--report-format", "json", "--exit-code", "0"]
    if shutil.which("kingfisher"):
        found["kingfisher scan"] = ["kingfisher", "scan", str(subject), "--no-validate", "--no-update-check",
                                    "-q", "-f", "json", "-o", str(_report("kingfisher.json")),
                                    "-j", str(jobs), "--git-history", "full" if history else "none"]
    if shutil.which("detect-secrets") and not history:  # detect-secrets reads files, not history
        found["detect-secrets scan"] = ["detect-secrets", "scan", "--all-files", str(subject)]
    return found


def _report(name: str) -> Path:
    """Where a tool writes its findings (a real file: some tools replace their report path)."""
    return OUT / "reports" / name


# "no findings" or "findings" for each tool (Kingfisher says 200, or 205 when a finding was validated).
FINDINGS_EXIT_CODES = (0, 1, 200, 205)
MISSING_PEERS = ("gitleaks", "kingfisher", "detect-secrets")


def measure(label: str, subject: Path, megabytes: float, jobs: int, *, history: bool,
            with_peers: bool, rebuild: Callable[[], object] | None = None,
            git_log: bool = True, repeat: int = 1) -> list[Measurement]:
    """Time each tool on ``subject``, the tools taking turns ``repeat`` times (the median is kept, so a
    busy moment of a shared machine weighs on every tool alike); ``rebuild`` (when given) restores the
    subject before each run."""
    commands = {"sprawl scan": sprawl(subject, jobs, history=history)}
    if history and git_log:  # the other design: its git part alone already costs this, before any scanning
        commands["git log -p -U0 only"] = ["git", "-C", str(subject), "log", "-p", "-U0", "--full-history",
                                           "--all", "--no-color", "--no-ext-diff"]
    if with_peers:
        commands |= peers(subject, history=history, jobs=jobs)
    runs: dict[str, list[tuple[float, float, int, int | None]]] = {tool: [] for tool in commands}
    for _ in range(repeat):
        for tool, command in commands.items():
            if rebuild is not None:
                rebuild()
            for report in REPORTS.values():
                _report(report).unlink(missing_ok=True)
            seconds, peak, code = run_measured(command, cwd=Path(__file__).resolve().parents[1])
            runs[tool].append((seconds, peak, code, _findings(tool)))
    results = []
    for tool, measured in runs.items():
        failed = [code for _, _, code, _ in measured if code not in FINDINGS_EXIT_CODES]
        seconds = statistics.median(m[0] for m in measured)
        times = [m[0] for m in measured]
        spread = f"median of {repeat}, {min(times):.2f}-{max(times):.2f} s" if repeat > 1 else ""
        note = f"exit code {failed[0]}" if failed else spread
        results.append(Measurement(tool, label, None if failed else seconds, megabytes,
                                   statistics.median(m[1] for m in measured), note, measured[-1][3]))
        _print(results[-1])
    _print_ratios(results)
    return results


def _print_ratios(results: list[Measurement]) -> None:
    for row in ratios(results):
        memory = f", peak memory {row['memory_ratio']:.2f}x" if row["memory_ratio"] else ""
        print(f"  {'':<28} sprawl / {row['peer']}: wall {row['wall_ratio']:.2f}x{memory}", flush=True)


def ratios(results: list[Measurement]) -> list[dict]:
    """Per subject: sprawl's wall time and peak memory divided by each peer's, from the same run."""
    rows = []
    for subject in dict.fromkeys(m.subject for m in results):
        here = [m for m in results if m.subject == subject]
        ours = next((m for m in here if m.tool == "sprawl scan" and m.seconds), None)
        for peer in here:
            if ours is None or peer is ours or not peer.seconds or peer.tool.startswith("git log"):
                continue
            memory = round(ours.peak_mb / peer.peak_mb, 3) if ours.peak_mb and peer.peak_mb else None
            wall = round(ours.seconds / peer.seconds, 3)
            rows.append({"subject": subject, "peer": peer.tool, "wall_ratio": wall, "memory_ratio": memory})
    return rows


REPORTS = {"sprawl scan": "sprawl.json", "gitleaks": "gitleaks.json", "kingfisher scan": "kingfisher.json"}


def _findings(tool: str) -> int | None:
    """How many secrets the tool reported (from its report file), or None when it wrote none."""
    name = next((report for prefix, report in REPORTS.items() if tool.startswith(prefix)), None)
    try:
        document = json.loads(_report(name).read_text()) if name else None
    except (OSError, ValueError):
        return None
    if isinstance(document, dict):  # sprawl (with posture findings beside secrets) and kingfisher
        return sum(1 for finding in document.get("findings", []) if finding.get("kind", "secret") == "secret")
    return len(document) if isinstance(document, list) else None


def startup(with_peers: bool) -> list[Measurement]:
    """Median wall time of STARTS runs of each start-up command (a version query, a one-file scan)."""
    tiny = OUT / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "app.py").write_text("print('hello')\n")
    cli = [sys.executable, "-m", "secret_sprawl.scanner.cli"]
    commands = {"sprawl --version": [*cli, "--version"],
                "sprawl scan (1 file)": [*cli, "scan", str(tiny), "--no-record", "--format", "json"]}
    if with_peers and shutil.which("kingfisher"):
        commands["kingfisher --version"] = ["kingfisher", "--version"]
        commands["kingfisher scan (1 file)"] = ["kingfisher", "scan", str(tiny), "--no-validate", "-q",
                                                "--no-update-check", "-f", "json", "--git-history", "none"]
    if with_peers and shutil.which("gitleaks"):
        commands["gitleaks version"] = ["gitleaks", "version"]
        commands["gitleaks dir (1 file)"] = ["gitleaks", "dir", str(tiny), "--no-banner", "--exit-code", "0",
                                             "--log-level", "error"]
    results = []
    subprocess.run(commands["sprawl scan (1 file)"], capture_output=True)  # fill the caches once
    for tool, command in commands.items():
        times = []
        for _ in range(STARTS):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True)
            times.append(time.perf_counter() - started)
        results.append(Measurement(tool, "start-up", statistics.median(times), 0.0, None,
                                   f"median of {STARTS}, min {min(times):.3f} s"))
        print(f"  {'start-up':<28} {tool:<26} {results[-1].seconds:7.3f} s  ({results[-1].note})", flush=True)
    return results


def _print(m: Measurement) -> None:
    speed = f"{m.mb_per_s:8.1f} MB/s" if m.mb_per_s else "      failed"
    seconds = f"{m.seconds:7.2f} s" if m.seconds else "        -"
    memory = f"{m.peak_mb:7.0f} MB peak" if m.peak_mb else ""
    found = f"{m.findings:5d} found" if m.findings is not None else ""
    print(f"  {m.subject:<28} {m.tool:<20} {seconds} {m.megabytes:9.1f} MB {speed} {memory} {found} {m.note}",
          flush=True)


# ------------------------------------------------------------------------------------------- main

def synthetic_subjects(commits: int, jobs: int, with_peers: bool, repeat: int) -> list[Measurement]:
    """History growth, incomplete histories (absent blobs, a partial clone) and generated trees."""
    print(f"building inputs in {OUT} ...", flush=True)
    synthetic = build_synthetic(OUT / "synthetic.git", commits)
    tree = build_tree(OUT / "tree")
    results: list[Measurement] = []
    print("history growth (synthetic):")
    for fraction, name in ((4, "1/4"), (2, "1/2")):
        part = history_slice(synthetic, f"at-1-{fraction}", OUT / f"synthetic-{fraction}.git")
        results += measure(f"synthetic history {name}", part, unique_blob_megabytes(part), jobs,
                           history=True, with_peers=with_peers)
    results += measure("synthetic history all", synthetic, unique_blob_megabytes(synthetic), jobs,
                       history=True, with_peers=with_peers, repeat=repeat)
    print("incomplete history (synthetic):")
    absent = OUT / "synthetic-absent.git"
    results += measure("history, 1 blob in 50 absent", absent, unique_blob_megabytes(synthetic), jobs,
                       history=True, with_peers=with_peers, git_log=False,
                       rebuild=lambda: with_absent_blobs(synthetic, absent), repeat=repeat)
    clone = OUT / "synthetic-partial"
    results += measure("partial clone (blob:none)", clone, unique_blob_megabytes(synthetic), jobs,
                       history=True, with_peers=with_peers, git_log=False,
                       rebuild=lambda: partial_clone(synthetic, clone), repeat=repeat)
    print("working tree:")
    results += measure("generated tree", tree, tree_megabytes(tree), jobs, history=False,
                       with_peers=with_peers, repeat=repeat)
    small = build_tree(OUT / "tree-small", SMALL_TREE_FILES)
    results += measure("generated tree, small", small, tree_megabytes(small), jobs, history=False,
                       with_peers=with_peers, repeat=repeat)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, action="append", default=[],
                        help="a real repository with long history (outside the project; repeatable)")
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="a real source tree to scan without history (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="runs of each tool per subject, taking turns; the median is reported")
    parser.add_argument("--synthetic-commits", type=int, default=3000, metavar="N")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-peers", action="store_true", help="measure sprawl only")
    parser.add_argument("--real-only", action="store_true",
                        help="only --repo/--tree subjects and the start-up (no synthetic inputs)")
    args, _ = parser.parse_known_args(argv)
    (OUT / "reports").mkdir(parents=True, exist_ok=True)
    with_peers = not args.no_peers
    if with_peers:
        absent = [name for name in MISSING_PEERS if not shutil.which(name)]
        if absent:
            print(f"peers not found on PATH, skipped: {', '.join(absent)}")
    results: list[Measurement] = []
    if not args.real_only:
        results += synthetic_subjects(args.synthetic_commits, args.jobs, with_peers, args.repeat)
    for tree in args.tree:
        tree = tree.resolve()
        print(f"real tree {tree}:")
        results += measure(f"{tree.name} tree", tree, tree_megabytes(tree), args.jobs, history=False,
                           with_peers=with_peers, repeat=args.repeat)
    for repo in args.repo:
        repo = repo.resolve()
        print(f"real repository {repo}:")
        results += measure(f"{repo.name} history", repo, unique_blob_megabytes(repo), args.jobs, history=True,
                           with_peers=with_peers, git_log=False, repeat=args.repeat)
    print("start-up:")
    results += startup(with_peers)
    report = {"measurements": [{**asdict(m), "mb_per_s": m.mb_per_s} for m in results],
              "ratios": ratios(results)}
    (OUT / "history.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {OUT / 'history.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
