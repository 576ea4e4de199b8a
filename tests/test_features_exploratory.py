"""Instrument.suggest: an instrument proposed from answers without a dimension map."""

import numpy as np
import pandas as pd
import pytest

from persona import InputError, Instrument
from persona.datasets import load_bfi


@pytest.fixture(scope="module")
def bfi_suggestion():
    return Instrument.suggest(load_bfi().survey)


def test_suggest_recovers_the_big_five_map_and_its_reverse_keys(bfi_suggestion):
    bfi = load_bfi().instrument
    proposed = bfi_suggestion.instrument
    traits = {frozenset(bfi.items_of(d)) for d in bfi.dimensions}
    assert {frozenset(proposed.items_of(d)) for d in proposed.dimensions} == traits
    assert sorted(proposed.reverse_keyed) == ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    assert proposed.scale_of("A1") == (1, 6)
    assert bfi_suggestion.weak == ()


def test_parallel_analysis_asks_for_six_and_the_three_item_rule_keeps_five(bfi_suggestion):
    # Parallel analysis on bfi keeps six components (as psych's fa.parallel reports);
    # with six, one factor gathers a single item, so five are fitted.
    assert bfi_suggestion.n_parallel == 6
    assert len(bfi_suggestion.instrument.dimensions) == 5


def test_suggested_pattern_is_minres_oblimin(bfi_suggestion):
    # Pinned: minres + oblimin of bfi's 25 items, neuroticism first. factor_analyzer's
    # minres and oblimin agree to 0.0015 (checked by hand; it does not run on
    # scikit-learn 1.8).
    rows = bfi_suggestion.loadings.loc[["A1", "A2", "N1"]].round(2)
    assert rows.to_numpy().tolist() == [
        [0.21, 0.17, 0.07, -0.41, -0.06],
        [-0.02, -0.0, 0.08, 0.64, 0.03],
        [0.82, 0.1, 0.0, -0.11, -0.05],
    ]
    assert bfi_suggestion.fit.df == 265


def test_suggest_keeps_a_fixed_count_and_proposes_on_simulated_needs():
    rng = np.random.default_rng(7)
    needs = rng.standard_normal((900, 2))
    weights = np.array([[0.8, 0.7, -0.7, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.8, 0.6, 0.7]])
    raw = needs @ weights + 0.6 * rng.standard_normal((900, 6))
    answers = np.clip(np.rint(3 + raw), 1, 5)
    survey = pd.DataFrame(answers, columns=[f"q{i}" for i in range(6)])
    survey.insert(0, "customer_id", range(900))
    suggestion = Instrument.suggest(survey, 2)
    dims = suggestion.instrument.dimensions
    assert {suggestion.instrument.items_of(d) for d in dims} == {("q0", "q1", "q2"),
                                                                  ("q3", "q4", "q5")}  # fmt: skip
    assert suggestion.instrument.reverse_keyed == ("q2",)
    assert suggestion.fit.verdict == "good"


def test_suggest_names_what_is_wrong():
    survey = pd.DataFrame({"customer_id": [1, 2, 3], "a": [1, 2, 3], "b": [2, 3, 1],
                           "c": ["x", "y", "z"]})  # fmt: skip
    with pytest.raises(InputError, match=r"not numbers: \['c'\]"):
        Instrument.suggest(survey)
    with pytest.raises(InputError, match=r"lacks the item column\(s\) \['z'\]"):
        Instrument.suggest(survey, items=["a", "z"])
    with pytest.raises(InputError, match=r"infinite answers in \['a'\]"):
        Instrument.suggest(survey.assign(a=[1.0, np.inf, 2.0]), items=["a", "b"])
    with pytest.raises(InputError, match=r"has no customer_id column"):
        Instrument.suggest(survey.drop(columns="customer_id"))
    with pytest.raises(ValueError, match=r"n_dimensions=4, but expected 1 to 2 for 3 items"):
        Instrument.suggest(survey.assign(c=[3, 1, 2]), 4)
