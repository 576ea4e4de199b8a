"""The golden questions' scorer: a JSON round trip, batch-free probabilities, skipped answers."""

import json

import numpy as np
import pandas as pd
import pytest

from persona.assignment._questions import GoldenQuestions


def test_json_round_trip_predicts_identically(golden, golden_behaviour, split, behaviour):
    for tool, extra in ((golden, None), (golden_behaviour, behaviour)):
        back = GoldenQuestions.from_dict(json.loads(json.dumps(tool.to_dict())))
        assert back.items == tool.items and back.accuracy == tool.accuracy
        assert back.behaviour_columns == tool.behaviour_columns
        pd.testing.assert_frame_equal(back.path, tool.path)
        np.testing.assert_array_equal(
            back.predict_proba(split[1], extra).to_numpy(),
            tool.predict_proba(split[1], extra).to_numpy(),
        )
        np.testing.assert_array_equal(
            back.predict(split[1], extra).to_numpy(), tool.predict(split[1], extra).to_numpy()
        )


def test_probabilities_do_not_depend_on_the_batch(golden, split):
    test = split[1].head(40)
    together = golden.predict_proba(test)
    one_by_one = pd.concat([golden.predict_proba(test.iloc[[i]]) for i in range(len(test))])
    np.testing.assert_array_equal(together.to_numpy(), one_by_one.to_numpy())
    np.testing.assert_allclose(together.sum(axis=1), 1.0)
    assert together.index.equals(pd.Index(test["customer_id"], name="customer_id"))
    assert together.columns.tolist() == golden.persona_ids.tolist()


def test_skipped_answers_are_imputed_and_missing_items_named(golden, split):
    test = split[1].head(3)
    skipped = test.copy()
    skipped[list(golden.items)] = np.nan
    # a respondent who skipped every item is scored as if answering the medians
    z = (golden.median - golden.mean) / golden.scale
    logits = (z[None, None, :] * golden.coef[None]).sum(axis=2) + golden.intercept
    typical = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        golden.predict_proba(skipped).to_numpy(), np.repeat(typical, 3, axis=0), rtol=1e-12
    )
    # only the chosen items are needed; other columns are ignored
    only = golden.predict_proba(test[["customer_id", *golden.items]])
    np.testing.assert_array_equal(only.to_numpy(), golden.predict_proba(test).to_numpy())
    with pytest.raises(ValueError, match=rf"without the item column\(s\) \['{golden.items[1]}'\]"):
        golden.predict_proba(test.drop(columns=golden.items[1]))
