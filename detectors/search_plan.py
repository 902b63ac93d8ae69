"""What the prefilter looks for, rule by rule: its anchor, or its keywords in their narrowest forms.

Deriving both parses every pattern of the catalog (``detectors.anchors``, ``detectors.literals``):
most of a second for the whole catalog, in every process that starts. The plan is therefore kept in
the cache (``detectors.cache``), named by the patterns, keywords and the deriving code, and read by
the next process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from secret_sprawl.detectors import anchors, cache, literals
from secret_sprawl.detectors.anchors import Anchor, anchor
from secret_sprawl.detectors.literals import KeywordForm, keyword_forms
from secret_sprawl.detectors.prefilter import hyperscan_accepts
from secret_sprawl.detectors.types import Rule

Plan = Anchor | dict[str, KeywordForm]  # a rule's anchor, or the form of each of its keywords


def search_plan(rules: Sequence[Rule], *, anchored: bool) -> list[Plan]:
    """For each rule: its anchor (where ``anchored``, the prefilter takes anchors, and the rule has
    one that Hyperscan compiles, and no ``requires``), else its keywords' forms."""
    code = cache.source_hash(anchors.__file__, literals.__file__, __file__)
    described = (f"{rule.pattern}\x00{rule.requires is None}\x00" + "\x00".join(rule.keywords)
                 for rule in rules)
    entry = "plan-" + cache.key(code, str(anchored), *described) + ".json"
    stored = cache.read(entry)
    if stored is not None:
        try:
            loaded = [_loaded(item) for item in json.loads(stored)]
        except (ValueError, TypeError, KeyError, AttributeError):
            loaded = []  # not written by this code: derive afresh
        if len(loaded) == len(rules):
            return loaded
    plan = [_derived(rule, anchored) for rule in rules]
    cache.write(entry, json.dumps([_stored(item) for item in plan]).encode())
    return plan


def _derived(rule: Rule, anchored: bool) -> Plan:
    found = anchor(rule.pattern, list(rule.keywords)) if anchored and rule.requires is None else None
    if found is not None and hyperscan_accepts(found.expression):
        return found
    return keyword_forms(rule.pattern, rule.keywords)


def _stored(item: Plan) -> object:
    if isinstance(item, Anchor):
        return {"anchor": item.expression.decode("ascii"), "width": item.width}
    return {"forms": {keyword: list(form) for keyword, form in item.items()}}


def _loaded(item: dict) -> Plan:
    if "anchor" in item:
        return Anchor(item["anchor"].encode("ascii"), int(item["width"]))
    return {keyword: KeywordForm(*(bool(flag) for flag in form)) for keyword, form in item["forms"].items()}
