"""Small parts of the scanner: path classification, pieces of large files, structured parsers."""

from __future__ import annotations

import base64
import io
import json

import pytest
from secret_sprawl.detectors.types import Provenance
from secret_sprawl.scanner.sources.base import pieces
from secret_sprawl.scanner.structured import envfile, kubernetes, notebook
from secret_sprawl.scanner.structured.classify import classify
from secret_sprawl.scanner.structured.locate import Locator
from secret_sprawl.scanner.structured.segments import MalformedError

from tests.scanner.helpers import groq_key


@pytest.mark.parametrize(("path", "kind"), [
    (".env", "env-file"), (".env.production", "env-file"), ("deploy/prod.env", "env-file"),
    ("docker-compose.override.yml", "env-file"), ("compose.yaml", "env-file"),
    (".github/workflows/release.yaml", "ci-config"), (".gitlab-ci.yml", "ci-config"),
    (".circleci/config.yml", "ci-config"), ("azure-pipelines.yml", "ci-config"),
    ("bitbucket-pipelines.yml", "ci-config"), ("Jenkinsfile", "ci-config"),
    ("mcp.json", "agent-config"), (".mcp.json", "agent-config"), (".cursor/mcp.json", "agent-config"),
    (".vscode/mcp.json", "agent-config"), ("claude_desktop_config.json", "agent-config"),
    ("notebooks/eda.ipynb", "notebook"), ("infra/prod.tfvars", "iac"), (".npmrc", "config"),
    (".pypirc", "config"), (".netrc", "config"), (".aws/credentials", "config"), ("src/app.py", "source"),
    ("k8s/deploy.yaml", "source"), ("docs/workflows/x.yml", "source"),
])
def test_classify(path: str, kind: str) -> None:
    assert classify(path).location_kind == kind


def test_pieces_overlap_and_carry_line_and_column_offsets() -> None:
    data = b"ab\ncd\n" + b"x" * 20 + b"\nlast"
    provenance = Provenance(target="t", path="p")
    parts = list(pieces(io.BytesIO(data).read, provenance, overlap=4, piece_size=8))
    assert b"".join(p.data[: p.keep_before] for p in parts[:-1]) + parts[-1].data == data
    assert [(p.line_offset, p.column_offset) for p in parts] == [(0, 0), (2, 2), (2, 10), (2, 18)]
    assert [p.last for p in parts] == [False, False, False, True]
    assert all(len(p.data) == 12 for p in parts[:-1])


def test_env_parser_accepts_env_syntax_and_rejects_other_text() -> None:
    text = "# c\nexport A=1\nB = 'x'\nC=\"multi\nline\"\n\nD=\n"
    assert envfile.parse(text).segments[0].text == text
    with pytest.raises(MalformedError, match="line 2"):
        envfile.parse("A=1\nnot an assignment\n")


def test_kubernetes_secret_data_is_decoded_and_placed_at_its_key() -> None:
    key = groq_key(40)
    manifest = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  other: aGVsbG8=\n"
                f"  GROQ_API_KEY: {base64.b64encode(key.encode()).decode()}\n  broken: '%%%'\n")
    parsed = kubernetes.parse(manifest)
    assert parsed.location_kind == "iac"
    decoded = [s for s in parsed.segments if s.fixed]
    candidate = kubernetes.CANDIDATE
    assert [(s.text, s.line, s.column) for s in decoded] == [
        (candidate + "hello", 6, 3), (candidate + key, 7, 3)]
    assert kubernetes.parse("kind: Deployment\n").location_kind is None


def test_kubernetes_secret_string_data_values_are_candidates_at_their_key() -> None:
    manifest = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  signing: 'abc def'\n"
                "  config: |\n    a: 1\n    b: 2\n")
    decoded = [s for s in kubernetes.parse(manifest).segments if s.fixed]
    assert [(s.text, s.line, s.column) for s in decoded] == [(kubernetes.CANDIDATE + "abc def", 6, 3)]


def test_notebook_segments_carry_cells_and_locate_in_the_file() -> None:
    key = groq_key(41)
    raw = json.dumps({"cells": [
        {"cell_type": "markdown", "source": "# title"},
        {"cell_type": "code", "source": [f"k = '{key}'\n"], "outputs": [
            {"output_type": "stream", "text": [f"{key}\n"]},
            {"output_type": "execute_result", "data": {"text/plain": ["ok"], "image/png": "iVBOR"}},
        ]},
    ], "metadata": {}}, indent=1)
    parsed = notebook.parse(raw)
    cells = [(s.cell, s.text) for s in parsed.segments]
    assert cells == [(1, "# title"), (2, f"k = '{key}'"), (2, key), (2, "ok")]
    locator = Locator(raw)
    first, second = locator.find(key), locator.find(key)
    lines = raw.splitlines()
    assert key in lines[first[0] - 1] and key in lines[second[0] - 1] and first != second
    assert locator.find(key) is None
