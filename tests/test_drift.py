"""Drift of tonight's customers from the training reference: PSI, shares, flags, counts."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from persona.datasets import make_customers
from persona.drift import (
    DriftAccumulator,
    DriftThresholds,
    drift_reference,
    population_stability_index,
)
from persona.errors import ArtifactError, ConfigError, InputError
from persona.features.builder import FeatureBuilder

_GROUPS = ("psychographic__", "behaviour__", "emotion__", "available__")


def _features(builder, data):
    raw = builder.compute(events=data.events, survey=data.survey, emotions=data.emotions)
    return raw.loc[:, raw.columns.str.startswith(_GROUPS)]


def _scores(features, truth):
    """A deterministic stand-in for the model: the true persona, -1 for the barely seen,
    and more confidence with more signals."""
    persona = truth.reindex(features.index).to_numpy().copy()
    persona[features["behaviour__touchpoints"].to_numpy() <= 2] = -1
    confidence = (
        0.5
        + 0.3 * features["available__psychographic"].to_numpy()
        + 0.15 * features["available__emotion"].to_numpy()
    )
    return pd.DataFrame({"persona_id": persona, "confidence": confidence}, index=features.index)


@pytest.fixture(scope="module")
def training():
    data = make_customers(n_customers=5_000, random_state=0)
    builder = FeatureBuilder(instrument=data.instrument).fit(
        events=data.events, survey=data.survey, emotions=data.emotions
    )
    features = _features(builder, data)
    return builder, features, _scores(features, data.truth)


@pytest.fixture(scope="module")
def reference(training):
    _, features, scores = training
    return drift_reference(features, scores)


@pytest.fixture(scope="module")
def tonight(training):
    """A fresh sample of the same kind of base: no drift but sampling noise."""
    builder = training[0]
    data = make_customers(n_customers=4_000, random_state=1)
    features = _features(builder, data)
    return features, _scores(features, data.truth)


# ---------------------------------------------------------------------- exact values


def test_psi_floors_empty_bins_instead_of_infinity():
    psi = population_stability_index([0.5, 0.5, 0.0], [0.5, 0.25, 0.25])
    by_hand = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert psi == pytest.approx(by_hand, rel=1e-12)
    assert population_stability_index([0.2, 0.8], [0.2, 0.8]) == 0.0


def test_reference_and_report_match_a_hand_computed_example():
    train = pd.DataFrame(
        {"behaviour__x": [1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, np.nan], "available__behaviour": 1.0},
        index=pd.RangeIndex(10, name="customer_id"),
    )
    train_scores = pd.DataFrame(
        {"persona_id": [0] * 5 + [1] * 4 + [-1], "confidence": [0.8] * 10}, index=train.index
    )
    reference = drift_reference(train, train_scores, bins=4)
    summary = reference["features"]["behaviour__x"]
    assert summary == {"edges": [2.75, 4.5, 6.25], "expected": [0.25] * 4, "missing": 0.2}
    assert reference["personas"] == {"-1": 0.1, "0": 0.5, "1": 0.4}
    assert reference["coverage"] == {"behaviour": 1.0}
    assert (reference["n_customers"], reference["unassigned_rate"]) == (10, 0.1)

    # Bins [<2.75, <4.5, <6.25, rest] + missing: tonight 1 | 3 | 1 | 4 and 1 missing of 10.
    now = train.assign(behaviour__x=[1.0, 3, 3, 4, 5, 7, 8, 8, 8, np.nan])
    now_scores = train_scores.assign(persona_id=[0] * 3 + [1] * 7, confidence=[0.5] * 10)
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


def test_discrete_and_constant_features_bin_consistently():
    train = pd.DataFrame({"behaviour__k": [0.0] * 8 + [1.0, 2.0], "behaviour__c": 3.0})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 1.0}, index=train.index)
    reference = drift_reference(train, scores)
    assert reference["features"]["behaviour__c"] == {
        "edges": [3.0],
        "expected": [0.0, 1.0],
        "missing": 0.0,
    }
    same = DriftAccumulator(reference).update(train, scores).report()
    assert same.features["psi"].tolist() == [0.0, 0.0]
    lower = train.assign(behaviour__c=2.0)  # below every training value: a bin of its own
    moved = DriftAccumulator(reference).update(lower, scores).report().features
    assert moved.set_index("feature").loc["behaviour__c", "status"] == "major"


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


# ---------------------------------------------------------------------- counting


def test_chunks_merges_and_saved_state_give_the_same_report(reference, tonight):
    features, scores = tonight
    whole = DriftAccumulator(reference).update(features, scores).report().to_dict()

    stored = json.loads(json.dumps(reference))  # as kept in a manifest
    order = np.random.default_rng(0).permutation(len(features))
    parts = [order[:700], order[700:2900], order[2900:]]
    chunks = [
        DriftAccumulator(stored).update(features.iloc[rows], scores.iloc[rows]) for rows in parts
    ]
    merged = chunks[2].merge(chunks[0]).merge(chunks[1])
    assert merged.report().to_dict() == whole

    resumed = DriftAccumulator.from_state(stored, json.loads(json.dumps(chunks[0].to_state())))
    for rows in (parts[2], parts[1]):
        resumed.update(features.iloc[rows], scores.iloc[rows])
    assert resumed.n_customers == len(features)
    assert resumed.report().to_dict() == whole


def test_reference_is_deterministic_and_json_able(training, reference):
    _, features, scores = training
    assert json.loads(json.dumps(reference)) == reference
    assert drift_reference(features.sample(frac=1.0, random_state=0), scores) == reference
    assert "response__acquiescence" not in reference["features"]
    assert set(reference["coverage"]) == {"psychographic", "behaviour", "emotion"}


def test_columns_order_and_extra_columns_do_not_matter(reference, tonight):
    features, scores = tonight
    shuffled = features[features.columns[::-1]].assign(response__extra=1.0)
    first = DriftAccumulator(reference).update(features, scores).report().to_dict()
    assert DriftAccumulator(reference).update(shuffled, scores).report().to_dict() == first


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


# ---------------------------------------------------------------------- errors


def test_a_missing_column_is_named(reference, tonight):
    features, scores = tonight
    lacking = features.drop(columns=["behaviour__recency", "emotion__valence_mean"])
    with pytest.raises(InputError, match=r"2 column\(s\) the drift reference tracks are absent"):
        DriftAccumulator(reference).update(lacking, scores)
    with pytest.raises(InputError, match="behaviour__recency"):
        DriftAccumulator(reference).update(lacking, scores)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f, s: (f.to_numpy(), s), TypeError, "features: expected a pandas DataFrame"),
        (lambda f, s: (f, s["persona_id"]), TypeError, "scores: expected a pandas DataFrame"),
        (lambda f, s: (f, s[["persona_id"]]), InputError, r"lack the column\(s\) \['confidence'\]"),
        (lambda f, s: (f, s.assign(confidence=1.5)), InputError, r"outside \[0, 1\]"),
        (lambda f, s: (f, s.assign(persona_id=0.5)), InputError, "not whole numbers"),
        (lambda f, s: (f, s.iloc[1:]), InputError, "the customers differ from those of features"),
        (lambda f, s: (f.assign(behaviour__T="x"), s), InputError, "are not numeric"),
        (lambda f, s: (f.assign(behaviour__T=np.inf), s), InputError, "hold infinite values"),
    ],
)
def test_bad_chunks_get_clear_errors(reference, tonight, change, error, message):
    features, scores = change(*tonight)
    with pytest.raises(error, match=message):
        DriftAccumulator(reference).update(features, scores)


def test_references_and_states_are_checked(reference, tonight):
    with pytest.raises(ValueError, match=r"not a drift reference\. Build it once"):
        DriftAccumulator({"features": {}})
    with pytest.raises(ValueError, match="bins=1, but expected an integer of at least 2"):
        drift_reference(*tonight, bins=1)
    other = drift_reference(*tonight)
    with pytest.raises(ValueError, match="counted against another reference|another reference"):
        DriftAccumulator.from_state(reference, DriftAccumulator(other).to_state())
    with pytest.raises(ValueError, match="Cannot merge counts made against another"):
        DriftAccumulator(reference).merge(DriftAccumulator(other))
    with pytest.raises(ValueError, match=r"No customers were counted: call update"):
        DriftAccumulator(reference).report()


def test_errors_belong_to_the_family_that_names_what_to_fix(reference, tonight):
    """A damaged or foreign reference or state is an ArtifactError; a wrong argument or call,
    a ConfigError (a TypeError too, so a wrong type caught as one still is)."""
    features, scores = tonight
    other = drift_reference(features, scores)
    counted = DriftAccumulator(reference).update(features, scores)
    with pytest.raises(ArtifactError, match="not a drift reference"):
        DriftAccumulator({"features": {}})
    with pytest.raises(ArtifactError, match="damaged or of another version"):
        DriftAccumulator({**reference, "format_version": 99})
    with pytest.raises(ArtifactError, match="not drift counts"):
        DriftAccumulator.from_state(reference, {"format": "something else"})
    with pytest.raises(ArtifactError, match="another reference"):
        DriftAccumulator.from_state(reference, DriftAccumulator(other).to_state())
    with pytest.raises(ArtifactError, match="on another scale"):
        DriftAccumulator.from_state(reference, {**counted.to_state(), "confidence_scale": 100})
    with pytest.raises(ArtifactError, match="Cannot merge counts"):
        counted.merge(DriftAccumulator(other))
    for wrong in (True, 2.0, np.bool_(True)):  # whole numbers only, and a bool is none
        with pytest.raises(ConfigError, match="expected an integer of at least 2"):
            drift_reference(features, scores, bins=wrong)
    assert drift_reference(features, scores, bins=np.int64(10)) == other
    with pytest.raises(ConfigError, match="but expected a DriftAccumulator"):
        counted.merge(reference)
    with pytest.raises(ConfigError, match="No customers were counted"):
        DriftAccumulator(reference).report()
    with pytest.raises(ConfigError, match="features: expected a pandas DataFrame") as caught:
        DriftAccumulator(reference).update(features.to_numpy(), scores)
    assert isinstance(caught.value, TypeError)
    with pytest.raises(ConfigError, match="Got confidence_drop='high'"):
        DriftThresholds(confidence_drop="high")
    with pytest.raises(ConfigError, match="expected a share in \\[0, 1\\]"):
        DriftThresholds(major_feature_share=1.5)
    with pytest.raises(ConfigError, match=r"shapes \(2,\) and \(3,\)"):
        population_stability_index([0.5, 0.5], [0.2, 0.3, 0.5])


def test_the_html_page_stands_on_the_shared_page_and_style_sheet(tmp_path):
    train = pd.DataFrame({"behaviour__x": np.arange(20.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    counted = DriftAccumulator(drift_reference(train, scores)).update(train, scores)
    path = counted.report(DriftThresholds(min_customers=1)).to_html(tmp_path / "drift.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert "<title>Persona drift report</title>" in page and page.endswith("</html>\n")
    style = page[page.index("<style>") : page.index("</style>")]
    assert "max-width: 1000px" in style and ".verdict.refit { background: #fde2e1; }" in style
    assert "td, th { padding: 0.2em 0.8em;" in style
    assert "<p class='verdict ok'>No refit needed" in page
    assert "<li>none</li>" in page and "<h2>Flagged features</h2>\n<p>none</p>" in page
