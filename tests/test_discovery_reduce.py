"""Discovery's steps on their own: the structure test against Gaussian-copula null
references, the choice of a persona count, and merging and splitting personas."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from persona.discovery._reduce import (
    Candidate,
    StructureTest,
    _chosen,
    _copula_reference,
    merge_personas,
    split_personas,
    structure_test,
)


def groups(n=900, k=4, separation=4.0, d=5, seed=0):
    """``k`` round groups ``separation`` apart in ``d`` correlated-looking dimensions."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    centres *= (
        separation
        / np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(k, 1)].min()
    )
    truth = np.arange(n) % k
    return centres[truth] + rng.normal(size=(n, d)), truth


# ------------------------------------------------------------------ the null references


def test_a_copula_reference_keeps_every_column_and_its_rank_correlations():
    rng = np.random.default_rng(0)
    x = rng.normal(size=2_000)
    Z = np.column_stack([x, np.exp(x + 0.5 * rng.normal(size=2_000)), rng.integers(1, 6, 2_000)])
    reference = _copula_reference(Z, np.random.default_rng(1))
    # each column's own values, exactly
    np.testing.assert_array_equal(np.sort(reference, axis=0), np.sort(Z, axis=0))

    def spearman(a):
        ranks = np.argsort(np.argsort(a, axis=0), axis=0)
        return np.corrcoef(ranks, rowvar=False)

    # rank correlations kept; standard error of a correlation near 0.9 on 2,000 rows ~ 0.005
    assert np.abs(spearman(reference) - spearman(Z)).max() < 0.05
    assert not np.array_equal(reference, Z)


def test_a_copula_reference_has_no_groups_where_the_data_had_them():
    Z, truth = groups(separation=8.0)
    reference = _copula_reference(Z, np.random.default_rng(0))
    from sklearn.cluster import KMeans

    found = KMeans(4, n_init=3, random_state=0).fit_predict(reference)
    assert adjusted_rand_score(truth, found) < 0.1  # the data: 1.0


# ------------------------------------------------------------------ the structure test


@pytest.mark.parametrize("separation", [3.0, 6.0])
def test_groups_are_structure(separation):
    Z, _ = groups(separation=separation)
    test = structure_test(Z, 4, random_state=0)
    assert test.structured, test.summary()
    assert test.n_references == 20 and test.gap > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: rng.normal(size=(900, 5)),
        # correlated needs, one common factor: correlation is not personas
        lambda rng: rng.normal(size=(900, 1)) + 0.5 * rng.normal(size=(900, 5)),
        # skewed, discrete answers, independent
        lambda rng: np.column_stack([rng.exponential(size=900), rng.integers(1, 8, (900, 4))]),
    ],
    ids=["gaussian", "one-factor", "skewed-discrete"],
)
@pytest.mark.parametrize("k", [2, 4, 6])
def test_what_has_no_groups_is_not_structure(make, k):
    Z = make(np.random.default_rng(k))
    test = structure_test(Z, k, random_state=0)
    assert not test.structured, test.summary()


def test_the_structure_test_says_what_decided_it():
    Z, _ = groups(separation=6.0)
    test = structure_test(Z, 4, columns="need scores", random_state=0)
    text = test.summary()
    assert text.startswith(f"4 groups of the need scores leave {test.gap:.3f} less log spread")
    assert "20 null references with the same marginals and correlations, above 3 standard" in text
    again = structure_test(Z, 4, columns="need scores", random_state=0)
    assert again == test  # the same seed, the same references


def test_the_structure_test_has_nothing_to_say_about_one_group_or_constant_columns():
    assert structure_test(np.ones((50, 3)), 3, random_state=0) == StructureTest(
        3, 0.0, 0.0, 0, "features"
    )
    one = structure_test(np.random.default_rng(0).normal(size=(50, 3)), 1, random_state=0)
    assert one == StructureTest(1, 0.0, 0.0, 0, "features") and not one.structured


# ------------------------------------------------------------------ the persona count


def candidates(*counts):
    """One candidate per persona count, validity falling along the grid."""
    return [Candidate(5 + i, np.arange(k), 0.9 - 0.1 * i, None) for i, k in enumerate(counts)]


def test_the_finest_persisting_count_wins_and_a_given_count_prefers_a_merge():
    grid = candidates(7, 6, 6, 4, 4, 3)
    # 6 and 4 persist over two neighbouring sizes; 7 shows once
    assert _chosen(grid, None) is grid[1]
    assert _chosen(candidates(5, 4, 3), None).n_personas == 5  # nothing persists: most valid
    assert _chosen(grid, 4) is grid[3]
    assert _chosen(grid, 5) is grid[0]  # a finer structure, merged, beats a coarser one split
    assert _chosen(grid, 9) is grid[0]  # none as fine: the finest, to be split


def test_merging_joins_the_closest_personas_by_wards_criterion():
    X = np.array([[0.0], [0.0], [1.0], [1.0], [10.0], [10.0], [5.0]])
    # Ward's costs: 0-1 is 2 * 2 / 4 * 1 = 1, 1-2 is 81, 0-2 is 100
    merged = merge_personas(X, np.array([0, 0, 1, 1, 2, 2, -1]), 2)
    np.testing.assert_array_equal(merged, [0, 0, 0, 0, 1, 1, -1])


def test_splitting_halves_the_widest_persona():
    X = np.array([[0.0], [0.1], [10.0], [10.1], [5.0], [5.1]])
    split = split_personas(X, np.array([0, 0, 0, 0, 1, 1]), 3, random_state=0)
    assert split[0] == split[1] != split[2] == split[3]
    assert split[4] == split[5] == 1 and sorted(set(split.tolist())) == [0, 1, 2]
