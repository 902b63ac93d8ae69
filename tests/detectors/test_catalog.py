"""Loading and validating rules files: clear errors naming the file and rule, extra files, duplicates."""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.catalog import CatalogError, load_catalog

from tests.detectors.helpers import rule_table

GOOD = rule_table(
    "good-key",
    r"(?P<secret>gk_[a-z0-9]{8})",
    ["gk_"],
    examples=[
        {"text": "k = gk_a1b2c3d4", "secret": "gk_a1b2c3d4"},
        {"text": "gk_z9y8x7w6", "secret": "gk_z9y8x7w6"},
    ],
)


def load_only(path):
    return load_catalog([path], builtin=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Bad_Id"}, "kebab-case"),
        ({"pattern": r"gk_[a-z0-9]{8}"}, "named group 'secret'"),
        ({"pattern": r"(?P<secret>gk_[a-z"}, "does not compile"),
        ({"colour": "blue"}, "unknown field(s) colour"),
        ({"category": "weather"}, "category 'weather'"),
        ({"examples": [{"text": "no keyword here", "secret": "here"}] * 2}, "contains none of the keywords"),
        ({"examples": [{"text": "gk_a", "secret": "nope"}] * 2}, "non-empty part of its text"),
        ({"negative_examples": ["just one"]}, "negative_examples must be a list of at least 2"),
        ({"window": 1_000_000}, "window must be"),
        ({"decoder": "base64"}, "decoder must be"),
    ],
)
def test_invalid_rules_are_rejected_with_the_rule_named(write_rules, change, message):
    path = write_rules([dict(GOOD, **change)])
    with pytest.raises(CatalogError) as error:
        load_only(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_field_is_named(write_rules):
    table = dict(GOOD)
    del table["keywords"]
    with pytest.raises(CatalogError, match=r"rules\[0\]: missing keywords"):
        load_only(write_rules([table]))


def test_not_toml_and_empty_files(write_rules, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rules]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_only(broken)
    with pytest.raises(CatalogError, match=r"\[\[rules\]\]"):
        load_only(write_rules([], name="empty.toml"))
    with pytest.raises(CatalogError, match="cannot read"):
        load_only(tmp_path / "missing.toml")


def test_extra_files_extend_the_builtin_catalog(write_rules):
    builtin = load_catalog()
    extended = load_catalog([write_rules([GOOD])])
    assert [rule.id for rule in extended.rules] == [*(rule.id for rule in builtin.rules), "good-key"]
    assert extended.digest != builtin.digest


def test_duplicate_ids_are_rejected_across_files(write_rules):
    first = write_rules([GOOD], name="one.toml")
    second = write_rules([GOOD], name="two.toml")
    with pytest.raises(CatalogError, match="already defined"):
        load_catalog([first, second], builtin=False)
    builtin_id = load_catalog().rules[0].id
    with pytest.raises(CatalogError, match="already defined"):
        load_catalog([write_rules([dict(GOOD, id=builtin_id)], name="clash.toml")])
