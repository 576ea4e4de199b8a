"""persona.drift._inputs: what a chunk of features and scores must be, checked at the edge, each
error naming the table, the column and the fix."""

import numpy as np
import pandas as pd
import pytest

from persona.drift import DriftAccumulator, drift_reference
from persona.drift._inputs import check_frames, check_scores, feature_values
from persona.errors import InputError


def test_a_missing_column_is_named(reference, tonight):
    features, scores = tonight
    lacking = features.drop(columns=["behaviour__recency", "emotion__valence_mean"])
    with pytest.raises(InputError, match=r"2 column\(s\) the drift reference tracks are absent"):
        DriftAccumulator(reference).update(lacking, scores)
    with pytest.raises(InputError, match="behaviour__recency"):
        DriftAccumulator(reference).update(lacking, scores)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f, s: (f.to_numpy(), s), TypeError, "features: expected a pandas DataFrame"),
        (lambda f, s: (f, s["persona_id"]), TypeError, "scores: expected a pandas DataFrame"),
        (lambda f, s: (f, s[["persona_id"]]), InputError, r"lack the column\(s\) \['confidence'\]"),
        (lambda f, s: (f, s.assign(confidence=1.5)), InputError, r"outside \[0, 1\]"),
        (lambda f, s: (f, s.assign(persona_id=0.5)), InputError, "not whole numbers"),
        (lambda f, s: (f, s.iloc[1:]), InputError, "the customers differ from those of features"),
        (lambda f, s: (f.assign(behaviour__T="x"), s), InputError, "are not numeric"),
        (lambda f, s: (f.assign(behaviour__T=np.inf), s), InputError, "hold infinite values"),
    ],
)
def test_bad_chunks_get_clear_errors(reference, tonight, change, error, message):
    features, scores = change(*tonight)
    with pytest.raises(error, match=message):
        DriftAccumulator(reference).update(features, scores)


def test_training_features_need_rows_and_one_row_per_customer():
    scores = pd.DataFrame({"persona_id": [0, 0, 0], "confidence": 0.5})
    with pytest.raises(InputError, match=r"the table is empty \(0 rows\)") as caught:
        drift_reference(pd.DataFrame({"behaviour__x": []}, dtype=float), scores.iloc[:0])
    assert (caught.value.table, caught.value.fix) == ("features", "pass the training customers.")
    repeated = pd.DataFrame({"behaviour__x": [1.0, 2, 3]}, index=[7, 7, 8])
    with pytest.raises(InputError, match=r"customer ids repeat, e.g. \[7\]; each customer"):
        drift_reference(repeated, scores.set_axis(repeated.index))
    # An empty chunk tonight is no error: a quiet night counts nothing.
    assert check_frames(repeated.iloc[:0], scores.iloc[:0], "tonight's") is None


def test_scores_become_whole_ids_and_confidences():
    scores = pd.DataFrame({"persona_id": [0.0, 2.0, -1.0], "confidence": [1, 0, 0.5]})
    ids, confidence = check_scores(scores, "tonight's")
    assert ids.dtype == np.int64 and ids.tolist() == [0, 2, -1]
    assert confidence.dtype == np.float64 and confidence.tolist() == [1.0, 0.0, 0.5]


@pytest.mark.parametrize(
    ("scores", "column", "message"),
    [
        (
            {"confidence": [1.0]},
            "persona_id",
            r"the training scores lack the column\(s\) \['persona_id'\]; they have \['conf",
        ),
        ({"persona_id": [True], "confidence": [1.0]}, "persona_id", "not whole numbers"),
        ({"persona_id": [np.nan], "confidence": [1.0]}, "persona_id", "not whole numbers"),
        (
            {"persona_id": [1], "confidence": [np.nan]},
            "confidence",
            r"outside \[0, 1\] \(or missing\)",
        ),
        ({"persona_id": [1], "confidence": ["high"]}, "confidence", r"outside \[0, 1\]"),
    ],
)
def test_bad_scores_name_their_column(scores, column, message):
    with pytest.raises(InputError, match=message) as caught:
        check_scores(pd.DataFrame(scores), "training")
    assert (caught.value.table, caught.value.column) == ("scores", column)


def test_feature_values_are_float_arrays_with_nan_where_missing():
    frame = pd.DataFrame(
        {"behaviour__a": pd.array([1.0, None], dtype="Float64"), "behaviour__b": [True, False]}
    )
    (values,) = feature_values(frame, ["behaviour__a"], "named in columns=")
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [1.0, np.nan])
    with pytest.raises(InputError, match=r"\['behaviour__b'\] are not numeric \(first is bool\)"):
        feature_values(frame, ["behaviour__b"], "named in columns=")
    absent = (
        r"1 column\(s\) named in columns= are absent, first \['behaviour__z'\]; the table has 2"
    )
    with pytest.raises(InputError, match=absent) as caught:
        feature_values(frame, ["behaviour__z", "behaviour__a"], "named in columns=")
    assert caught.value.column == "behaviour__z"
