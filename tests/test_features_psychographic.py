"""Psychographic features: exact scores by hand, ipsatizing, response style, bad input.

Reliability (alpha, omega) is tested in test_features_reliability.py."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from persona import InputError, Instrument
from persona.datasets import make_customers
from persona.features.psychographic import (
    psychographic_features,
    response_style,
    score_scales,
)
from persona.features.reliability import scale_reliability

NAN = np.nan


@pytest.fixture
def instrument():
    # thrift on 1..5 with one reverse-keyed item of four; discovery on 1..7,
    # one forward and one reverse item.
    return Instrument.from_dict(
        {
            "name": "hand",
            "items": [
                {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
                {"item": "thr2", "dimension": "thrift", "scale": [1, 5]},
                {"item": "thr3", "dimension": "thrift", "scale": [1, 5]},
                {"item": "thr4", "dimension": "thrift", "scale": [1, 5], "reverse": True},
                {"item": "dis1", "dimension": "discovery", "scale": [1, 7]},
                {"item": "dis2", "dimension": "discovery", "scale": [1, 7], "reverse": True},
            ],
        }
    )


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "thr1": [5, 2, NAN, 3],
            "thr2": [4, NAN, NAN, 3],
            "thr3": [5, 3, NAN, 3],
            "thr4": [1, 4, 2, 3],
            "dis1": [7, 4, 1, NAN],
            "dis2": [1, 2, 7, 3],
        }
    )


# --------------------------------------------------------------------------- score_scales


def test_scores_by_hand(survey, instrument):
    # thrift: thr4 reversed on 1..5 as 6 - answer; discovery: dis2 reversed on 1..7 as 8 - answer.
    # c1: thrift (5 + 4 + 5 + (6-1)) / 4 = 19/4;  discovery (7 + (8-1)) / 2 = 7
    # c2: thrift skipped 1 of 4 (<= 0.5): (2 + 3 + (6-4)) / 3 = 7/3;  discovery (4 + (8-2)) / 2 = 5
    # c3: thrift skipped 3 of 4 (> 0.5): NaN;  discovery (1 + (8-7)) / 2 = 1
    # c4: thrift (3 + 3 + 3 + (6-3)) / 4 = 3;  discovery skipped 1 of 2 (<= 0.5): (8-3) = 5
    expected = pd.DataFrame(
        {"thrift": [19 / 4, 7 / 3, NAN, 3.0], "discovery": [7.0, 5.0, 1.0, 5.0]},
        index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"),
    )
    assert_frame_equal(score_scales(survey, instrument), expected)


def test_max_missing_share_sets_how_much_may_be_skipped(survey, instrument):
    # 0.25: c2 skipped 1/4 of thrift (kept), c4 skipped 1/2 of discovery (NaN).
    scores = score_scales(survey, instrument, max_missing_share=0.25)
    assert scores.loc["c2", "thrift"] == pytest.approx(7 / 3)
    assert math.isnan(scores.loc["c4", "discovery"])
    # 0: any skip gives NaN; complete answers are untouched.
    strict = score_scales(survey, instrument, max_missing_share=0.0)
    assert strict["thrift"].isna().tolist() == [False, True, True, False]
    assert strict["discovery"].isna().tolist() == [False, False, False, True]
    assert strict.loc["c1"].tolist() == [19 / 4, 7.0]


def test_reverse_keying_uses_each_items_own_scale(instrument):
    # On 1..7, 8 - answer: 1 -> 7, 2 -> 6, 4 -> 4, 7 -> 1; dis1 stays as answered.
    survey = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            **{f"thr{i}": [3, 3, 3, 3] for i in range(1, 5)},
            "dis1": [NAN, NAN, NAN, NAN],
            "dis2": [1, 2, 4, 7],
        }
    )
    scores = score_scales(survey, instrument, max_missing_share=0.5)
    assert scores["discovery"].tolist() == [7.0, 6.0, 4.0, 1.0]


def test_output_follows_survey_rows_and_instrument_dimensions(survey, instrument):
    shuffled = survey.iloc[[2, 0, 3, 1]][
        ["dis2", "thr3", "customer_id", "thr1", "thr4", "thr2", "dis1"]
    ]
    scores = score_scales(shuffled, instrument)
    assert scores.index.name == "customer_id"
    assert scores.index.tolist() == ["c3", "c1", "c4", "c2"]
    assert scores.columns.tolist() == ["thrift", "discovery"]
    assert (scores.dtypes == "float64").all()
    assert_frame_equal(scores.loc[["c1", "c2", "c3", "c4"]], score_scales(survey, instrument))


def test_survey_may_come_as_a_csv_file(survey, instrument, tmp_path):
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    assert_frame_equal(score_scales(path, instrument), score_scales(survey, instrument))


def test_a_dimension_mixing_scales_is_scored_on_zero_to_one():
    instrument = Instrument.from_dict(
        {
            "name": "mixed",
            "items": [
                {"item": "a", "dimension": "d", "scale": [1, 5]},
                {"item": "b", "dimension": "d", "scale": [1, 7], "reverse": True},
            ],
        }
    )
    survey = pd.DataFrame({"customer_id": [1], "a": [4], "b": [3]})
    # a: (4-1)/4 = 0.75; b keyed 8-3 = 5 -> (5-1)/6 = 2/3; mean (0.75 + 2/3) / 2 = 17/24.
    assert score_scales(survey, instrument).loc[1, "d"] == pytest.approx(17 / 24)
    assert psychographic_features(survey, instrument).loc[1, "psychographic__d"] == pytest.approx(
        17 / 24
    )


# --------------------------------------------------------------------------- ipsatize


def test_ipsatize_removes_yes_saying_by_hand(instrument):
    # r1 answers like r0 but agrees more with everything: +2 on every 1..5 item and
    # +3 on every 1..7 item, i.e. +1 on the [-1, 1] agreement scale of each item.
    survey = pd.DataFrame(
        {
            "customer_id": ["r0", "r1", "yes"],
            "thr1": [3, 5, 5],
            "thr2": [2, 4, 5],
            "thr3": [3, 5, 5],
            "thr4": [1, 3, 5],
            "dis1": [4, 7, 7],
            "dis2": [1, 4, 7],
        }
    )
    # Without correction the yes-sayer looks thriftier, because only 1 of the 4 thrift
    # items is reverse-keyed: r0 (3 + 2 + 3 + (6-1)) / 4 = 3.25, r1 (5 + 4 + 5 + (6-3)) / 4
    # = 4.25. Discovery is balanced (one item each way) and immune: (4 + 7)/2 = (7 + 4)/2.
    plain = score_scales(survey, instrument)
    assert plain.loc["r0"].tolist() == [3.25, 5.5]
    assert plain.loc["r1"].tolist() == [4.25, 5.5]
    # Ipsatized, r0: agreement 2*(x - low)/(high - low) - 1 on raw answers is
    # thr (0, -1/2, 0, -1), dis (0, -1); its mean is -5/12. Centred: thr (5, -1, 5, -7)/12,
    # dis (5, -7)/12. Reverse keys flip thr4 and dis2 to +7/12. Thrift mean 16/48 = 1/3,
    # back on 1..5 as 3 + 2 * 1/3 = 11/3; discovery mean 1/2, on 1..7 as 4 + 3 * 1/2 = 5.5.
    # r1's agreements are r0's + 1, so centring gives r1 exactly the same scores.
    # The yes-sayer agrees fully everywhere: centred all 0, so every midpoint (3 and 4).
    ipsatized = score_scales(survey, instrument, ipsatize=True)
    assert ipsatized.loc["r0"].tolist() == pytest.approx([11 / 3, 5.5])
    assert ipsatized.loc["r1"].tolist() == pytest.approx([11 / 3, 5.5])
    assert ipsatized.loc["yes"].tolist() == pytest.approx([3.0, 4.0])
    features = psychographic_features(survey, instrument, ipsatize=True)
    # (11/3 - 1) / 4 = 2/3 and (5.5 - 1) / 6 = 3/4.
    assert features.loc["r0", ["psychographic__thrift", "psychographic__discovery"]].tolist() == (
        pytest.approx([2 / 3, 3 / 4])
    )


def test_ipsatize_keeps_the_missing_rule(survey, instrument):
    ipsatized = score_scales(survey, instrument, ipsatize=True)
    assert ipsatized.isna().equals(score_scales(survey, instrument).isna())


# --------------------------------------------------------------------------- response style


def test_response_style_by_hand(survey, instrument):
    # agreement on raw answers (before keys): 2*(x-1)/4 - 1 on 1..5, 2*(x-1)/6 - 1 on 1..7.
    # c1: 1, 1/2, 1, -1 | 1, -1 -> 3/2 / 6 = 1/4
    # c2: -1/2, 0, 1/2 | 0, -2/3 -> -2/3 / 5 = -2/15
    # c3: -1/2 | -1, 1 -> -1/2 / 3 = -1/6
    # c4: 0, 0, 0, 0 | -1/3 -> -1/15; and "3" on all five answered items: a straight-liner,
    #     although 3 is the midpoint of 1..5 and below the midpoint of 1..7.
    expected = pd.DataFrame(
        {
            "straightlining": [0.0, 0.0, 0.0, 1.0],
            "acquiescence": [1 / 4, -2 / 15, -1 / 6, -1 / 15],
            "answered_share": [1.0, 5 / 6, 3 / 6, 5 / 6],
        },
        index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"),
    )
    assert_frame_equal(response_style(survey, instrument), expected)


def test_straightlining_needs_three_answers(instrument):
    survey = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "thr1": [4, 4],
            "thr2": [4, 4],
            "thr3": [NAN, 4],
            "thr4": [NAN, NAN],
            "dis1": [NAN, NAN],
            "dis2": [NAN, NAN],
        }
    )
    assert response_style(survey, instrument)["straightlining"].tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------- features


def test_features_by_hand(survey, instrument):
    # (score - low) / (high - low): thrift on 1..5, discovery on 1..7.
    # c1: (19/4 - 1)/4 = 15/16, (7 - 1)/6 = 1;  c2: (7/3 - 1)/4 = 1/3, (5 - 1)/6 = 2/3
    # c3: NaN, 0;  c4: (3 - 1)/4 = 1/2, (5 - 1)/6 = 2/3
    expected = pd.DataFrame(
        {
            "psychographic__thrift": [15 / 16, 1 / 3, NAN, 1 / 2],
            "psychographic__discovery": [1.0, 2 / 3, 0.0, 2 / 3],
            "response__acquiescence": [1 / 4, -2 / 15, -1 / 6, -1 / 15],
            "response__straightlining": [0.0, 0.0, 0.0, 1.0],
        },
        index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"),
    )
    assert_frame_equal(psychographic_features(survey, instrument), expected)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "compute", [score_scales, scale_reliability, response_style, psychographic_features]
)
def test_an_answer_off_the_scale_fails_at_the_edge_naming_the_column(survey, instrument, compute):
    survey.loc[1, "thr3"] = 7  # thr3 is on 1..5
    with pytest.raises(InputError, match=r"survey\.thr3: 1 of 4 rows are outside \[1, 5\]") as info:
        compute(survey, instrument)
    assert info.value.column == "thr3"
    assert info.value.rows == [1]


@pytest.mark.parametrize(
    "compute", [score_scales, scale_reliability, response_style, psychographic_features]
)
def test_an_unknown_column_fails_naming_it(survey, instrument, compute):
    with pytest.raises(InputError, match="does not know: \\['thr9'\\]") as info:
        compute(survey.assign(thr9=1), instrument)
    assert info.value.column == "thr9"


@pytest.mark.parametrize("share", [1.5, 1, 1.0, -0.1, True, "0.5", None, float("nan")])
@pytest.mark.parametrize("compute", [score_scales, psychographic_features])
def test_max_missing_share_must_lie_in_zero_one(survey, instrument, compute, share):
    message = f"Got max_missing_share={share!r}, but expected a number in [0, 1)."
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        compute(survey, instrument, max_missing_share=share)


def test_ipsatize_must_be_a_flag(survey, instrument):
    with pytest.raises(ValueError, match=r"Got ipsatize='yes', but expected True or False\."):
        score_scales(survey, instrument, ipsatize="yes")


def test_instrument_must_be_an_instrument(survey):
    with pytest.raises(TypeError, match="expected a persona.Instrument"):
        score_scales(survey, {"name": "hand"})


# --------------------------------------------------------------------------- synthetic base


@pytest.fixture(scope="module")
def customers():
    return make_customers(n_customers=3000, random_state=0)


def test_each_persona_scores_highest_on_its_defining_dimension(customers):
    personas = customers.personas
    assert (personas["direction"] == "high").all()
    for ipsatize in (False, True):
        scores = score_scales(customers.survey, customers.instrument, ipsatize=ipsatize)
        persona = customers.truth.loc[scores.index]
        means = scores.groupby(persona.to_numpy()).mean()
        # Within a persona, its defining need is its strongest ...
        assert means.idxmax(axis=1).tolist() == personas["defining_dimension"].tolist()
        # ... and no other persona has more of it.
        for p, dimension in personas["defining_dimension"].items():
            assert means[dimension].idxmax() == p


def test_synthetic_response_style(customers):
    survey = customers.survey
    style = response_style(survey, customers.instrument)
    assert style.index.equals(pd.Index(survey["customer_id"], name="customer_id"))
    # The generator makes 2% straight-liners; the flag agrees with a plain pandas check.
    answers = survey.drop(columns="customer_id")
    same = (answers.nunique(axis=1) == 1) & (answers.count(axis=1) >= 3)
    assert_series_equal(
        style["straightlining"],
        same.astype("float64").set_axis(style.index).rename("straightlining"),
    )
    assert 0.01 < style["straightlining"].mean() < 0.04
    # Respondents were drawn with acquiescence ~ N(0.25, 0.3) in answer units: they agree.
    assert style["acquiescence"].mean() > 0.05
    assert style["answered_share"].between(0.5, 1.0).all()
    assert style["answered_share"].mean() == pytest.approx(0.97, abs=0.01)  # 3% skipped


def test_synthetic_features_block(customers):
    features = psychographic_features(customers.survey, customers.instrument)
    dimensions = [f"psychographic__{d}" for d in customers.instrument.dimensions]
    assert features.columns.tolist() == [
        *dimensions,
        "response__acquiescence",
        "response__straightlining",
    ]
    assert (features.dtypes == "float64").all()
    assert len(features) == len(customers.survey) < len(customers.truth)  # respondents only
    values = features[dimensions].to_numpy()
    assert np.nanmin(values) == 0.0 and np.nanmax(values) == 1.0
    # NaN only where a respondent skipped more than half of a dimension's items.
    assert 0 < np.isnan(values).sum() < 0.01 * values.size
