"""The distilled assigner: its settings, which model scores whom, refits and its errors."""

import numpy as np
import pandas as pd
import pytest

from persona.assignment._assigner import (
    UNASSIGNED,
    Assigner,
    finite_features,
    labels_from_proba,
    model_version,
)


def test_a_refit_scores_with_its_own_numbers_not_the_last_fits(assignment_two_personas):
    X, labels = assignment_two_personas
    groups = {"needs": [0, 1], "behaviour": [2, 3, 4]}
    refitted = Assigner(groups).fit(X, labels)
    refitted.predict_proba(X)  # fills the per-pattern caches
    [refitted.score_one(row) for row in X[:3]]
    flipped = 1 - labels
    refitted.fit(X, flipped)
    fresh = Assigner(groups).fit(X, flipped)
    np.testing.assert_array_equal(refitted.predict_proba(X), fresh.predict_proba(X))
    np.testing.assert_array_equal(refitted.score_one(X[0])[0], fresh.score_one(X[0])[0])
    np.testing.assert_array_equal(fresh.score_one(X[0])[0], fresh.predict_proba(X[:1])[0])


def test_unassigned_share_grows_with_distance_and_without_signal(assignment_two_personas):
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}, max_distance=2.0)
    assigner.fit(X, labels)
    centre = X[labels == 0].mean(axis=0)
    direction = np.array([-1.0, 0, 0, 0, 0])
    reach = assigner.models_[("needs", "behaviour")].radius[0]
    rows = np.vstack([centre, centre + 1.5 * reach * direction, centre + 3 * reach * direction,
                      np.full(5, np.nan)])  # fmt: skip
    proba = assigner.predict_proba(rows)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, -1] == 0.0
    assert 0.0 < proba[1, -1] < 1.0
    assert proba[2, -1] == 1.0 and proba[3, -1] == 1.0
    assert labels_from_proba(proba).tolist()[2:] == [-1, -1]


def test_bad_groups_and_shapes_are_named(assignment_two_personas):
    X, labels = assignment_two_personas
    with pytest.raises(ValueError, match="every group needs columns"):
        Assigner({"needs": []})
    with pytest.raises(ValueError, match="Got max_distance=1, but expected a number > 1"):
        Assigner({"needs": [0]}, max_distance=1)
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    with pytest.raises(ValueError, match=r"shape \(2, 3\), but the assigner was fitted on 5"):
        assigner.predict_proba(np.zeros((2, 3)))


def test_scoring_writes_nothing_on_the_assigner(assignment_two_personas):
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    before = dict(vars(assigner))
    prepared = assigner.prepared()
    assigner.predict_proba(X[:50])
    for row in X[:5]:
        assigner.score_row(row)
    assert vars(assigner).keys() == before.keys()
    assert all(vars(assigner)[k] is v for k, v in before.items())
    assert assigner.prepared() is prepared  # built once, at fit
    assert assigner.fit(X, labels).prepared() is not prepared  # and again at the next fit


def test_assigner_errors_name_their_family(assignment_two_personas):
    from sklearn.exceptions import NotFittedError

    from persona.errors import ConfigError, InputError

    X, labels = assignment_two_personas
    with pytest.raises(ConfigError, match="every group needs columns"):
        Assigner({"needs": []})
    with pytest.raises(ConfigError, match="Got evidence column 7, which is in none"):
        Assigner({"needs": [0]}, evidence={"column": 7, "edges": [1.0]})
    with pytest.raises(NotFittedError):
        Assigner({"needs": [0]}).prepared()
    with pytest.raises(InputError, match="^Got no labelled customer") as caught:
        Assigner({"needs": [0]}).fit(X[:, :1], np.full(len(X), -1))
    assert caught.value.table == "labels"
    only = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(
        X, labels, patterns=[("needs", "behaviour")]
    )
    behaviour_only = X[:1].copy()
    behaviour_only[0, :2] = np.nan
    for score in (only.predict_proba, lambda rows: only.score_row(rows[0])):
        with pytest.raises(ConfigError, match=r"not fitted for customers with signals \['beh"):
            score(behaviour_only)


# --------------------------------------------------------------------------- new


def test_patterns_are_every_combination_largest_first():
    assigner = Assigner({"needs": [0], "behaviour": [1], "emotion": [2]})
    assert assigner.all_patterns() == [
        ("needs", "behaviour", "emotion"),
        ("needs", "behaviour"), ("needs", "emotion"), ("behaviour", "emotion"),
        ("needs",), ("behaviour",), ("emotion",),
    ]  # fmt: skip
    X = np.array([[1.0, np.nan, np.nan], [np.nan, 2.0, 3.0], [np.nan] * 3, [4.0, np.nan, np.nan]])
    assert assigner.availability(X).tolist() == [
        [True, False, False], [False, True, True], [False, False, False], [True, False, False],
    ]  # fmt: skip
    assert assigner.patterns_in(X) == [("behaviour", "emotion"), ("needs",)]


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ({"edges": [1.0]}, r"^Got evidence=\{'edges': \[1.0\]\}, but expected \{'column': index"),
        ({"column": 0, "edges": [2.0, 1.0]}, r"^Got evidence edges \[2.0, 1.0\], but expected "
                                              "increasing numbers.$"),
        ({"column": 0, "edges": []}, r"^Got evidence edges \[\], but expected increasing"),
        ({"column": 0, "edges": [1.0, np.inf]}, r"^Got evidence edges \[1.0, inf\]"),
    ],
)  # fmt: skip
def test_a_bad_evidence_setting_is_named(evidence, message):
    from persona.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        Assigner({"needs": [0, 1]}, evidence=evidence)


def test_the_evidence_bins_of_counts():
    assigner = Assigner({"behaviour": [0, 1]}, evidence={"column": 0, "edges": [1.5, 3.5, 10.5]})
    counts = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 11.0, np.nan, 1.5, 10.5])
    # an edge belongs to the bin above it; a missing count holds the least
    assert assigner._bins(counts).tolist() == [0, 1, 1, 2, 2, 3, 0, 1, 3]


def test_labels_from_proba_give_the_last_column_to_unassigned():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.4, 0.4, 0.2], [0.2, 0.4, 0.4]])
    # ties go to the first column, as np.argmax gives
    assert labels_from_proba(proba).tolist() == [0, UNASSIGNED, 0, 1]


def test_infinite_features_are_named_with_their_customers():
    from persona.errors import InputError

    frame = pd.DataFrame({"a": [1.0, np.inf, 2.0], "b": [np.nan, 1.0, -np.inf]}, index=[7, 8, 9])
    with pytest.raises(
        InputError,
        match=r"^The feature matrix holds infinite values in \['a', 'b'\] \(customers \[8, 9\]\)",
    ) as caught:
        finite_features(frame)
    assert (caught.value.table, caught.value.column) == ("features", "a")
    finite = frame.fillna(0.0).replace([np.inf, -np.inf], 0.0)
    assert finite_features(finite) is finite  # NaN and finite values pass as they are


def test_the_model_version_hashes_the_numbers_and_the_persona_ids(assignment_two_personas):
    X, labels = assignment_two_personas
    groups = {"needs": [0, 1], "behaviour": [2, 3, 4]}
    first, again = Assigner(groups).fit(X, labels), Assigner(groups).fit(X, labels)
    version = model_version(first, [0, 1])
    assert len(version) == 12 and version == model_version(again, [0, 1])
    assert model_version(first, [3, 5]) != version
    assert model_version(Assigner(groups, C=1.0).fit(X, labels), [0, 1]) != version
