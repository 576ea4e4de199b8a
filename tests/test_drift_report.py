"""persona.drift._report: tonight against the reference (PSI, shares, flags), the verdict on a
refit, the thresholds behind it, and the report as JSON, text and HTML."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from helpers_drift import hand_computed_example

from persona.drift import DriftAccumulator, DriftThresholds, drift_reference

# ---------------------------------------------------------------------- exact values


def test_reference_and_report_match_a_hand_computed_example():
    train, train_scores, now, now_scores = hand_computed_example()
    reference = drift_reference(train, train_scores, bins=4)
    summary = reference["features"]["behaviour__x"]
    assert summary == {"edges": [2.75, 4.5, 6.25], "expected": [0.25] * 4, "missing": 0.2}
    assert reference["personas"] == {"-1": 0.1, "0": 0.5, "1": 0.4}
    assert reference["coverage"] == {"behaviour": 1.0}
    assert (reference["n_customers"], reference["unassigned_rate"]) == (10, 0.1)

    # Bins [<2.75, <4.5, <6.25, rest] + missing: tonight 1 | 3 | 1 | 4 and 1 missing of 10.
    report = DriftAccumulator(reference).update(now, now_scores).report()
    # Reference: 0.2 in each of the five; tonight 0.1, 0.1, 0.3, 0.1, 0.4.
    by_hand = 3 * (-0.1 * math.log(0.5)) + 0.1 * math.log(1.5) + 0.2 * math.log(2)
    assert report.features.loc[0, "psi"] == pytest.approx(by_hand, rel=1e-12)
    assert report.features.loc[0, "status"] == "major"
    assert report.personas.to_dict("list") == {
        "persona_id": [-1, 0, 1],
        "reference_share": [0.1, 0.5, 0.4],
        "current_share": [0.0, 0.3, 0.7],
        "shift": [0.0 - 0.1, 0.3 - 0.5, 0.7 - 0.4],
    }
    assert report.mean_confidence == {"reference": 0.8, "current": 0.5, "change": 0.5 - 0.8}


def test_major_and_moderate_features_are_flagged_by_their_psi():
    x = np.arange(20.0)
    train = pd.DataFrame({"behaviour__up": x, "behaviour__some": x, "behaviour__same": x})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    reference = drift_reference(train, scores, bins=4)  # a quarter of the values in each bin
    # Tonight behaviour__some has 2 | 5 | 5 | 8 of 20 in those bins; behaviour__up all in the
    # top bin; behaviour__same the same values in another order.
    some = [0.0, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 19, 19, 19]
    now = pd.DataFrame(
        {"behaviour__up": x + 100, "behaviour__some": some, "behaviour__same": x[::-1]}
    )
    report = (
        DriftAccumulator(reference).update(now, scores).report(DriftThresholds(min_customers=1))
    )
    up = 3 * (1e-4 - 0.25) * math.log(1e-4 / 0.25) + 0.75 * math.log(4)  # empty bins floored
    moderate = 0.15 * math.log(0.25 / 0.1) + 0.15 * math.log(0.4 / 0.25)
    table = report.features.set_index("feature")
    assert table.index.tolist() == ["behaviour__up", "behaviour__some", "behaviour__same"]
    assert table["psi"].tolist() == pytest.approx([up, moderate, 0.0], rel=1e-12)
    assert table["status"].tolist() == ["major", "moderate", "ok"]
    assert report.flags == [
        f"behaviour__up drifted: PSI {up:.2f} (major); missing 0.0% -> 0.0%.",
        f"1 feature(s) shifted moderately (PSI): behaviour__some ({moderate:.2f}).",
    ]
    assert report.refit_recommended  # 1 major of 3 features reaches max(1, ceil(0.1 * 3))
    assert report.verdict == "Refit recommended: 1 of 3 features drifted majorly (refit from 1)."


def test_personas_unassigned_confidence_and_coverage_are_flagged_in_words():
    train = pd.DataFrame({"behaviour__x": np.arange(20.0), "available__emotion": 1.0})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    reference = drift_reference(train, scores)
    now = train.assign(available__emotion=[1.0] * 12 + [0.0] * 8)
    now_scores = scores.assign(persona_id=[0] * 15 + [-1] * 5, confidence=0.6)
    report = (
        DriftAccumulator(reference).update(now, now_scores).report(DriftThresholds(min_customers=1))
    )
    findings = [
        "persona 0 went from 100.0% to 75.0% of customers (-25.0 points)",  # -1 is no persona
        "unassigned customers went from 0.0% to 25.0% (+25.0 points)",
        "mean confidence fell from 0.90 to 0.60 (-0.30)",
        "emotion coverage went from 100.0% to 60.0% of customers (-40.0 points)",
    ]
    assert report.flags == [f[0].upper() + f[1:] + "." for f in findings]
    assert report.verdict == "Refit recommended: " + "; ".join(findings) + "."
    assert report.coverage.to_dict("list") == {
        "signal": ["emotion"],
        "reference": [1.0],
        "current": [0.6],
        "change": [0.6 - 1.0],
    }
    quiet = (
        DriftAccumulator(reference).update(train, scores).report(DriftThresholds(min_customers=1))
    )
    assert (quiet.flags, quiet.refit_recommended) == ([], False)
    assert quiet.verdict == "No refit needed: tonight's customers look like the training customers."


def test_the_text_shows_five_flags_and_counts_the_rest():
    train = pd.DataFrame({f"behaviour__f{i}": np.arange(20.0) for i in range(7)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    report = DriftAccumulator(drift_reference(train, scores)).update(train + 100, scores).report()
    lines = str(report).splitlines()
    assert lines[0] == f"Drift over 20 customers: {report.verdict}"
    assert lines[1:6] == [f"- {flag}" for flag in report.flags[:5]]
    assert lines[6:] == ["- ... and 2 more (see to_html or to_dict)"]
    assert len(report.flags) == 7


# ---------------------------------------------------------------------- real bases


def test_a_fresh_sample_of_the_same_base_stays_quiet(reference, tonight):
    report = DriftAccumulator(reference).update(*tonight).report()
    assert report.n_customers == 4_000
    assert not report.refit_recommended
    assert (report.features["status"] != "major").all()
    assert report.features["psi"].median() < 0.01  # sampling noise only
    assert report.personas["shift"].abs().max() < 0.02
    assert report.verdict.startswith("No refit needed")


def test_a_shifted_base_recommends_a_refit_and_says_why(reference, tonight):
    features, scores = tonight
    features = features.copy()
    features[["behaviour__total_spend", "behaviour__monetary_value"]] *= 3
    event_mix = features.columns[features.columns.str.startswith("behaviour__share_event_")]
    features[event_mix] = 1 - features[event_mix]  # rare event types become common
    surveyed = features.index[features["available__psychographic"] == 1]
    dropped = surveyed[: len(surveyed) * 2 // 3]
    psychographic = features.columns.str.startswith("psychographic__")
    features.loc[dropped, psychographic] = np.nan
    features.loc[dropped, "available__psychographic"] = 0.0
    scores = scores.copy()
    first_persona = scores.index[scores["persona_id"] == 0]
    scores.loc[first_persona[: len(first_persona) // 2], "persona_id"] = 1

    report = DriftAccumulator(reference).update(features, scores).report()
    assert report.refit_recommended
    status = report.features.set_index("feature")["status"]
    assert status["behaviour__total_spend"] == "major"
    assert (status[status.index.str.startswith("psychographic__")] == "major").all()
    text = " ".join(report.flags)
    assert "behaviour__total_spend drifted: PSI" in text
    assert "Persona 0 went from" in text and "Persona 1 went from" in text
    assert "Psychographic coverage went from 30.0% to 10.0%" in text
    assert report.verdict.startswith("Refit recommended: ")
    n_features, majors = len(status), int((status == "major").sum())
    needed = DriftThresholds().major_features_needed(n_features)
    assert majors >= needed
    assert f"{majors} of {n_features} features drifted majorly (refit from {needed})" in (
        report.verdict
    )


def test_one_major_feature_is_flagged_but_alone_does_not_call_for_a_refit(reference, tonight):
    features, scores = tonight
    features = features.assign(behaviour__total_spend=features["behaviour__total_spend"] * 3)
    report = DriftAccumulator(reference).update(features, scores).report()
    assert report.features.loc[0, "feature"] == "behaviour__total_spend"
    assert report.features.loc[0, "status"] == "major"
    assert not report.refit_recommended
    assert report.verdict.startswith("No refit needed; ")
    strict = DriftThresholds(major_feature_share=0.0)
    assert DriftAccumulator(reference).update(features, scores).report(strict).refit_recommended


def test_too_few_customers_tonight_recommends_nothing(reference, tonight):
    features, scores = tonight
    scores = scores.iloc[:300].assign(persona_id=1)  # a glaring shift, on 300 customers
    report = DriftAccumulator(reference).update(features.iloc[:300], scores).report()
    assert not report.refit_recommended and report.flags
    assert report.verdict.startswith("Too few customers to judge: 300 counted, 1,000 needed")


def test_thresholds_name_the_bad_parameter():
    assert DriftThresholds().major_features_needed(83) == 9
    assert DriftThresholds().major_features_needed(30) == 3  # not 4 from 0.1 * 30 in floats
    with pytest.raises(ValueError, match="Got psi_major=-1, but expected a non-negative"):
        DriftThresholds(psi_major=-1)
    with pytest.raises(ValueError, match="psi_moderate <= psi_major"):
        DriftThresholds(psi_moderate=0.3, psi_major=0.2)


# ---------------------------------------------------------------------- output


def test_json_and_html_outputs(tmp_path, reference, tonight):
    report = DriftAccumulator(reference).update(*tonight).report()
    with open(report.to_json(tmp_path / "drift.json"), encoding="utf-8") as stream:
        assert json.load(stream) == report.to_dict()

    train = pd.DataFrame({"behaviour__<b>spend</b>": np.arange(20.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    odd = DriftAccumulator(drift_reference(train, scores)).update(train + 100, scores).report()
    page = odd.to_html(tmp_path / "drift.html").read_text(encoding="utf-8")
    assert "behaviour__&lt;b&gt;spend&lt;/b&gt;" in page and "<b>spend" not in page
    assert f"<p class='verdict look'>{odd.verdict}</p>" in page
    assert "<script" not in page and "http" not in page
    assert str(odd).startswith("Drift over 20 customers: Too few customers to judge")
