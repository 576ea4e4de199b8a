"""Persona stability: the best Jaccard match by hand, refits on resamples of a toy base."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from persona import ConfigError
from persona.discovery._search import Settings
from persona.discovery._stability import _best_jaccard, stability

GROUPS = {"behaviour": np.arange(3)}
SETTINGS = Settings(reducer="passthrough", clusterer=KMeans(3, n_init=4, random_state=0))


def blobs():
    """120 customers in three groups of 60, 40 and 20, far apart on three features."""
    rng = np.random.default_rng(0)
    truth = np.repeat([0, 1, 2], [60, 40, 20])
    centres = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, 8.0, 0.0]])
    return centres[truth] + rng.normal(size=(120, 3)), truth


def assess(labels, persona_ids, seed=0, **kwargs):
    X, _ = blobs()
    return stability(
        X, labels, None, groups=GROUPS, max_distance=2.0, settings=SETTINGS, seed=seed,
        persona_ids=np.asarray(persona_ids), **kwargs,
    )  # fmt: skip


# ------------------------------------------------------------------ the best match


def test_the_best_jaccard_by_hand():
    reference = np.array([0, 0, 0, 1, 1, 2, 2])
    other = np.array([5, 5, 1, 1, 1, -1, -1])
    # persona 0 {0,1,2}: with 5 {0,1} 2/3, with 1 {2,3,4} 1/5; persona 1 {3,4}: with 1, 2/3;
    # persona 2 went to noise, which is no persona; persona 3 has no member here
    np.testing.assert_allclose(_best_jaccard(reference, other, 4), [2 / 3, 2 / 3, 0.0, 0.0])


def test_the_same_labels_under_other_numbers_match_fully():
    reference = np.array([0, 0, 1, 1, 1, 2, -1])
    np.testing.assert_array_equal(
        _best_jaccard(reference, np.array([7, 7, 3, 3, 3, 0, 0]), 3), [1.0, 1.0, 0.5]
    )


# ------------------------------------------------------------------ the parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_boot": 0}, "Got n_boot=0, but expected a whole number >= 1."),
        ({"n_boot": 2.5}, "Got n_boot=2.5, but expected a whole number >= 1."),
        ({"sample_share": 1.0}, "Got sample_share=1.0, but expected a share in (0, 1)."),
        ({"sample_share": 0}, "Got sample_share=0, but expected a share in (0, 1)."),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ConfigError) as caught:
        assess(np.zeros(120, dtype=int), [0], **kwargs)
    assert str(caught.value) == message


# ------------------------------------------------------------------ refits on resamples


def test_clearly_separated_personas_come_back_every_time():
    _, truth = blobs()
    found = assess(truth, [4, 7, 9], n_boot=3)
    assert found.name == "stability" and found.index.name == "persona_id"
    assert found.index.tolist() == [4, 7, 9]  # the public ids, in order
    assert (found > 0.95).all(), found


def halved():
    """The toy base's labels with every other member of the largest group as persona 3."""
    _, truth = blobs()
    labels = truth.copy()
    labels[np.flatnonzero(truth == 0)[::2]] = 3
    return labels


def test_half_of_a_real_group_comes_back_about_half():
    found = assess(halved(), [0, 1, 2, 3], n_boot=3)
    assert (found[[1, 2]] > 0.95).all()
    # its best match is the whole group, of which it holds about half
    assert found[[0, 3]].between(0.35, 0.65).all(), found


def test_the_same_seed_gives_the_same_stability():
    # which halves a resample holds depends on the draws: only the seed may decide them
    first = assess(halved(), [0, 1, 2, 3], seed=3, n_boot=2)
    pd.testing.assert_series_equal(first, assess(halved(), [0, 1, 2, 3], seed=3, n_boot=2))
    assert not first[[0, 3]].isin([0.0, 1.0]).any()
