"""The assigner as JSON-able settings and named arrays, and back: the same numbers, the same
scores, and arrays that do not fit their settings refused by name."""

import io
import json

import numpy as np
import pytest

from persona.assignment._assigner import Assigner
from persona.errors import ArtifactError

GROUPS = {"needs": [0, 1], "behaviour": [2, 3, 4]}


def _stored(settings, arrays):
    """Settings and arrays as the exported folder holds them: JSON text and an NPZ file."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as stored:
        back = {name: stored[name] for name in stored.files}
    return json.loads(json.dumps(settings)), back


def _rows(X):
    rows = X[:60].copy()
    rows[::3, :2] = np.nan  # behaviour only
    rows[1::3, 2:] = np.nan  # needs only
    rows[5] = np.nan  # no signal
    return rows


@pytest.mark.parametrize(
    "options",
    [{}, {"evidence": {"column": 2, "edges": [0.0, 1.0]}, "calibrate": True, "C": 1.0}],
    ids=["plain", "evidence-calibrated"],
)
def test_to_arrays_and_back_scores_the_same_bits(assignment_two_personas, options):
    X, labels = assignment_two_personas
    assigner = Assigner(GROUPS, max_distance=3.0, **options).fit(X, labels)
    settings, arrays = assigner.to_arrays()
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    back = Assigner.from_arrays(*_stored(settings, arrays))
    assert back.fingerprint() == assigner.fingerprint()
    assert back.to_arrays()[0] == settings
    assert (back.C, back.max_distance, back.calibrate) == (
        assigner.C, assigner.max_distance, assigner.calibrate,
    )  # fmt: skip
    assert sorted(back.models_) == sorted(assigner.models_)
    assert sorted(back.binned_) == sorted(assigner.binned_)
    assert bool(back.binned_) == ("evidence" in options)
    rows = _rows(X)
    np.testing.assert_array_equal(back.predict_proba(rows), assigner.predict_proba(rows))
    for row in rows[:6]:
        np.testing.assert_array_equal(back.score_row(row)[0], assigner.score_row(row)[0])


def test_arrays_of_another_assigner_are_refused_by_name(assignment_two_personas):
    X, labels = assignment_two_personas
    settings, arrays = Assigner(GROUPS).fit(X, labels).to_arrays()
    _, three = Assigner(GROUPS).fit(X, np.arange(400) % 3).to_arrays()
    with pytest.raises(
        ArtifactError,
        match=r"^the array centroids is of shape \(3, 5\), but the settings \(2 personas, "
        r"5 features\) want \(2, 5\): the arrays belong to another assigner$",
    ):
        Assigner.from_arrays(settings, three)
    missing = {k: v for k, v in arrays.items() if k != "pattern0_coef"}
    with pytest.raises(ArtifactError, match=r"^the array pattern0_coef is missing, but"):
        Assigner.from_arrays(settings, missing)


def test_arrays_reading_columns_beyond_the_features_are_refused(assignment_two_personas):
    X, labels = assignment_two_personas
    settings, arrays = Assigner(GROUPS).fit(X, labels).to_arrays()
    columns = arrays["pattern0_columns"].copy()
    columns[-1] = 9
    with pytest.raises(
        ArtifactError, match=r"^the arrays' pattern0 reads columns outside the 5 features$"
    ):
        Assigner.from_arrays(settings, {**arrays, "pattern0_columns": columns})
