"""persona._training: how a call's arguments become the matrix a PersonaModel models."""

import numpy as np
import pandas as pd
import pytest

from persona import PersonaModel
from persona._training import (
    carries_tables,
    drift_base,
    fit_assigner,
    is_array,
    scoring_matrix,
    tables_of,
    training_matrix,
    validated,
)
from persona.datasets import make_customers
from persona.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def small():
    return make_customers(n_customers=300, random_state=1)


def test_tables_travel_as_keywords_a_mapping_or_an_object_carrying_them(small):
    assert carries_tables(small) and carries_tables({"survey": small.survey})
    assert not carries_tables(np.zeros((2, 2))) and not carries_tables(None)
    assert is_array(np.zeros((2, 2))) and not is_array(pd.DataFrame()) and not is_array(small)
    found = tables_of({"events": small.events}, {"survey": small.survey, "emotions": None})
    assert set(found) == {"events", "survey", "emotions"} and found["emotions"] is None
    assert found["survey"] is small.survey and found["events"] is small.events


def test_a_matrix_is_sorted_by_customer_and_grouped_by_its_prefixes():
    X = pd.DataFrame(
        {"psychographic__a": [1.0, 2.0, 3.0], "behaviour__b": [0.0, 1.0, np.nan], "z": [5, 6, 7]},
        index=pd.Index([30, 10, 20], name="customer_id"),
    )
    training = training_matrix(PersonaModel(), X, {})
    assert training.frame.index.tolist() == [10, 20, 30]
    assert training.frame["psychographic__a"].tolist() == [2.0, 3.0, 1.0]
    assert {g: c.tolist() for g, c in training.groups.items()} == {
        "psychographic": [0], "behaviour": [1], "features": [2],
    }  # fmt: skip
    assert training.builder is None and training.drift_sample is None
    assert not training.careless.any()


def test_tables_give_the_features_the_careless_flags_and_a_drift_sample(small):
    model = PersonaModel(instrument=small.instrument)
    tables = {"events": small.events, "survey": small.survey, "emotions": small.emotions}
    training = training_matrix(model, None, tables)
    assert len(training.frame) == 300 and training.builder is not None
    assert not training.frame.columns.str.startswith("available__").any()
    assert training.careless.dtype == bool and len(training.careless) == 300
    assert training.careless_counts["respondents"] == small.survey["customer_id"].nunique()
    step, raw = training.drift_sample
    assert step == 1 and len(raw) == 300  # fewer than 100,000 customers: every one


def test_duplicated_ids_are_named():
    X = pd.DataFrame({"a": [1.0, 2.0]}, index=pd.Index([1, 1], name="customer_id"))
    with pytest.raises(
        InputError, match=r"feature matrix: has duplicated customer ids, first \[1\]"
    ):
        validated(PersonaModel(), X, reset=True)


def test_a_model_fitted_on_a_matrix_refuses_tables(small):
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)), columns=list("abc"))
    model = PersonaModel(n_personas=2, random_state=0).fit(X)
    with pytest.raises(ConfigError, match="fitted on a feature matrix; pass one"):
        scoring_matrix(model, None, {"events": small.events})
    assert scoring_matrix(model, X, {}).shape == (60, 3)


def test_the_drift_base_counts_personas_as_the_assigner_numbers_them():
    raw = pd.DataFrame({"x": np.arange(6.0)}, index=pd.RangeIndex(6, name="customer_id"))
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0]] * 3)
    base = drift_base((2, raw.iloc[::2]), proba, pd.Index(["x"]))
    assert base is not None and drift_base(None, proba, pd.Index(["x"])) is None
    assert sum(base["personas"].values()) == pytest.approx(1.0)


def test_without_touchpoints_the_assigner_has_no_evidence_bins(small):
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(80, 2)), columns=["a", "b"])
    model = PersonaModel()
    model.features_ = None
    groups = {"features": np.array([0, 1])}
    labels = (X["a"] > 0).to_numpy(np.int64)
    assigner, thin = fit_assigner(model, X, groups, np.arange(80), labels, None)
    assert thin is None and assigner.n_personas_ == 2
