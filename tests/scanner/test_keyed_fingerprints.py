"""``[tracker] fingerprint_key = "env:NAME"``: the tracker and every report hold HMAC-SHA-256 keyed
fingerprints, so a copy of the database cannot be checked against a word list; re-reading a secret
for verification still finds it; an unset key variable is an error, never a silent unkeyed scan."""

from __future__ import annotations

import hashlib
import hmac
import json

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.scanner.cli import main
from secret_sprawl.scanner.verify.reread import reread_secret
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Secret
from sqlmodel import Session, select

from tests.scanner.helpers import groq_key

KEY = "fingerprint-key-for-tests"


def test_fingerprints_are_keyed_in_the_tracker_and_the_report(tmp_path, monkeypatch, capsys):
    value = groq_key(7)
    app = tmp_path / "app"
    app.mkdir()
    (app / "settings.py").write_text(f"GROQ_API_KEY = '{value}'\n", encoding="utf-8")
    config = tmp_path / "sprawl.toml"
    config.write_text('[tracker]\nfingerprint_key = "env:SPRAWL_FP_KEY"\n', encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 't.db'}"
    argv = ["scan", str(app), "--db", db_url, "--config", str(config), "--format", "json"]

    monkeypatch.delenv("SPRAWL_FP_KEY", raising=False)
    assert main(argv) == 2
    assert "[tracker] fingerprint_key names $SPRAWL_FP_KEY, which is not set" in capsys.readouterr().err

    monkeypatch.setenv("SPRAWL_FP_KEY", KEY)
    assert main(argv) == 1
    plain = hashlib.sha256(value.encode()).hexdigest()
    expected = hmac.new(KEY.encode(), plain.encode(), hashlib.sha256).hexdigest()
    report = json.loads(capsys.readouterr().out)
    assert {f["fingerprint"] for f in report["findings"]} == {expected}
    engine = open_database(db_url)
    with Session(engine) as session:
        secret = session.exec(select(Secret)).one()
        assert secret.fingerprint == expected
        places = queries.places(session, int(secret.id or 0), newest_first=True)
        assert reread_secret(places, secret, build_engine(), KEY.encode()).secret == value
    engine.dispose()
    for stored in tmp_path.glob("t.db*"):  # the database and any WAL left beside it
        raw = stored.read_bytes()
        assert plain.encode() not in raw and value.encode() not in raw
