"""Survey answers keyed so that high means more, and the tables the golden questions read,
checked by customer_id."""

import numpy as np
import pandas as pd
import pytest
from helpers_assignment import MINI

from persona.assignment._golden import select_golden_questions
from persona.assignment._keying import behaviour_table, keyed_answers


def test_reverse_keyed_items_are_turned_round(mini_survey):
    survey = pd.DataFrame(
        {"customer_id": [1, 2, 3, 4], "thr1": [5, 2, 1, np.nan], "thr2": [1, 4, 5, 3]}
    )
    keyed = keyed_answers(survey, MINI, ["thr1", "thr2"])
    assert keyed.index.name == "customer_id" and keyed.index.tolist() == [1, 2, 3, 4]
    np.testing.assert_array_equal(keyed["thr1"], [5.0, 2.0, 1.0, np.nan])
    np.testing.assert_array_equal(keyed["thr2"], [5.0, 2.0, 1.0, 3.0])  # 6 - answer on 1..5
    assert keyed_answers(survey, MINI, ["thr2"]).columns.tolist() == ["thr2"]

    # the scorer reads the keyed values: its medians and probabilities are computed from them
    survey, labels = mini_survey
    golden = select_golden_questions(survey, MINI, labels, max_items=2, cv=3)
    assert sorted(golden.items) == ["thr1", "thr2"]
    keyed = keyed_answers(survey, MINI, list(golden.items))
    np.testing.assert_array_equal(golden.median, keyed.median().to_numpy())
    z = (keyed.to_numpy() - golden.mean) / golden.scale
    logits = (z[:, None, :] * golden.coef[None]).sum(axis=2) + golden.intercept
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(golden.predict_proba(survey).to_numpy(), expected, rtol=1e-12)
    # a high raw answer to the reverse-keyed item means low thrift: persona 1 here
    assert golden.predict(pd.DataFrame({"customer_id": [7], "thr1": [3], "thr2": [5]})).item() == 1


# --------------------------------------------------------------------------- new


def test_behaviour_is_read_by_customer_in_the_columns_asked_for():
    behaviour = pd.DataFrame(
        {"customer_id": [3, 1], "b__x": [1, 2], "b__y": [0.5, np.nan], "b__z": [9.0, 9.0]}
    )
    table = behaviour_table(behaviour, ("b__y", "b__x"))
    assert table.index.name == "customer_id" and table.index.tolist() == [3, 1]
    assert table.columns.tolist() == ["b__y", "b__x"] and (table.dtypes == "float64").all()
    np.testing.assert_array_equal(table.to_numpy(), [[0.5, 1.0], [np.nan, 2.0]])
    assert behaviour_table(behaviour, None).columns.tolist() == ["b__x", "b__y", "b__z"]


def test_bad_behaviour_tables_are_named():
    from persona.errors import ConfigError, InputError

    behaviour = pd.DataFrame({"customer_id": [1, 2], "b__x": [1.0, np.inf]})
    with pytest.raises(
        InputError, match=r"^Got an infinite behaviour value in 'b__x'; leave it NaN if unknown.$"
    ) as caught:
        behaviour_table(behaviour, None)
    assert (caught.value.table, caught.value.column) == ("behaviour", "b__x")
    with pytest.raises(InputError, match=r"^Got behaviour without the column\(s\) \['b__y'\] the"):
        behaviour_table(behaviour, ("b__x", "b__y"))
    with pytest.raises(InputError, match="^Got behaviour without any column."):
        behaviour_table(behaviour[["customer_id"]], None)
    with pytest.raises(InputError, match="^Got behaviour columns that are not all numeric"):
        behaviour_table(behaviour.assign(b__x=["a", "b"]), None)
    with pytest.raises(ConfigError, match="^Got behaviour of type list, but expected a DataFrame"):
        behaviour_table([1, 2], None)


def test_answers_are_checked_against_each_items_scale():
    from persona.errors import ConfigError, InputError

    survey = pd.DataFrame({"customer_id": [1, 2, 3], "thr1": [1, 2.5, 3], "thr2": [1, 2, 3]})
    with pytest.raises(
        InputError,
        match=r"^Got survey answers \[2.5\] to item 'thr1' \(customer_id \[2\]\), but expected "
        r"whole numbers from 1 to 5, NaN where skipped.$",
    ):
        keyed_answers(survey, MINI)
    with pytest.raises(InputError, match=r"^Got survey answers \['often'\] to item 'thr2'"):
        keyed_answers(survey.assign(thr1=1, thr2=[1, "often", 2]), MINI)
    with pytest.raises(InputError, match=r"^Got survey with repeated customer_id\(s\) \[1\]"):
        keyed_answers(survey.assign(customer_id=[1, 1, 2], thr1=1), MINI)
    with pytest.raises(ConfigError, match="^Got items='thr1', but expected a list of item names."):
        keyed_answers(survey, MINI, "thr1")
    # the index may carry the ids instead of a column
    by_index = survey.assign(thr1=[1, 2, 3]).set_index("customer_id")
    assert keyed_answers(by_index, MINI)["thr2"].tolist() == [5.0, 4.0, 3.0]
