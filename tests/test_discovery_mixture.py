"""Latent profiles on their own: normal scores, the persona space, the count, the members."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from persona.discovery._mixture import discover_profiles, normal_scores, persona_space, profile_path


def profiles(sizes, centres, seed=0):
    """Groups of ``sizes`` rows around ``centres``, with a spread of 1 on every dimension."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return np.asarray(centres, dtype=float)[truth] + rng.normal(size=(len(truth), 4)), truth


def corners(k, d=4, separation=4.0, seed=0):
    """``k`` centres at least ``separation`` apart, drawn apart from any test's data seed."""
    rng = np.random.default_rng(100 + seed)
    while True:
        centres = rng.normal(size=(k, d)) * 3
        gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(k, 1)]
        if gaps.min() >= separation:
            return centres


def chosen(path):
    return min(path, key=lambda f: f.bic).n_profiles


# ------------------------------------------------------------------ normal scores


def test_normal_scores_are_the_normal_quantiles_of_the_ranks():
    column = np.array([[3.0], [10.0], [10.0], [-1.0]])
    # ranks 2, 3.5, 3.5, 1 of 4: quantiles of 0.375, 0.75, 0.75, 0.125
    expected = np.array([[-0.3186394], [0.6744898], [0.6744898], [-1.1503494]])
    np.testing.assert_allclose(normal_scores(column), expected, atol=1e-7)


# ------------------------------------------------------------------ the persona space


def test_behaviour_that_says_nothing_of_needs_adds_no_direction():
    rng = np.random.default_rng(0)
    needs, behaviour = rng.normal(size=(800, 5)), rng.exponential(size=(800, 20))
    space = persona_space(needs, behaviour, random_state=0)
    assert space.n_behaviour == 0 and space.n_needs == 5
    assert space.correlations.max() < space.bar
    np.testing.assert_allclose(space.values.std(axis=0), 1.0)  # whitened needs


def test_behaviour_driven_by_needs_adds_as_many_directions_as_it_carries():
    rng = np.random.default_rng(0)
    needs = rng.normal(size=(800, 5))
    # two mixtures of needs show in the behaviour, skewed and among ten noise columns
    driven = np.exp(needs[:, :2] @ np.array([[1.0, 0.3], [0.2, -1.0]]))
    behaviour = np.hstack([driven + rng.normal(size=(800, 2)), rng.normal(size=(800, 10))])
    space = persona_space(needs, behaviour, random_state=0)
    assert space.n_behaviour == 2
    assert space.values.shape == (800, 7)


def test_no_behaviour_leaves_the_whitened_needs():
    needs = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 5.0, 0.1]
    space = persona_space(needs, None, random_state=0)
    assert space.n_behaviour == 0 and np.isnan(space.bar)
    np.testing.assert_allclose(np.cov(space.values, rowvar=False, bias=True), np.eye(3), atol=1e-9)


# ------------------------------------------------------------------ the count


@pytest.mark.parametrize("k", [3, 6])
def test_the_count_is_the_number_of_profiles(k):
    X, _ = profiles([150] * k, corners(k, seed=k), seed=k)
    assert chosen(profile_path(X, random_state=0, min_size=10)) == k


def test_a_profile_of_three_percent_is_kept_apart():
    centres = [[0, 0, 0, 0], [5, 0, 0, 0], [0, 5, 0, 0], [0, 0, 5, 0]]
    X, truth = profiles([500, 300, 170, 30], centres)  # the last is 3 % of 1,000
    path = profile_path(X, random_state=0, min_size=20)
    assert chosen(path) == 4
    labels = path[3].mixture.predict(X)
    assert adjusted_rand_score(truth, labels) > 0.95


def test_one_gaussian_cloud_is_one_profile():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 4)) @ rng.normal(size=(4, 4))  # correlated, no groups
    path = profile_path(X, random_state=0, min_size=20)
    assert chosen(path) == 1
    assert len(path) == 4  # stopped three counts past the best


def test_a_given_count_is_fitted_and_nothing_past_it():
    X, _ = profiles([100] * 3, corners(3))
    path = profile_path(X, random_state=0, n_profiles=5)
    assert [f.n_profiles for f in path] == [1, 2, 3, 4, 5]


def test_the_path_is_seeded():
    X, _ = profiles([60] * 4, corners(4))
    a = profile_path(X, random_state=3, min_size=10)
    b = profile_path(X, random_state=3, min_size=10)
    assert [f.bic for f in a] == [f.bic for f in b]


# ------------------------------------------------------------------ the members


def test_rows_that_take_no_part_are_minus_one_and_the_rest_are_recovered():
    X, truth = profiles([200, 200, 200], corners(3))
    kept = np.ones(len(X), dtype=bool)
    kept[::10] = False
    found = discover_profiles(X, None, kept=kept, random_state=0, min_size=10)
    assert (found.labels[~kept] == -1).all() and (found.labels[kept] >= 0).all()
    assert adjusted_rand_score(truth[kept], found.labels[kept]) > 0.95
    assert found.structure.structured and found.structure.n_personas == 3
    row = found.selection[found.selection["chosen"]].iloc[0]
    assert row["n_personas"] == 3 and row["gap"] > row["bar"] > 0
    assert found.selection["gap"].notna().sum() == 1


def test_behaviour_that_goes_with_needs_sharpens_the_members():
    rng = np.random.default_rng(1)
    centres = [[0, 0, 0, 0], [1.6, 0, 0, 0], [0, 3, 0, 0]]  # two profiles close on one need
    needs, truth = profiles([400, 400, 400], centres, seed=1)
    behaviour = np.hstack([
        np.asarray([[0.0], [1.5], [0.0]])[truth] + rng.normal(size=(1200, 1)),  # tells them apart
        rng.normal(size=(1200, 8)),
    ])  # fmt: skip
    alone = discover_profiles(needs, None, kept=np.ones(1200, bool), random_state=0, n_personas=3)
    joint = discover_profiles(
        needs, behaviour, kept=np.ones(1200, bool), random_state=0, n_personas=3
    )
    assert joint.space.n_behaviour >= 1 and joint.structure is None  # a given count: no test
    assert adjusted_rand_score(truth, joint.labels) > adjusted_rand_score(truth, alone.labels) + 0.1


def test_one_profile_gives_one_label_and_no_test():
    X = np.random.default_rng(0).normal(size=(400, 4))
    found = discover_profiles(X, None, kept=np.ones(400, bool), random_state=0, min_size=8)
    assert found.structure is None and (found.labels == 0).all()
    assert found.selection.loc[found.selection["chosen"], "n_personas"].tolist() == [1]


def test_need_scores_that_do_not_vary_are_one_profile_with_nothing_tried():
    needs = np.full((60, 3), 0.5)
    behaviour = np.random.default_rng(0).normal(size=(60, 4))
    found = discover_profiles(needs, behaviour, kept=np.ones(60, bool), random_state=0)
    assert (found.labels == 0).all() and found.structure is None and found.selection.empty
    assert found.space.n_needs == 0 and found.space.n_behaviour == 0


def test_a_block_of_identical_answers_is_a_profile_unless_left_out():
    X, truth = profiles([300, 300, 300], corners(3))
    straight = np.zeros(len(X), dtype=bool)
    straight[::12] = True  # 8 % answered alike: one point of the need space
    X[straight] = X.mean(axis=0)
    everyone = discover_profiles(X, None, kept=np.ones(len(X), bool), random_state=0, min_size=9)
    attentive = discover_profiles(X, None, kept=~straight, random_state=0, min_size=9)
    assert everyone.labels.max() + 1 == 4  # the block became a profile of its own
    assert attentive.labels.max() + 1 == 3
    assert adjusted_rand_score(truth[~straight], attentive.labels[~straight]) > 0.95
