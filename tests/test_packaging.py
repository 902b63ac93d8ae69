"""The wheel claims one import name, ``secret_sprawl``: built from this tree, installed into a clean venv
next to an unrelated distribution that owns a top-level ``scanner`` module, both import and a scan runs.

Nothing is downloaded: the wheels are installed with ``--no-index --no-deps`` and the dependencies
come from the development venv's site-packages (a path entry, so its editable install of this tree is
not active there).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.scanner.fake_providers import fake_openai_key

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("detectors", "scanner", "tracker", "tui")


def _run(*command: str | Path, cwd: Path, codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, timeout=300,
                          check=False)
    assert done.returncode in codes, f"{command}: {done.stderr[-2000:]}"
    return done


def test_package_list_matches_the_folders() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {
        ".".join(("secret_sprawl", *init.parent.relative_to(ROOT).parts))
        for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk
    assert setuptools["package-dir"] == {f"secret_sprawl.{f}": f for f in FOLDERS}


@pytest.mark.slow
def test_wheel_installs_next_to_a_foreign_scanner_module_and_scans(tmp_path: Path) -> None:
    pip = (sys.executable, "-m", "pip")
    source, dist = tmp_path / "source", tmp_path / "dist"  # a copy: the build writes build/ next to it
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run(*pip, "wheel", "--no-deps", "-q", "-w", dist, source, cwd=tmp_path)
    [ours] = dist.glob("secret_sprawl-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(ours).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"secret_sprawl"}

    foreign = tmp_path / "foreign"
    (foreign / "scanner").mkdir(parents=True)
    (foreign / "scanner" / "__init__.py").write_text('WHO = "someone else"\n', encoding="utf-8")
    (foreign / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "unrelated-scanner"\nversion = "1.0"\n'
        '[tool.setuptools]\npackages = ["scanner"]\n', encoding="utf-8")
    _run(*pip, "wheel", "--no-deps", "-q", "-w", dist, foreign, cwd=tmp_path)

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=tmp_path).stdout.strip())
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    wheels = sorted(dist.glob("*.whl"))
    _run(*pip, "--python", python, "install", "-q", "--no-index", "--no-deps", *wheels, cwd=tmp_path)

    where = _run(python, "-c", "import scanner, secret_sprawl.scanner as ours; print(scanner.WHO); "
                               "print(ours.__file__)", cwd=tmp_path).stdout.splitlines()
    assert where[0] == "someone else" and where[1].startswith(str(site))

    project = tmp_path / "project"
    project.mkdir()
    key = fake_openai_key()
    (project / "settings.py").write_text(f'OPENAI_API_KEY = "{key}"\n', encoding="utf-8")
    done = _run(venv / "bin" / "sprawl", "scan", "--no-record", "--format", "json", project, cwd=tmp_path,
                codes=(1,))
    report = json.loads(done.stdout)
    assert done.returncode == 1 and [f["provider"] for f in report["findings"]] == ["openai"]
    assert key not in done.stdout
