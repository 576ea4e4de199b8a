"""Reason codes: one rule picks a customer's reasons, for a row and for a block."""

import numpy as np
import pandas as pd


def test_one_rule_picks_the_reasons_of_a_row_and_of_a_block():
    """top_reasons' one-row form picks what its block form picks for that row: the largest
    absolute contributions, ties to the earlier feature, never a NaN or a missing value."""
    from persona.assignment import top_reasons

    rng = np.random.default_rng(0)
    values = rng.choice([-2.0, -1.0, 0.0, 1.0, 2.0, 3.5, np.nan], size=(400, 12))
    missing = rng.random((400, 12)) < 0.2
    for top in (0, 1, 3, 12, 20):
        block = top_reasons(values, top, missing=missing)
        assert block.shape == (400, top)
        for i in range(len(values)):
            usable = ~np.isnan(values[i]) & ~missing[i]
            expected = [j for j in np.argsort(-np.abs(values[i]), kind="stable") if usable[j]]
            row = top_reasons(values[i], top, missing=missing[i])
            assert row.tolist() == expected[:top]
            assert block[i].tolist() == expected[:top] + [-1] * (top - len(expected[:top]))
    assert top_reasons(values, -1).shape == (400, 0)


# --------------------------------------------------------------------------- new


def test_the_reasons_table_reports_each_customers_usable_features():
    from persona.assignment._explain import Contributions
    from persona.assignment._reasons import reasons_table
    from persona.features._labels import trait_label

    names = ["behaviour__touchpoints", "behaviour__share_channel_app", "psychographic__thrift"]
    values = np.array([[0.5, -2.0, np.nan], [1.0, 3.0, -4.0], [np.nan, np.nan, np.nan]])
    found = Contributions(*[np.zeros(3)] * 6, values=values)
    raw = pd.DataFrame([[1.23456789012345, 2.0, 3.0], [np.nan, 5.0, 6.0], [1.0, 1.0, 1.0]],
                       columns=names)  # fmt: skip
    first, second, third = reasons_table(found, names, raw, top=2)
    # the NaN contribution (a feature the model does not read) is never a reason
    assert first == [
        {"feature": names[1], "trait": trait_label(names[1]), "value": 2.0,
         "contribution": -2.0, "direction": "away"},
        {"feature": names[0], "trait": trait_label(names[0]), "value": 1.2345678901,
         "contribution": 0.5, "direction": "toward"},
    ]  # fmt: skip
    # nor is a feature whose value is missing (imputed), however large its contribution
    assert [(r["feature"], r["contribution"], r["direction"]) for r in second] == [
        (names[2], -4.0, "away"), (names[1], 3.0, "toward"),
    ]  # fmt: skip
    assert third == []  # no signal: no reason
