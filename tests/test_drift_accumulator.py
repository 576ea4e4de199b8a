"""persona.drift._accumulator: tonight counted in integers, chunk by chunk, merged in any order,
saved and resumed, and the report the same whichever way."""

import json

import numpy as np
import pandas as pd
import pytest

from persona.drift import (
    DriftAccumulator,
    DriftThresholds,
    drift_reference,
    population_stability_index,
)
from persona.errors import ArtifactError, ConfigError

# ---------------------------------------------------------------------- counting


def test_the_state_holds_integer_counts_by_hand():
    train = pd.DataFrame(
        {"behaviour__x": [1.0, 2, 3, 4], "emotion__y": [np.nan, 1, 1, 1],
         "available__emotion": [0.0, 1, 1, 1]}
    )  # fmt: skip
    train_scores = pd.DataFrame({"persona_id": [0, 1, 1, -1], "confidence": 0.9})
    reference = drift_reference(train, train_scores, bins=2)  # edges: x 2.5, y 1.0
    chunk = pd.DataFrame(
        {"behaviour__x": [1.0, 3, 3], "emotion__y": [np.nan, 0.5, 2],
         "available__emotion": [0.0, 1, 1]}, index=[10, 11, 12],
    )  # fmt: skip
    scores = pd.DataFrame({"persona_id": [1, 1, -1], "confidence": [0.5, 0.25, 1.0]}, chunk.index)
    counted = DriftAccumulator(reference).update(chunk, scores)
    state = counted.to_state()
    # Per feature: [missing, bin 0, bin 1]; confidence in billionths.
    assert state["features"] == {"behaviour__x": [0, 1, 2], "emotion__y": [1, 1, 1]}
    assert state["personas"] == {"-1": 1, "1": 2}
    assert (state["confidence_units"], state["confidence_scale"]) == (1_750_000_000, 10**9)
    assert (state["available"], state["n_customers"], counted.n_customers) == (
        {"emotion": 2}, 3, 3,
    )  # fmt: skip
    again = DriftAccumulator.from_state(reference, json.loads(json.dumps(state)))
    assert again.to_state() == state
    assert again.update(chunk, scores).to_state()["features"]["behaviour__x"] == [0, 2, 4]


def test_chunks_merges_and_saved_state_give_the_same_report(reference, tonight):
    features, scores = tonight
    whole = DriftAccumulator(reference).update(features, scores).report().to_dict()

    stored = json.loads(json.dumps(reference))  # as kept in a manifest
    order = np.random.default_rng(0).permutation(len(features))
    parts = [order[:700], order[700:2900], order[2900:]]
    chunks = [
        DriftAccumulator(stored).update(features.iloc[rows], scores.iloc[rows]) for rows in parts
    ]
    merged = chunks[2].merge(chunks[0]).merge(chunks[1])
    assert merged.report().to_dict() == whole

    resumed = DriftAccumulator.from_state(stored, json.loads(json.dumps(chunks[0].to_state())))
    for rows in (parts[2], parts[1]):
        resumed.update(features.iloc[rows], scores.iloc[rows])
    assert resumed.n_customers == len(features)
    assert resumed.report().to_dict() == whole


def test_columns_order_and_extra_columns_do_not_matter(reference, tonight):
    features, scores = tonight
    shuffled = features[features.columns[::-1]].assign(response__extra=1.0)
    first = DriftAccumulator(reference).update(features, scores).report().to_dict()
    assert DriftAccumulator(reference).update(shuffled, scores).report().to_dict() == first


# ---------------------------------------------------------------------- errors


def test_references_and_states_are_checked(reference, tonight):
    with pytest.raises(ValueError, match=r"not a drift reference\. Build it once"):
        DriftAccumulator({"features": {}})
    with pytest.raises(ValueError, match="bins=1, but expected an integer of at least 2"):
        drift_reference(*tonight, bins=1)
    other = drift_reference(*tonight)
    with pytest.raises(ValueError, match="counted against another reference|another reference"):
        DriftAccumulator.from_state(reference, DriftAccumulator(other).to_state())
    with pytest.raises(ValueError, match="Cannot merge counts made against another"):
        DriftAccumulator(reference).merge(DriftAccumulator(other))
    with pytest.raises(ValueError, match=r"No customers were counted: call update"):
        DriftAccumulator(reference).report()


def test_errors_belong_to_the_family_that_names_what_to_fix(reference, tonight):
    """A damaged or foreign reference or state is an ArtifactError; a wrong argument or call,
    a ConfigError (a TypeError too, so a wrong type caught as one still is)."""
    features, scores = tonight
    other = drift_reference(features, scores)
    counted = DriftAccumulator(reference).update(features, scores)
    with pytest.raises(ArtifactError, match="not a drift reference"):
        DriftAccumulator({"features": {}})
    with pytest.raises(ArtifactError, match="damaged or of another version"):
        DriftAccumulator({**reference, "format_version": 99})
    with pytest.raises(ArtifactError, match="not drift counts"):
        DriftAccumulator.from_state(reference, {"format": "something else"})
    with pytest.raises(ArtifactError, match="another reference"):
        DriftAccumulator.from_state(reference, DriftAccumulator(other).to_state())
    with pytest.raises(ArtifactError, match="on another scale"):
        DriftAccumulator.from_state(reference, {**counted.to_state(), "confidence_scale": 100})
    with pytest.raises(ArtifactError, match="Cannot merge counts"):
        counted.merge(DriftAccumulator(other))
    for wrong in (True, 2.0, np.bool_(True)):  # whole numbers only, and a bool is none
        with pytest.raises(ConfigError, match="expected an integer of at least 2"):
            drift_reference(features, scores, bins=wrong)
    assert drift_reference(features, scores, bins=np.int64(10)) == other
    with pytest.raises(ConfigError, match="but expected a DriftAccumulator"):
        counted.merge(reference)
    with pytest.raises(ConfigError, match="No customers were counted"):
        DriftAccumulator(reference).report()
    with pytest.raises(ConfigError, match="features: expected a pandas DataFrame") as caught:
        DriftAccumulator(reference).update(features.to_numpy(), scores)
    assert isinstance(caught.value, TypeError)
    with pytest.raises(ConfigError, match="Got confidence_drop='high'"):
        DriftThresholds(confidence_drop="high")
    with pytest.raises(ConfigError, match="expected a share in \\[0, 1\\]"):
        DriftThresholds(major_feature_share=1.5)
    with pytest.raises(ConfigError, match=r"shapes \(2,\) and \(3,\)"):
        population_stability_index([0.5, 0.5], [0.2, 0.3, 0.5])
