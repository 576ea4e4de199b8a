"""The distilled assigner: one model per signal pattern, row-wise exact scoring."""

import numpy as np
import pytest

from persona.assignment._assigner import Assigner, labels_from_proba


@pytest.fixture(scope="module")
def two_personas():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    needs = rng.normal(size=(400, 2)) + labels[:, None] * 4.0
    behaviour = rng.normal(size=(400, 3)) + labels[:, None] * 1.0
    X = np.column_stack([needs, behaviour])
    return X, labels


def test_each_signal_pattern_has_its_own_model(two_personas):
    X, labels = two_personas
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


def test_probabilities_do_not_depend_on_the_batch(two_personas):
    X, labels = two_personas
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    mixed = X.copy()
    mixed[::3, :2] = np.nan
    together = assigner.predict_proba(mixed)
    one_by_one = np.vstack([assigner.predict_proba(mixed[i : i + 1]) for i in range(len(mixed))])
    np.testing.assert_array_equal(together, one_by_one)
    reversed_ = assigner.predict_proba(mixed[::-1])[::-1]
    np.testing.assert_array_equal(together, reversed_)


def test_a_refit_scores_with_its_own_numbers_not_the_last_fits(two_personas):
    X, labels = two_personas
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


def test_one_row_scores_bit_for_bit_like_the_batch_in_every_pattern(two_personas, monkeypatch):
    import pickle

    import persona.assignment._score

    monkeypatch.setattr(
        persona.assignment._score, "_MASKS_KEPT", 2
    )  # a few masks remembered, not all
    X, labels = two_personas
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


def test_unassigned_share_grows_with_distance_and_without_signal(two_personas):
    X, labels = two_personas
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


def test_a_single_persona_is_scored_without_a_classifier():
    X = np.random.default_rng(0).normal(size=(50, 2))
    assigner = Assigner({"features": [0, 1]}).fit(X, np.zeros(50, dtype=int))
    proba = assigner.predict_proba(X)
    assert proba.shape == (50, 2)
    assert (labels_from_proba(proba) == 0).mean() > 0.95


def test_bad_groups_and_shapes_are_named(two_personas):
    X, labels = two_personas
    with pytest.raises(ValueError, match="every group needs columns"):
        Assigner({"needs": []})
    with pytest.raises(ValueError, match="Got max_distance=1, but expected a number > 1"):
        Assigner({"needs": [0]}, max_distance=1)
    assigner = Assigner({"needs": [0, 1], "behaviour": [2, 3, 4]}).fit(X, labels)
    with pytest.raises(ValueError, match=r"shape \(2, 3\), but the assigner was fitted on 5"):
        assigner.predict_proba(np.zeros((2, 3)))


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


def test_scoring_writes_nothing_on_the_assigner(two_personas):
    X, labels = two_personas
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


def test_assigner_errors_name_their_family(two_personas):
    from sklearn.exceptions import NotFittedError

    from persona.errors import ConfigError, InputError

    X, labels = two_personas
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
