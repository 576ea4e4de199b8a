"""Persona identity: ids that persist across refits, names of the user's own that follow them.

The model's own tests hold refits and alignment on the training customers; here, names on a
copy of the reference model, and alignment on tables of a few hundred customers.
"""

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from persona import ConfigError, PersonaModel


def test_rename_overrides_and_refuses_clashes(persona_model):
    model = persona_model
    before = model.personas_["name"].copy()
    try:
        model.rename({3: "Weekend explorers"})
        assert model.personas_.loc[3, "name"] == "Weekend explorers"
        assert model.names_ == {3: "Weekend explorers"}
        with pytest.raises(ValueError, match="Got names for personas \\[9\\]"):
            model.rename({9: "Nobody"})
        with pytest.raises(ValueError, match="must be unique.*Weekend explorers"):
            model.rename({4: "Weekend explorers"})
    finally:
        model.names_ = {}
        model._publish()
    pd.testing.assert_series_equal(model.personas_["name"], before)


# ------------------------------------------------------------------ names


@pytest.fixture
def model(persona_model):
    """A copy of the reference model, free to be renamed and aligned."""
    return copy.deepcopy(persona_model)


def test_a_refused_rename_changes_nothing(model):
    generated = model.personas_["name"].copy()
    ids = model.persona_ids_.tolist()
    with pytest.raises(ConfigError) as unknown:
        model.rename({0: "Fine", 99: "Nobody"})
    assert str(unknown.value) == f"Got names for personas [99], but the personas are {ids}."
    taken = generated[1]
    with pytest.raises(ConfigError) as clash:
        model.rename({0: taken})  # the generated name of another persona
    assert str(clash.value) == f"Persona names must be unique; [{taken!r}] would be given twice."
    assert model.names_ == {}
    pd.testing.assert_series_equal(model.personas_["name"], generated)


def test_two_personas_may_swap_names_in_one_call(model):
    generated = model.personas_["name"].copy()
    model.rename({0: generated[1], 1: generated[0]})
    assert model.personas_["name"][[0, 1]].tolist() == [generated[1], generated[0]]
    assert model.personas_["name"][2:].tolist() == generated[2:].tolist()  # the rest keep theirs
    model.rename({np.int64(0): "Thrifty"})  # numpy ids are ids too, and a later name wins
    assert model.names_ == {0: "Thrifty", 1: generated[0]}
    assert model.personas_.loc[0, "name"] == "Thrifty"


def test_an_unfitted_model_has_no_personas_to_name_align_or_assess():
    unfitted = PersonaModel()
    for call in (lambda: unfitted.rename({0: "A"}), unfitted.assess_stability,
                 lambda: unfitted.align_to(unfitted)):  # fmt: skip
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()


# ------------------------------------------------------------------ alignment on tables


@pytest.fixture(scope="module")
def tables(persona_model, customers):
    """400 customers' tables and the touchpoint window they are read in, with the persona
    the reference model gives each of them."""
    ids = customers.truth.index[:400]
    end = customers.events["timestamp"].max()
    subset = {name: getattr(customers, name)[getattr(customers, name)["customer_id"].isin(ids)]
              for name in ("events", "survey", "emotions")}  # fmt: skip
    return subset, end, persona_model.predict(**subset, observation_end=end)


def test_aligning_on_tables_gives_back_the_old_ids_and_the_names_follow(
    model, persona_model, tables
):
    subset, end, _ = tables
    model.persona_ids_ = np.array([10, 11, 12, 13, 14, 15])  # the same personas, new ids
    model._publish()
    model.rename({12: "Night owls"})
    model.align_to(persona_model, **subset, observation_end=end)
    np.testing.assert_array_equal(model.persona_ids_, persona_model.persona_ids_)
    assert model.lineage_["event"].eq("kept").all()
    assert model.lineage_["jaccard"].eq(1.0).all()  # both read the tables alike
    assert model.names_ == {2: "Night owls"} and model.personas_.loc[2, "name"] == "Night owls"
    assert model.next_persona_id_ == persona_model.next_persona_id_
    pd.testing.assert_series_equal(model.labels_, persona_model.labels_)


def test_a_persona_the_tables_do_not_show_gets_an_id_never_used(model, persona_model, tables):
    subset, end, predicted = tables
    hidden = int(persona_model.persona_ids_[-1])
    shown = predicted.index[predicted != hidden]
    subset = {name: table[table["customer_id"].isin(shown)] for name, table in subset.items()}
    model.rename({hidden: "Hidden"})
    model.align_to(persona_model, **subset, observation_end=end)
    fresh = persona_model.next_persona_id_
    expected = [fresh if p == hidden else p for p in persona_model.persona_ids_.tolist()]
    assert model.persona_ids_.tolist() == expected
    assert model.next_persona_id_ == fresh + 1
    lineage = model.lineage_.set_index("persona_id")
    assert lineage.loc[fresh, "event"] == "appeared" and lineage.loc[fresh, "customers"] == 0
    assert (lineage.drop(index=fresh)["event"] == "kept").all()
    assert model.names_ == {fresh: "Hidden"}  # the name followed the persona to its new id
