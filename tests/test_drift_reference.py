"""persona.drift._reference: the training customers summarised as quantile bins, shares and
coverage, the PSI they are compared with, and the rules both sides share."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from persona.drift import DriftAccumulator, drift_reference, population_stability_index
from persona.drift._reference import bin_of, checked_reference, confidence_units, fingerprint
from persona.errors import ArtifactError

# ---------------------------------------------------------------------- exact values


def test_psi_floors_empty_bins_instead_of_infinity():
    psi = population_stability_index([0.5, 0.5, 0.0], [0.5, 0.25, 0.25])
    by_hand = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert psi == pytest.approx(by_hand, rel=1e-12)
    assert population_stability_index([0.2, 0.8], [0.2, 0.8]) == 0.0


def test_discrete_and_constant_features_bin_consistently():
    train = pd.DataFrame({"behaviour__k": [0.0] * 8 + [1.0, 2.0], "behaviour__c": 3.0})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 1.0}, index=train.index)
    reference = drift_reference(train, scores)
    assert reference["features"]["behaviour__c"] == {
        "edges": [3.0],
        "expected": [0.0, 1.0],
        "missing": 0.0,
    }
    same = DriftAccumulator(reference).update(train, scores).report()
    assert same.features["psi"].tolist() == [0.0, 0.0]
    lower = train.assign(behaviour__c=2.0)  # below every training value: a bin of its own
    moved = DriftAccumulator(reference).update(lower, scores).report().features
    assert moved.set_index("feature").loc["behaviour__c", "status"] == "major"


def test_a_value_on_an_edge_goes_to_the_bin_above_it():
    # Every copy of a discrete value lands in one bin, in training and tonight alike.
    assert bin_of(np.array([0.5, 1.0, 1.5, 2.0, 2.5]), [1.0, 2.0]).tolist() == [0, 1, 1, 2, 2]
    assert bin_of(np.array([-7.0, 7.0]), []).tolist() == [0, 0]  # no edges: one bin


def test_a_small_reference_by_hand():
    features = pd.DataFrame(
        {
            "behaviour__x": [1.0, 2, 3, 4],
            "emotion__y": [np.nan, 1, 1, 1],
            "available__emotion": [0.0, 1, 1, 1],
            "response__z": 1.0,
        }
    )
    scores = pd.DataFrame({"persona_id": [0, 1, 1, -1], "confidence": [0.9, 0.8, 0.7, 0.2]})
    reference = drift_reference(features, scores, bins=2)
    # available__* is coverage and response__* a diagnostic: neither is tracked.
    assert reference["features"] == {
        "behaviour__x": {"edges": [2.5], "expected": [0.5, 0.5], "missing": 0.0},
        "emotion__y": {"edges": [1.0], "expected": [0.0, 1.0], "missing": 0.25},
    }
    assert reference["personas"] == {"-1": 0.25, "0": 0.25, "1": 0.5}
    assert reference["coverage"] == {"emotion": 0.75}
    assert reference["mean_confidence"] == pytest.approx((0.9 + 0.8 + 0.7 + 0.2) / 4)
    assert (reference["n_customers"], reference["bins"], reference["unassigned_rate"]) == (
        4,
        2,
        0.25,
    )
    chosen = drift_reference(features, scores, bins=2, columns=["emotion__y"])
    assert chosen["features"] == {"emotion__y": reference["features"]["emotion__y"]}


def test_confidence_is_summed_exactly_whatever_the_split():
    tenths = np.full(10, 0.1)
    assert sum(tenths.tolist()) != 1.0  # a float sum drifts ...
    assert confidence_units(tenths) == 10**9  # ... billionths do not
    assert confidence_units(tenths[:3]) + confidence_units(tenths[3:]) == 10**9
    features = pd.DataFrame({"behaviour__x": np.arange(10.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": tenths})
    assert drift_reference(features, scores)["mean_confidence"] == 0.1


def test_the_fingerprint_follows_the_content_not_the_key_order():
    features = pd.DataFrame({"behaviour__x": np.arange(20.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=features.index)
    reference = drift_reference(features, scores)
    reordered = dict(reversed(list(json.loads(json.dumps(reference)).items())))
    assert fingerprint(reordered) == fingerprint(reference)
    assert len(fingerprint(reference)) == 16
    other = drift_reference(features, scores.assign(confidence=0.8))
    assert fingerprint(other) != fingerprint(reference)
    assert checked_reference(reordered) is reordered


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ([1], "Got reference of type list that is not a drift reference"),
        (
            {"format": "persona-drift-reference"},
            r"damaged or of another version \(format_version=None",
        ),
    ],
)
def test_what_is_not_a_reference_is_an_artifact_error(stored, message):
    with pytest.raises(ArtifactError, match=message):
        checked_reference(stored)


# ---------------------------------------------------------------------- real bases


def test_reference_is_deterministic_and_json_able(training, reference):
    _, features, scores = training
    assert json.loads(json.dumps(reference)) == reference
    assert drift_reference(features.sample(frac=1.0, random_state=0), scores) == reference
    assert "response__acquiescence" not in reference["features"]
    assert set(reference["coverage"]) == {"psychographic", "behaviour", "emotion"}
