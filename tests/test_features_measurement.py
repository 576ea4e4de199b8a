"""Confirmatory fit and measurement invariance, against lavaan's published output."""

import numpy as np
import pandas as pd
import pytest

from persona import Instrument
from persona.errors import ConfigError, PersonaError
from persona.features.measurement import confirmatory_fit, measurement_invariance

holzinger39 = pytest.importorskip("semopy.examples.holzinger39")
semopy = pytest.importorskip("semopy")

HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
            "speed": ["x7", "x8", "x9"]}  # fmt: skip


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return holzinger39.get_data()


def test_confirmatory_fit_equals_lavaan_cfa_on_holzinger_swineford(hs):
    # lavaan: cfa(HS.model, data = HolzingerSwineford1939); fitMeasures(...)
    fit = confirmatory_fit(hs, HS_MODEL)
    assert round(fit.chi2, 3) == 85.306
    assert fit.df == 24
    assert (round(fit.cfi, 3), round(fit.tli, 3)) == (0.931, 0.896)
    assert [round(v, 3) for v in (fit.rmsea, fit.rmsea_low, fit.rmsea_high)] == [
        0.092,
        0.071,
        0.114,
    ]
    assert round(fit.srmr, 3) == 0.065
    # lavaan's estimates and std.all
    assert fit.loadings["loading"].round(3).tolist() == [
        1.0,
        0.554,
        0.729,
        1.0,
        1.113,
        0.926,
        1.0,
        1.180,
        1.082,
    ]
    assert fit.loadings["std_loading"].round(3).tolist()[:3] == [0.772, 0.424, 0.581]
    assert fit.correlations.loc["visual", "textual"] == pytest.approx(0.459, abs=5e-4)
    assert fit.verdict == "acceptable"


def test_confirmatory_fit_agrees_with_semopy(hs):
    model = semopy.Model("\n".join(f"{d} =~ {' + '.join(items)}" for d, items in HS_MODEL.items()))
    model.fit(hs)
    expected = semopy.calc_stats(model).T["Value"]
    fit = confirmatory_fit(hs, HS_MODEL)
    assert fit.chi2 == pytest.approx(expected["chi2"], rel=1e-5)
    assert fit.cfi == pytest.approx(expected["CFI"], rel=1e-5)
    assert fit.tli == pytest.approx(expected["TLI"], rel=1e-5)


def test_measurement_invariance_equals_lavaan_across_schools(hs):
    # lavaan: cfa(..., group = "school"), then group.equal = "loadings" and
    # c("loadings", "intercepts"); lavTestLRT of the three.
    ladder = measurement_invariance(hs, HS_MODEL, hs["school"])
    steps = ladder.steps
    assert steps["chi2"].round(2).tolist() == [115.85, 124.04, 164.10]
    assert steps["df"].tolist() == [48, 54, 60]
    assert steps["delta_chi2"].round(2).tolist()[1:] == [8.19, 40.06]
    assert round(steps.loc["metric", "p_value"], 2) == 0.22
    assert steps.loc["scalar", "p_value"] == pytest.approx(4.4e-07, rel=0.01)
    assert ladder.level == "metric"
    assert not ladder.comparable
    assert ladder.groups.to_dict() == {"Grant-White": 145, "Pasteur": 156}


def test_a_reverse_keyed_item_gives_the_same_fit_as_its_raw_column():
    rng = np.random.default_rng(0)
    factor = rng.standard_normal((600, 2)) @ np.array([[1.0, 0.4], [0.0, 0.9]])
    answers = np.clip(np.rint(3 + factor.repeat(3, axis=1) + rng.standard_normal((600, 6))), 1, 5)
    answers[:, 2] = 6 - answers[:, 2]  # the third item is worded the other way
    items = [f"q{i}" for i in range(6)]
    survey = pd.DataFrame(answers, columns=items).assign(customer_id=range(600))
    instrument = Instrument.from_dict({"name": "t", "items": [
        {"item": f"q{i}", "dimension": "a" if i < 3 else "b", "scale": [1, 5],
         "reverse": i == 2} for i in range(6)]})  # fmt: skip
    keyed = confirmatory_fit(survey, instrument)
    raw = confirmatory_fit(survey, {"a": items[:3], "b": items[3:]})
    assert keyed.chi2 == pytest.approx(raw.chi2, rel=1e-6)
    assert keyed.loadings.loc["q2", "std_loading"] > 0 > raw.loadings.loc["q2", "std_loading"]


def test_invariance_holds_for_groups_drawn_from_one_population():
    rng = np.random.default_rng(1)
    n = 1200
    factor = rng.standard_normal((n, 2))
    data = factor.repeat(3, axis=1) * [0.9, 0.7, 0.8, 0.9, 0.6, 0.8] + 0.6 * rng.standard_normal(
        (n, 6)
    )
    survey = pd.DataFrame(data, columns=[f"q{i}" for i in range(6)])
    model = {"a": ["q0", "q1", "q2"], "b": ["q3", "q4", "q5"]}
    groups = pd.Series(np.where(np.arange(n) % 2 == 0, "north", "south"))
    assert measurement_invariance(survey, model, groups).level == "scalar"
    # shift one item's intercept in one group: scalar invariance must fail
    shifted = survey.copy()
    shifted.loc[groups == "south", "q1"] += 1.0
    ladder = measurement_invariance(shifted, model, groups)
    assert ladder.level == "metric"
    assert ladder.steps.loc["scalar", "p_value"] < 1e-6


def test_bad_inputs_are_named(hs):
    with pytest.raises(ValueError, match=r"items \['x10'\] are not columns"):
        confirmatory_fit(hs, {"visual": ["x1", "x10"]})
    with pytest.raises(ValueError, match=r"items \['x2'\] are in more than one dimension"):
        confirmatory_fit(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x2", "x7", "x8"]})
    with pytest.raises(ValueError, match=r"items \['x1'\] hold infinite values"):
        confirmatory_fit(hs.assign(x1=np.inf), HS_MODEL)
    with pytest.raises(ValueError, match=r"items \['school'\] are not numbers"):
        confirmatory_fit(hs, {"visual": ["x1", "x2", "school"]})
    with pytest.raises(ValueError, match=r"two items or more per dimension; \['speed'\]"):
        confirmatory_fit(hs, {"visual": ["x1", "x2"], "speed": ["x7"]})
    with pytest.raises(ValueError, match=r"each with more respondents than the 9 items.*'x'"):
        groups = hs["school"].where(hs.index > 3, "x")
        measurement_invariance(hs, HS_MODEL, groups)
    with pytest.raises(TypeError, match="expected a Series or mapping"):
        measurement_invariance(hs, HS_MODEL, ["a"] * len(hs))


def test_configural_chi2_is_the_sum_of_each_groups_own_fit(hs):
    ladder = measurement_invariance(hs, HS_MODEL, hs["school"])
    own = [confirmatory_fit(hs[hs["school"] == s], HS_MODEL).chi2 for s in ladder.groups.index]
    assert ladder.steps.loc["configural", "chi2"] == pytest.approx(sum(own), rel=1e-7)


def test_the_ladder_only_climbs_on_a_large_instrument_in_three_groups():
    # 28 items in 7 correlated dimensions, three groups, one of them answering two items
    # higher: each step holds more equal, so its chi-square can only grow (a fit stopped
    # early would break this), and the shifted intercepts break scalar invariance.
    rng = np.random.default_rng(5)
    n, dims = 2400, 7
    mixing = np.eye(dims) + 0.3
    needs = rng.standard_normal((n, dims)) @ np.linalg.cholesky(mixing / mixing[0, 0]).T
    loadings = rng.uniform(0.6, 0.9, size=dims * 4)
    data = needs.repeat(4, axis=1) * loadings + 0.6 * rng.standard_normal((n, dims * 4))
    group = np.array(["north", "centre", "south"])[np.arange(n) % 3]
    data[group == "south", 1] += 0.5
    data[group == "south", 9] -= 0.5
    items = [f"q{i}" for i in range(dims * 4)]
    model = {f"need{d}": items[4 * d : 4 * d + 4] for d in range(dims)}
    ladder = measurement_invariance(pd.DataFrame(data, columns=items), model, pd.Series(group))
    assert ladder.steps["chi2"].is_monotonic_increasing
    assert (ladder.steps["delta_chi2"].dropna() > 0).all()
    assert ladder.steps.loc["configural", "cfi"] > 0.99
    assert ladder.level == "metric"


def test_a_map_that_fails_group_by_group_is_untestable():
    from persona.datasets import load_bfi

    bfi = load_bfi()  # the five-factor map fits bfi poorly (CFI 0.77), as is well known
    gender = bfi.demographics.set_index("customer_id")["gender"]
    ladder = measurement_invariance(bfi.survey, bfi.instrument, gender)
    assert ladder.level == "untestable"
    assert ladder.steps.loc["configural", "cfi"] < 0.9
    assert ladder.steps.loc[["metric", "scalar"], "chi2"].isna().all()


def test_items_without_common_variance_are_refused_quickly_and_named():
    rng = np.random.default_rng(2)
    items = [f"q{i}" for i in range(9)]
    noise = pd.DataFrame(rng.standard_normal((800, 9)), columns=items)
    model = {"a": items[:3], "b": items[3:6], "c": items[6:]}
    with pytest.raises(ValueError, match=r"no more correlated than chance .* no common factor"):
        confirmatory_fit(noise, model)
    with pytest.raises(ValueError, match=r"items \['q0'\] have one answer only"):
        confirmatory_fit(noise.assign(q0=1.0), model)


# --------------------------------------------------------------------------- the house (issue 22)


def test_a_wrong_map_is_a_config_error_and_unusable_answers_a_persona_error(hs):
    with pytest.raises(ConfigError, match=r"items \['x10'\] are not columns"):
        confirmatory_fit(hs, {"visual": ["x1", "x10"]})
    with pytest.raises(ConfigError, match="Got instrument of type list"):
        confirmatory_fit(hs, ["x1", "x2"])
    with pytest.raises(PersonaError, match=r"items \['school'\] are not numbers"):
        confirmatory_fit(hs, {"visual": ["x1", "x2", "school"]})
    with pytest.raises(PersonaError, match=r"only 3 respondents answered all 3 items"):
        confirmatory_fit(hs.head(3), {"visual": ["x1", "x2", "x3"]})
