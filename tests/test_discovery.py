"""Discovery's structure test on its own, and persona on small worlds of the zoo."""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from persona import FeatureBuilder, PersonaModel
from persona.datasets import make_world, world_zoo
from persona.discovery._reduce import StructureTest, _copula_reference, structure_test

ZOO = {spec.name: spec for spec in world_zoo()}


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
