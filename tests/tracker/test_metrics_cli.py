"""``sprawl metrics`` end to end: the [sla] clock from the config file, the HTML report with its
breakdowns, and the tidy CSV, through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import update
from sqlmodel import Session

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import fake_secret, finding, result


def test_the_sla_clock_comes_from_the_config(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = open_database(url)
    now = utcnow()
    try:  # a key committed two years ago, found by a first scan a day ago
        Recorder(engine, actor="t").record(result("repo", [
            finding(fake_secret(), committed_at=now - timedelta(days=730))]))
        with Session(writer(engine)) as session:
            session.execute(update(Secret).values(first_seen_at=now - timedelta(days=1)))
            session.commit()
    finally:
        engine.dispose()
    exposed, detected = tmp_path / "exposed.toml", tmp_path / "detected.toml"
    exposed.write_text('[sla]\nclock = "exposed"\n', encoding="utf-8")
    detected.write_text('[sla]\nclock = "detected"\n', encoding="utf-8")
    as_of = (now + timedelta(hours=1)).isoformat()
    by_exposure = json.loads(sprawl("metrics", "--db", url, "--config", exposed, "--format", "json",
                                    "--as-of", as_of).out)
    by_detection = json.loads(sprawl("metrics", "--db", url, "--config", detected, "--format", "json",
                                     "--as-of", as_of).out)
    assert by_exposure["summary"]["breached_count"] == 1 and by_detection["summary"]["breached_count"] == 0
    assert by_detection["sla"]["clock"] == "detected"
    assert by_exposure["summary"]["exposure_secret_days"] == by_detection["summary"]["exposure_secret_days"]
    table = list(csv.DictReader(io.StringIO(sprawl("metrics", "--db", url, "--config", detected,
                                                   "--format", "csv").out)))
    assert table[0]["sla_clock"] == "detected" and float(table[0]["exposure_secret_days"]) > 729
    page = sprawl("metrics", "--db", url, "--config", detected, "--format", "html").out
    assert "of when it was first detected by sprawl" in page and "By owner or team" in page
    bad = tmp_path / "bad.toml"
    bad.write_text('[sla]\nclock = "commit"\n', encoding="utf-8")
    run = sprawl("metrics", "--db", url, "--config", bad)
    assert run.code == 2 and "[sla] clock" in run.err
