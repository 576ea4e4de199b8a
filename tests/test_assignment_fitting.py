"""Learning the assigner's models: one per signal pattern (and evidence bin), from the rows
that have those signals; medians and persona means as the models read them."""

import numpy as np

from persona.assignment._assigner import Assigner, labels_from_proba
from persona.assignment._fitting import MIN_BIN_ROWS, column_medians, persona_means


def test_each_signal_pattern_has_its_own_model(assignment_two_personas):
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    assert sorted(assigner.models_) == [("behaviour",), ("needs",), ("needs", "behaviour")]
    behaviour_only = X.copy()
    behaviour_only[:, :2] = np.nan
    # a customer without needs is scored by a model of behaviour alone, not by imputed needs
    alone = Assigner({"behaviour": [0, 1, 2]}).fit(X[:, 2:], labels)
    np.testing.assert_allclose(
        assigner.predict_proba(behaviour_only), alone.predict_proba(X[:, 2:]), rtol=1e-12
    )
    # needs separate the personas better than behaviour: confidence follows the signal
    full = assigner.predict_proba(X)[:, :2].max(axis=1).mean()
    weak = assigner.predict_proba(behaviour_only)[:, :2].max(axis=1).mean()
    assert full > 0.95 and 0.6 < weak < full


def test_a_single_persona_is_scored_without_a_classifier():
    X = np.random.default_rng(0).normal(size=(50, 2))
    assigner = Assigner({"features": [0, 1]}).fit(X, np.zeros(50, dtype=int))
    proba = assigner.predict_proba(X)
    assert proba.shape == (50, 2)
    assert (labels_from_proba(proba) == 0).mean() > 0.95


# --------------------------------------------------------------------------- new


def test_column_medians_ignore_missing_values():
    X = np.array(
        [[1.0, np.nan, 5.0], [3.0, np.nan, np.nan], [2.0, np.nan, 7.0], [10.0, np.nan, 6.0]]
    )
    # 0 for a column with no value at all
    assert column_medians(X).tolist() == [2.5, 0.0, 6.0]


def test_persona_means_count_only_members_who_have_the_value():
    X = np.array([[1.0, np.nan], [3.0, 4.0], [10.0, np.nan], [np.nan, np.nan]])
    labels = np.array([0, 0, 1, 1])
    fallback = np.array([[-1.0, -2.0], [-3.0, -4.0], [-5.0, -6.0]])
    means = persona_means(X, labels, 3, fallback)
    # persona 1 never shows column 1, persona 2 has no member: their fallback stands
    assert means.tolist() == [[2.0, 4.0], [10.0, -4.0], [-5.0, -6.0]]


def test_a_persona_no_row_shows_gets_no_probability(assignment_two_personas):
    X, labels = assignment_two_personas
    three = np.where(labels == 1, 2, 0)  # persona 1 exists in the ids but has no member
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, three)
    model = assigner.models_[("needs", "behaviour")]
    assert model.intercept[1] == -np.inf and (model.coef[1] == 0).all()
    proba = assigner.predict_proba(X)
    assert proba.shape == (400, 4) and (proba[:, 1] == 0.0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_evidence_bins_get_their_own_model_only_with_enough_rows(assignment_two_personas):
    X, labels = assignment_two_personas
    count = X[:, 2]
    low = np.sort(count)[MIN_BIN_ROWS - 20]  # the bin below holds 30 rows: too few
    edges = [float(low), float(np.sort(count)[200])]
    assigner = Assigner(
        {"needs": [0, 1], "behaviour": [2, 3, 4]}, evidence={"column": 2, "edges": edges}
    ).fit(X, labels)
    assert (assigner._bins(count) == 0).sum() == MIN_BIN_ROWS - 20
    # only the patterns holding the count column are binned, and only bins 1 and 2
    assert sorted(assigner.binned_) == [
        (("behaviour",), 1), (("behaviour",), 2),
        (("needs", "behaviour"), 1), (("needs", "behaviour"), 2),
    ]  # fmt: skip
    assert all(model.evidence == b for (_, b), model in assigner.binned_.items())
    # the sparse bin is scored by its pattern's own model
    pattern = ("needs", "behaviour")
    assert assigner._model_at(pattern, 0) is assigner.models_[pattern]
    assert assigner._model_at(pattern, 1) is assigner.binned_[pattern, 1]
    assert assigner._model_at(("needs",), 2) is assigner.models_[("needs",)]
