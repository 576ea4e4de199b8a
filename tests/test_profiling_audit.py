"""Association measures and the demographic audit."""

import numpy as np
import pandas as pd
import pytest

from persona import InputError
from persona.datasets import make_customers
from persona.profiling._audit import correlation_ratio, cramers_v, demographic_audit


def test_cramers_v_and_eta_by_hand():
    # 2x2 table [[3, 1], [1, 3]]: chi2 = 4 * (3 - 2)^2 / 2 = 2, V = sqrt(2 / 8) = 0.5
    a = ["x"] * 4 + ["y"] * 4
    b = [1, 1, 1, 2, 1, 2, 2, 2]
    assert cramers_v(a, b) == pytest.approx(0.5)
    # groups a: 1, 3 (mean 2); b: 5, 7 (mean 6); grand mean 4
    # between = 2*4 + 2*4 = 16; total = 9 + 1 + 1 + 9 = 20; eta = sqrt(0.8)
    assert correlation_ratio(["a", "a", "b", "b"], [1, 3, 5, 7]) == pytest.approx(np.sqrt(0.8))
    assert correlation_ratio(["a", "b"], [2.0, 2.0]) == 0.0
    assert correlation_ratio(["a", None, "b"], [1.0, 100.0, np.nan]) == 0.0


def test_true_personas_pass_the_audit_and_demographic_segments_fail_it():
    data = make_customers(n_customers=6_000, random_state=9)
    audit = demographic_audit(data.truth, data.demographics)
    assert set(audit.index) == {"age", "income", "region", "gender"}
    assert audit.loc["age", "measure"] == "eta" and audit.loc["region", "measure"] == "cramers_v"
    assert (audit["association"] < 0.06).all() and not audit["flagged"].any()

    people = data.demographics.set_index("customer_id")
    by_age = pd.Series(
        pd.cut(people["age"], [0, 30, 45, 60, 200], labels=False), index=people.index
    )
    with pytest.warns(UserWarning, match=r"personas align with demographics above 0.1: age \(0\.9"):
        audit = demographic_audit(by_age, data.demographics)
    assert audit.loc["age", "flagged"] and audit.loc["age", "association"] > 0.9


def test_unassigned_customers_are_left_out_and_bad_input_is_named():
    labels = pd.Series([0, 1, -1, -1], index=pd.Index([1, 2, 3, 4], name="customer_id"))
    people = pd.DataFrame({"customer_id": [1, 2, 3, 4], "age": [20, 60, 20, 60]})
    with pytest.warns(UserWarning, match="age"):
        audit = demographic_audit(labels, people)
    assert audit.loc["age", "n"] == 2 and audit.loc["age", "association"] == 1.0
    with pytest.raises(InputError, match="demographics.customer_id"):
        demographic_audit(labels, people.assign(customer_id=[1, 1, 2, 3]))
    with pytest.raises(ValueError, match="Got threshold=2"):
        demographic_audit(labels, people, threshold=2)


def test_demographic_description_shows_each_persona_beside_the_base():
    index = pd.Index([1, 2, 3, 4, 5, 6], name="customer_id")
    labels = pd.Series([0, 0, 0, 1, 1, -1], index=index)
    people = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "age": [20, 30, 40, 60, 70, 99],
            "region": ["north", "north", "south", "south", "south", "north"],
        }
    )
    from persona.profiling._audit import demographic_description

    table = demographic_description(labels, people).set_index(["persona_id", "column"])
    assert table.loc[(0, "age"), "persona"] == 30 and table.loc[(0, "age"), "base"] == 44
    assert table.loc[(0, "region"), "value"] == "north"
    assert table.loc[(0, "region"), "persona"] == pytest.approx(2 / 3)
    assert table.loc[(0, "region"), "base"] == pytest.approx(2 / 5)  # the unassigned are left out
    assert table.loc[(1, "region"), "value"] == "south"


def test_invariance_beside_the_audit_warns_only_where_needs_are_not_comparable():
    labels = pd.Series([0, 0, 1, 1, 0, 1], index=pd.Index(range(1, 7), name="customer_id"))
    people = pd.DataFrame({"customer_id": range(1, 7), "region": list("nsnsns"),
                           "gender": list("mmffmf"), "age": [20, 30, 40, 50, 60, 70]})  # fmt: skip
    levels = pd.Series({"region": "metric", "gender": "untestable", "age": "scalar"})
    with pytest.warns(UserWarning, match=r"not comparable across the groups of region \(metric\)"):
        audit = demographic_audit(labels, people, threshold=1.0, invariance=levels)
    assert audit["invariance"].to_dict() == {"region": "metric", "gender": "untestable",
                                             "age": "scalar"}  # fmt: skip
    assert not audit.loc["region", "needs_comparable"]  # False, not NaN (NaN is truthy)
    assert pd.isna(audit.loc["gender", "needs_comparable"])
    assert audit.loc["age", "needs_comparable"]
