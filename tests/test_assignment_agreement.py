"""The assignment report: agreement with discovery by signals and by evidence, and the
reliability of the confidence, from the session's ``assignment_report``."""

import numpy as np
import pandas as pd
import pytest

from persona.assignment._agreement import _confidence_bin
from persona.assignment._evidence import EVIDENCE_BINS


def test_the_assignment_report_says_what_confidence_means(assignment_report):
    report = assignment_report
    agreement = report.agreement
    full = agreement.loc["psychographic + behaviour + emotion"]
    assert full["agreement"] >= 0.95 and full["customers"] > 500
    assert agreement.loc["behaviour", "agreement"] < full["agreement"]
    # honest confidence: on average it matches how often the assigner is right
    gap = (agreement["mean_confidence"] - agreement["agreement"]).abs()
    assert (gap < 0.1).all()
    curve = report.calibration[report.calibration["signals"] == "behaviour"]
    top, rest = curve.iloc[-1], curve.iloc[:-1]
    assert (
        top["agreement"] > (rest["agreement"] * rest["customers"]).sum() / rest["customers"].sum()
    )


# --------------------------------------------------------------------------- new


def test_a_confidence_falls_in_its_tenth():
    confidence = np.array([0.0, 0.05, 0.1, 0.1999, 0.2, 0.55, 0.9, 0.999, 1.0])
    # an edge opens the tenth above it; 1.0 closes the last tenth
    assert _confidence_bin(confidence).tolist() == [0, 0, 1, 1, 2, 5, 9, 9, 9]


def test_agreement_by_signals_has_its_columns_and_shares(assignment_report, persona_model):
    agreement = assignment_report.agreement
    assert agreement.index.name == "signals"
    assert agreement.columns.tolist() == ["customers", "agreement", "mean_confidence"]
    patterns = {" + ".join(p): p for p in persona_model.assigner_.all_patterns()}
    assert set(agreement.index) <= set(patterns)
    assert "psychographic + behaviour + emotion" in agreement.index
    assert agreement["agreement"].between(0, 1).all()
    assert agreement["mean_confidence"].between(0, 1).all()
    # each row holds the labelled discovery customers who have (at least) those signals
    discovery = persona_model.fitted_.discovery
    known = persona_model.fitted_.discovery_labels() >= 0
    has = persona_model.assigner_.availability(discovery.values[known])
    names = list(persona_model.assigner_.groups)
    for signals, row in agreement.iterrows():
        columns = [names.index(g) for g in patterns[signals]]
        assert row["customers"] == has[:, columns].all(axis=1).sum(), signals


def test_the_reliability_curve_splits_each_row_by_confidence(assignment_report):
    agreement, curve = assignment_report.agreement, assignment_report.calibration
    # (reset_index puts the bin before the signals inserted first)
    assert curve.columns.tolist() == ["bin", "signals", "customers", "confidence", "agreement"]
    assert set(curve["signals"]) == set(agreement.index)
    assert curve["bin"].between(0, 9).all() and curve["agreement"].between(0, 1).all()
    # a tenth's mean confidence lies in that tenth
    assert (curve["confidence"] >= curve["bin"] / 10 - 1e-12).all()
    assert (curve["confidence"] <= (curve["bin"] + 1) / 10 + 1e-12).all()
    counted = curve.groupby("signals")["customers"].sum().loc[agreement.index]
    pd.testing.assert_series_equal(counted, agreement["customers"], check_dtype=False)
    weighted = (
        curve.assign(
            right=curve["agreement"] * curve["customers"],
            sure=curve["confidence"] * curve["customers"],
        )
        .groupby("signals")[["right", "sure"]]
        .sum()
        .loc[agreement.index]
    )
    total = agreement["customers"]
    np.testing.assert_allclose(weighted["right"] / total, agreement["agreement"], rtol=1e-12)
    np.testing.assert_allclose(weighted["sure"] / total, agreement["mean_confidence"], rtol=1e-12)


def test_agreement_by_evidence_has_its_bins_in_order(assignment_report):
    evidence, curve = assignment_report.evidence, assignment_report.evidence_calibration
    assert evidence.columns.tolist() == [
        "survey", "touchpoints", "records", "agreement", "mean_confidence", "ece",
    ]  # fmt: skip
    assert len(evidence) > 0
    rank = [
        (survey == "without", EVIDENCE_BINS.index(bin_))
        for survey, bin_ in zip(evidence["survey"], evidence["touchpoints"], strict=True)
    ]
    assert rank == sorted(rank) and len(set(rank)) == len(rank)
    for column in ("agreement", "mean_confidence", "ece"):
        assert evidence[column].between(0, 1).all(), column
    # the expected calibration error: the records' mean gap between confidence and agreement
    keyed = evidence.set_index(["survey", "touchpoints"])
    gap = (curve["confidence"] - curve["agreement"]).abs() * curve["records"]
    groups = [curve["survey"], curve["touchpoints"]]
    np.testing.assert_array_equal(
        curve.groupby(groups)["records"].sum().loc[keyed.index], keyed["records"]
    )
    np.testing.assert_allclose(
        gap.groupby(groups).sum().loc[keyed.index] / keyed["records"], keyed["ece"], rtol=1e-12
    )


def test_a_fold_count_that_cannot_cross_validate_is_named(persona_model):
    from persona.assignment import assignment_report
    from persona.errors import ConfigError

    for bad in (1, 0, True, 2.5):
        with pytest.raises(ConfigError, match=rf"^Got cv={bad!r}, but expected a whole number"):
            assignment_report(persona_model, cv=bad)
