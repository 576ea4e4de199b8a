"""Scoring with the assigner's models: the batch and one-row forms agree bit for bit."""

import numpy as np

from persona.assignment._assigner import Assigner
from persona.assignment._score import VALUE_LIMIT


def test_probabilities_do_not_depend_on_the_batch(assignment_two_personas):
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    mixed = X.copy()
    mixed[::3, :2] = np.nan
    together = assigner.predict_proba(mixed)
    one_by_one = np.vstack([assigner.predict_proba(mixed[i : i + 1]) for i in range(len(mixed))])
    np.testing.assert_array_equal(together, one_by_one)
    reversed_ = assigner.predict_proba(mixed[::-1])[::-1]
    np.testing.assert_array_equal(together, reversed_)


def test_one_row_scores_bit_for_bit_like_the_batch_in_every_pattern(
    assignment_two_personas, monkeypatch
):
    import pickle

    import persona.assignment._score

    monkeypatch.setattr(
        persona.assignment._score, "_MASKS_KEPT", 2
    )  # a few masks remembered, not all
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    saved = pickle.dumps(assigner)
    rows = X[:40].copy()
    rows[::4, :2] = np.nan  # behaviour only: the pattern's own columns
    rows[1::4, 2:] = np.nan  # needs only
    rows[2::4, 3] = np.nan  # one behaviour value imputed
    rows[3] = np.nan  # no signal
    batch = assigner.predict_proba(rows)
    for row, expected in zip(rows, batch, strict=True):
        proba, model, _, _, imputed = assigner.score_row(row)
        np.testing.assert_array_equal(proba, expected)
        if model is not None:
            np.testing.assert_array_equal(imputed, np.isnan(row[model.columns]))
    assert len(assigner.prepared().masks) == 2
    # the caches scoring filled are not part of the assigner's saved bytes
    assert pickle.dumps(assigner) == saved
    assert pickle.loads(saved).score_one(rows[0])[0].tolist() == batch[0].tolist()


def test_one_softmax_for_a_row_and_a_block():
    from persona.assignment._score import softmax

    rng = np.random.default_rng(3)
    logits = rng.normal(scale=30.0, size=(500, 9))
    logits[::7, 2] = -np.inf  # a persona the pattern never saw
    block = softmax(logits)
    for row, expected in zip(logits, block, strict=True):
        np.testing.assert_array_equal(softmax(row), expected)
    np.testing.assert_allclose(block.sum(axis=1), 1.0)
    assert (block[::7, 2] == 0.0).all()


def test_a_huge_value_is_held_at_the_limit_and_goes_to_unassigned(assignment_two_personas):
    # 1e308 would overflow the logits and the distances into NaN: it is scored as
    # VALUE_LIMIT, far beyond every persona's reach.
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    rows = X[:2].copy()
    rows[0, 0] = 1e308
    rows[1, 0] = VALUE_LIMIT
    proba = assigner.predict_proba(rows)
    np.testing.assert_array_equal(proba[0], proba[1])
    assert proba[0].tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_array_equal(assigner.score_row(rows[0])[0], proba[0])


def test_a_row_without_any_value_is_unassigned_with_no_model(assignment_two_personas):
    X, labels = assignment_two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    proba, model, z, logits, imputed = assigner.score_row(np.full(5, np.nan))
    assert proba.tolist() == [0.0, 0.0, 1.0]
    assert model is None and z.size == logits.size == imputed.size == 0
