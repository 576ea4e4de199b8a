"""Discovery's search: which customers take part, in what order, and the personas found.

The rows discovery runs on and their order (by content, never by id), the renumbering by
size, the search on a toy base, and persona on small worlds of the zoo, end to end.
"""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from persona import FeatureBuilder, InputError, PersonaModel
from persona.assignment import Assigner
from persona.datasets import make_world, world_zoo
from persona.discovery._search import (
    MIN_DISCOVERY,
    Settings,
    by_size,
    content_hash,
    discover,
    discovery_rows,
)

ZOO = {spec.name: spec for spec in world_zoo()}
SURVEYED = {"behaviour": np.array([0, 1]), "psychographic": np.array([2, 3])}


def base(n=30, seed=0):
    """``n`` customers, two behaviour and two need columns; every third answered no survey."""
    values = np.random.default_rng(seed).normal(size=(n, 4))
    values[::3, 2:] = np.nan
    return values


# ------------------------------------------------------------------ the rows and their order


def test_with_a_survey_only_the_respondents_take_part():
    values = base()
    rows = discovery_rows(values, Assigner(SURVEYED), None, np.random.RandomState(0))
    assert sorted(rows.tolist()) == [i for i in range(30) if i % 3]  # 20 respondents
    everyone = discovery_rows(
        values, Assigner({"behaviour": np.arange(4)}), None, np.random.RandomState(0)
    )
    assert sorted(everyone.tolist()) == list(range(30))  # no survey: whoever has features


def test_the_rows_follow_what_customers_did_not_their_position():
    values = base()
    shuffled = np.random.default_rng(1).permutation(30)
    for sample in (None, 12, 0.75):
        rows = discovery_rows(values, Assigner(SURVEYED), sample, np.random.RandomState(0))
        again = discovery_rows(
            values[shuffled], Assigner(SURVEYED), sample, np.random.RandomState(0)
        )
        # the same customers, in the same order, whatever their ids
        np.testing.assert_array_equal(values[rows], values[shuffled][again])


def test_a_sample_is_a_number_or_a_share_and_never_below_the_minimum():
    values, assigner = base(), Assigner(SURVEYED)
    assert len(discovery_rows(values, assigner, 12, np.random.RandomState(0))) == 12
    assert len(discovery_rows(values, assigner, 0.75, np.random.RandomState(0))) == 15
    assert len(discovery_rows(values, assigner, 3, np.random.RandomState(0))) == MIN_DISCOVERY
    assert len(discovery_rows(values, assigner, 50, np.random.RandomState(0))) == 20  # all


def test_too_few_respondents_is_an_error_naming_the_table_and_the_fix():
    with pytest.raises(
        InputError,
        match=r"^survey: Got 8 survey respondents \(n_samples=8\), but "
        r"discovery needs at least 10\.\n  fix: pass a survey with more respondents\.$",
    ) as caught:
        discovery_rows(base(12), Assigner(SURVEYED), None, np.random.RandomState(0))
    assert caught.value.table == "survey"
    with pytest.raises(InputError, match=r"^events: Got 9 customers with features \(n_samples=9"):
        discovery_rows(base(9), Assigner({"behaviour": np.arange(4)}), None, None)


def test_the_content_hash_reads_numbers_not_their_spelling():
    values = np.array([[0.0, np.nan], [-0.0, np.nan], [0.0, 1.0], [1.0, 0.0], [0.0, -np.nan]])
    h = content_hash(values)
    assert h.dtype == np.uint64 and h.shape == (5,)
    assert h[0] == h[1] == h[4]  # -0.0 is 0.0, and a NaN is a NaN whatever its sign bit
    assert len({h[0], h[2], h[3]}) == 3  # a column's value counts where it stands
    np.testing.assert_array_equal(content_hash(values[::-1]), h[::-1])  # row by row


def test_by_size_makes_persona_zero_the_largest_and_keeps_the_unassigned():
    np.testing.assert_array_equal(by_size(np.array([2, 0, 0, 1, 1, 1, -1])), [2, 1, 1, 0, 0, 0, -1])
    np.testing.assert_array_equal(by_size(np.array([1, 1, 0, 0])), [1, 1, 0, 0])  # tie: lower
    np.testing.assert_array_equal(by_size(np.array([3, 3, -1, 0])), [0, 0, -1, 1])


# ------------------------------------------------------------------ the search on a toy base


def blobs():
    """120 customers in three groups of 60, 40 and 20, far apart on three features."""
    rng = np.random.default_rng(0)
    truth = np.repeat([0, 1, 2], [60, 40, 20])
    centres = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, 8.0, 0.0]])
    return centres[truth] + rng.normal(size=(120, 3)), truth


def test_a_given_clusterer_finds_the_groups_and_the_assigner_keeps_them():
    X, truth = blobs()
    settings = Settings(reducer="passthrough", clusterer=KMeans(3, n_init=4, random_state=0))
    found = discover(X, Assigner({"behaviour": np.arange(3)}), settings, seed=0)
    assert adjusted_rand_score(truth, found.labels) == 1.0
    assert sorted(np.bincount(found.labels).tolist()) == [20, 40, 60]
    assert found.reducer is None and found.clustered.all()  # passthrough: no reduction


def test_more_personas_asked_than_the_data_hold_is_said():
    X, _ = blobs()
    settings = Settings(reducer="passthrough", clusterer=KMeans(3, n_init=4, random_state=0),
                        n_personas=5, min_persona_share=0.1)  # fmt: skip
    with pytest.warns(UserWarning) as caught:
        found = discover(X, Assigner({"behaviour": np.arange(3)}), settings, seed=0)
    k = int(found.labels.max()) + 1
    assert k < 5 and np.bincount(found.labels).min() >= 12  # 10 % of 120
    assert str(caught[0].message).startswith(
        f"n_personas=5 was asked, but {k} persona(s) keep at least 12 members "
        "(min_persona_share=0.1) once their boundaries are drawn in the feature space"
    )


# ------------------------------------------------------------------ small worlds, end to end


def fit(name, n_customers, seed=0):
    spec = dataclasses.replace(ZOO[name], n_customers=n_customers)
    data = make_world(spec, random_state=seed)
    model = PersonaModel(
        features=FeatureBuilder(instrument=data.instrument, journey=data.journey), random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(
            events=data.events,
            survey=data.survey,
            emotions=data.emotions,
            demographics=data.demographics,
        )
    messages = [str(w.message) for w in caught]
    return data, model, messages


def test_an_easy_world_is_recovered():
    data, model, messages = fit("w01-easy-3", 3_000)
    assert model.n_personas_ == 3
    assert model.structure_.structured
    respondents = data.survey["customer_id"].unique()
    labels, truth = model.labels_[respondents], data.truth[respondents]
    # the oracle (a classifier trained on the truth) reaches 0.78 here; chance is 0
    assert adjusted_rand_score(truth, labels) > 0.6
    assert not any("No persona structure" in m for m in messages)
    chosen = model.selection_[model.selection_["chosen"]].iloc[0]
    assert chosen["n_personas"] == 3 and chosen["gap"] > chosen["bar"] > 0


@pytest.mark.parametrize("name", ["n01-null-independent", "n03-null-noise", "n04-null-permuted"])
def test_a_null_world_gets_one_persona_and_the_warning(name):
    _, model, messages = fit(name, 3_000)
    assert model.n_personas_ == 1
    warned = [m for m in messages if m.startswith("No persona structure found in")]
    assert len(warned) == 1
    chosen = model.selection_[model.selection_["chosen"]]
    if model.structure_ is not None:  # profiles were found; the null test refused them
        assert not model.structure_.structured
        assert model.structure_.summary() in warned[0]
        tested = model.selection_.dropna(subset=["gap"])
        assert len(tested) and (tested["gap"] <= tested["bar"]).all()  # every count refused
    else:  # the need scores (and the behaviour with them) were best described by one profile
        assert "are best described by one profile (the lowest BIC of" in warned[0]
        assert chosen["n_personas"].tolist() == [1]


def test_straight_liners_take_no_part_in_discovery_and_still_get_a_persona():
    spec = dataclasses.replace(
        ZOO["w01-easy-3"], name="careless", n_customers=2_500, n_personas=4,
        straightliner_share=0.15,
    )  # fmt: skip
    data = make_world(spec, random_state=0)
    model = PersonaModel(
        features=FeatureBuilder(instrument=data.instrument, journey=data.journey), random_state=0
    ).fit(events=data.events, survey=data.survey, emotions=data.emotions)
    items = data.survey.set_index("customer_id")
    straight = items.index[items.nunique(axis=1) == 1]
    assert len(straight) > 100  # 15 % of 1,000 respondents, one block of answers each
    assert model.n_personas_ == 4
    assert (model.label_source_[straight] == "distilled").all()
    assert (model.labels_[straight] >= 0).all()
    respondents = items.index.difference(straight)
    truth, labels = data.truth[respondents], model.labels_[respondents]
    assert adjusted_rand_score(truth, labels) > 0.7
