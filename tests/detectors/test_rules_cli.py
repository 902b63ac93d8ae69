"""``sprawl rules list`` and ``sprawl rules check`` through the real CLI entry point."""

from __future__ import annotations

import json

from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.scanner.cli import main

from tests.detectors.helpers import fake, rule_table

VALUE = "zq_" + fake(11, 24)
GOOD = rule_table(
    "user-zq-token",
    r"(?<![A-Za-z0-9_])(?P<secret>zq_[A-Za-z0-9]{24})(?![A-Za-z0-9_])",
    ["zq_"],
    min_entropy=3.0,
    examples=[
        {"text": f'ZQ_TOKEN="{VALUE}"', "secret": VALUE},
        {"text": f"client = Zq(token='{VALUE}')", "secret": VALUE},
    ],
    negative_examples=["zq_short", f"x{VALUE}"],
)


def test_list_json_prints_every_rule(capsys):
    assert main(["rules", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    catalog = load_catalog()
    assert [row["id"] for row in rows] == [rule.id for rule in catalog.rules]
    first = rows[0]
    rule = catalog.rules[0]
    assert (first["provider"], first["category"], first["lifetime"], first["name"], first["severity"]) == (
        rule.provider, rule.category, rule.lifetime, rule.name, rule.severity,
    )


def test_list_table_includes_extra_rules_files(capsys, write_rules):
    path = write_rules([GOOD])
    assert main(["rules", "list", "--rules", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["id", "provider", "category", "lifetime"]
    rows = [line.split() for line in out.splitlines()]
    assert ["user-zq-token", "testprov", "ai", "long-lived"] in rows


def test_check_accepts_a_good_file(capsys, write_rules):
    path = write_rules([GOOD])
    assert main(["rules", "check", str(path)]) == 0
    assert "1 rule(s) OK" in capsys.readouterr().out


def test_check_names_the_rule_whose_examples_fail(capsys, write_rules):
    other = VALUE.replace("zq_", "zr_")
    wrong = dict(
        GOOD,
        id="user-zq-broken",
        pattern=GOOD["pattern"].replace("zq_", "zr_"),
        keywords=["zr_"],
        examples=[{"text": f"a {other}", "secret": other}, {"text": f"b={other}", "secret": other}],
        negative_examples=["zr_short", f"token {other}"],
    )
    path = write_rules([GOOD, wrong])
    assert main(["rules", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "user-zq-broken: negative example 2" in err
    assert "user-zq-token:" not in err


def test_check_reports_schema_errors_and_unreadable_files(capsys, write_rules, tmp_path):
    path = write_rules([dict(GOOD, pattern="zq_[a-z]{4}")])
    assert main(["rules", "check", str(path)]) == 2
    assert "user-zq-token" in capsys.readouterr().err
    assert main(["rules", "check", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_check_rejects_an_id_the_catalog_already_has(capsys, write_rules):
    taken = load_catalog().rules[0].id
    assert main(["rules", "check", str(write_rules([dict(GOOD, id=taken)]))]) == 2
    assert "already defined" in capsys.readouterr().err
