"""Deterministic benchmark corpus: mixed source, config, minified JS and lockfiles with planted secrets.

Files are assembled from pools of randomly generated lines (seeded), so the same size and seed give
byte-identical files. A few hundred synthetic secrets are planted: the example lines of the rule
catalog, each on its own line in a random multi-line file, so recall can be measured against them.
A manifest records the parameters and the planted secrets; an existing corpus with the same
parameters is reused.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from secret_sprawl.detectors.catalog import Catalog

MANIFEST = "manifest.json"
WORDS = [
    "user", "order", "item", "price", "total", "count", "index", "value", "result", "request", "response",
    "config", "client", "server", "session", "cache", "queue", "worker", "task", "event", "handler", "model",
    "prompt", "embedding", "vector", "batch", "retry", "timeout", "limit", "offset", "page", "filter", "sort",
    "query", "schema", "table", "column", "record", "field", "buffer", "stream", "header", "status",
    "error", "message", "logger", "metrics", "trace", "span", "context", "options", "parser", "node",
]
# Lines that mention credentials without holding one, at the rate real code has them.
NEAR_MISSES = [
    'token = request.headers.get("Authorization", "").removeprefix("Bearer ")',
    'password = getpass.getpass("Password: ")',
    'api_key = os.environ["OPENAI_API_KEY"]',
    "secret_key: ${{ secrets.SECRET_KEY }}",
    '"url": "https://docs.example.org/guide/tokens#refresh"',
    "DATABASE_URL=postgresql://app@localhost:5432/app",
    "# rotate the access token before it expires",
    'client = Client(token=settings.TOKEN, timeout=30)',
    "headers['Authorization'] = `Bearer ${session.accessToken}`;",
    "OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}",
]
NEAR_MISS_RATE = 0.005  # one line in 200
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"


@dataclass(frozen=True)
class Planted:
    path: str
    rule_id: str
    secret: str


@dataclass(frozen=True)
class Corpus:
    directory: Path
    files: list[Path]
    planted: list[Planted]
    size: int


def ensure_corpus(directory: Path, catalog: Catalog, *, size_mb: float, seed: int = 2026,
                  plants: int = 300) -> Corpus:
    """The corpus in ``directory``, generated unless a matching one is already there."""
    params = {"size_mb": size_mb, "seed": seed, "plants": plants, "catalog": catalog.digest}
    manifest_path = directory / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = [directory / name for name in manifest["files"]]
        if manifest["params"] == params and all(path.is_file() for path in files):
            planted = [Planted(**item) for item in manifest["planted"]]
            return Corpus(directory, files, planted, sum(path.stat().st_size for path in files))
    return _generate(directory, catalog, params)


def _generate(directory: Path, catalog: Catalog, params: dict) -> Corpus:
    rng = random.Random(params["seed"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("f*"):
        stale.unlink()
    pools = {
        kind: [rng.choice(NEAR_MISSES) if rng.random() < NEAR_MISS_RATE else make(rng) for _ in range(4000)]
        for kind, (make, _) in _KINDS.items()
    }
    contents: dict[str, list[str]] = {}
    budget = int(params["size_mb"] * 1_000_000)
    while budget > 0:
        kind = rng.choices(list(_KINDS), weights=[weight for _, weight in _KINDS.values()])[0]
        name = f"f{len(contents):05d}{_EXTENSIONS[kind]}"
        if kind == "minified":
            lines = [";".join(rng.choices(pools[kind], k=rng.randint(2_000, 20_000)))]
        else:
            lines = rng.choices(pools[kind], k=rng.randint(200, 6_000))
        contents[name] = lines
        budget -= sum(len(line) + 1 for line in lines)
    planted = _plant(rng, contents, catalog, params["plants"])
    files = []
    for name, lines in contents.items():
        path = directory / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    manifest = {"params": params, "files": list(contents), "planted": [asdict(p) for p in planted]}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return Corpus(directory, files, planted, sum(path.stat().st_size for path in files))


def _plant(rng: random.Random, contents: dict[str, list[str]], catalog: Catalog, count: int) -> list[Planted]:
    """Insert catalog example lines into random multi-line files, cycling through the rules."""
    examples = [(rule.id, example) for rule in catalog.rules for example in rule.examples]
    rng.shuffle(examples)
    targets = [name for name in contents if not name.endswith(".min.js")]
    planted: list[Planted] = []
    for number in range(min(count, len(examples) * 4)):
        rule_id, example = examples[number % len(examples)]
        name = rng.choice(targets)
        lines = contents[name]
        lines.insert(rng.randrange(len(lines) + 1), example.text)
        planted.append(Planted(name, rule_id, example.secret))
    return planted


def _ident(rng: random.Random) -> str:
    return "_".join(rng.choices(WORDS, k=rng.randint(1, 3)))


def _python(rng: random.Random) -> str:
    indent = " " * rng.choice((0, 4, 8))
    return indent + rng.choice((
        f"def {_ident(rng)}({_ident(rng)}, {_ident(rng)}=None):",
        f"{_ident(rng)} = {_ident(rng)}.{_ident(rng)}({_ident(rng)}, {rng.randint(0, 9999)})",
        f"# {' '.join(rng.choices(WORDS, k=rng.randint(3, 12)))}",
        f"return {_ident(rng)}[{rng.randint(0, 99)}] + {_ident(rng)}",
        f'{_ident(rng)} = os.environ.get("{_ident(rng).upper()}")',
        f'logger.info("{" ".join(rng.choices(WORDS, k=5))} %s", {_ident(rng)})',
        f"if {_ident(rng)} is None or len({_ident(rng)}) > {rng.randint(1, 512)}:",
        f"from {_ident(rng)}.{_ident(rng)} import {_ident(rng)}",
    ))


def _javascript(rng: random.Random) -> str:
    return rng.choice((
        f"const {_ident(rng)} = await fetch(`/api/{_ident(rng)}/${{{_ident(rng)}}}`);",
        f"export function {_ident(rng)}({_ident(rng)}) {{ return {_ident(rng)}?.{_ident(rng)} ?? null; }}",
        f"  {_ident(rng)}: '{''.join(rng.choices(ALNUM, k=rng.randint(4, 24)))}',",
        f"// {' '.join(rng.choices(WORDS, k=rng.randint(3, 10)))}",
    ))


def _minified(rng: random.Random) -> str:
    a, b = rng.choice(string.ascii_letters), rng.choice(string.ascii_letters)
    return rng.choice((
        f"var {a}=function({a},{b}){{return {a}.{_ident(rng)}({b})}}",
        f'{a}.{_ident(rng)}="{"".join(rng.choices(ALNUM, k=rng.randint(4, 40)))}"',
        f"{a}&&{b}.push({{{_ident(rng)}:{rng.randint(0, 1 << 20)},{b}:{a}.t}})",
    ))


def _yaml(rng: random.Random) -> str:
    indent = "  " * rng.randint(0, 3)
    return indent + rng.choice((
        f"{_ident(rng)}: {rng.choice(WORDS)}",
        f"- name: {' '.join(rng.choices(WORDS, k=3))}",
        f"{_ident(rng)}: {rng.randint(0, 65535)}",
        f"image: {rng.choice(WORDS)}/{rng.choice(WORDS)}:{rng.randint(1, 20)}.{rng.randint(0, 9)}",
    ))


def _json(rng: random.Random) -> str:
    return rng.choice((
        f'  "{_ident(rng)}": "{" ".join(rng.choices(WORDS, k=rng.randint(1, 6)))}",',
        f'  "{_ident(rng)}": {rng.randint(0, 10**9)},',
        f'  "id": "{rng.getrandbits(128):032x}",',
        f'  "{_ident(rng)}": "{"".join(rng.choices(B64, k=rng.randint(16, 64)))}",',
    ))


def _lockfile(rng: random.Random) -> str:
    name = rng.choice(WORDS) + "-" + rng.choice(WORDS)
    version = f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
    return rng.choice((
        f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-{version}.tgz",',
        f'      "integrity": "sha512-{"".join(rng.choices(B64, k=86))}==",',
        f'    "node_modules/{name}": {{',
        f'      "version": "{version}",',
        f"{name}=={version} --hash=sha256:{rng.getrandbits(256):064x}",
    ))


_KINDS: dict[str, tuple[Callable[[random.Random], str], float]] = {
    "python": (_python, 0.3),
    "javascript": (_javascript, 0.2),
    "minified": (_minified, 0.1),
    "yaml": (_yaml, 0.15),
    "json": (_json, 0.1),
    "lockfile": (_lockfile, 0.15),
}
_EXTENSIONS = {"python": ".py", "javascript": ".js", "minified": ".min.js", "yaml": ".yaml",
               "json": ".json", "lockfile": ".lock"}
