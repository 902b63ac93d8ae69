"""The accuracy benchmark's labelled corpus: recall and silence floors at the default confidence."""

from __future__ import annotations

import base64
import re

import pytest
from secret_sprawl.detectors.types import Confidence

from bench.accuracy import load_cases, run_corpus


@pytest.fixture(scope="module")
def report():
    return run_corpus(Confidence.MEDIUM)


def test_recall_and_silence_floors(report):
    assert report.positives >= 150 and report.negatives >= 150
    assert report.recall >= 0.85, "\n".join(report.missed)
    assert report.silence >= 0.98, "\n".join(report.noisy)


def test_every_planted_value_is_in_its_case_and_negatives_plant_nothing():
    positives, negatives = load_cases()
    for case in positives:
        assert case.secret in case.text or base64.b64encode(case.secret.encode()).decode() in case.text
    assert not [case for case in positives + negatives if re.search(r"@@[A-Z0-9:-]+@@", case.text)]
    assert all(not case.secret for case in negatives)
    assert load_cases() == (positives, negatives), "the corpus is generated from a fixed seed"


def test_low_confidence_reports_placeholders_that_the_default_hides(report):
    low = run_corpus(Confidence.LOW)
    assert low.recall >= report.recall
    assert low.silence < report.silence, "placeholders are still reported at low confidence, never dropped"
