"""What an assignment's confidence means: agreement with discovery, by available signals.

A service sees customers with different signals: some answered the survey,
most only left touchpoints. :func:`assignment_report` measures, by stratified
cross-validation on the discovery customers, how often the distilled
assigner reproduces the discovered persona when it only sees a given
combination of signals, and how its confidence relates to being right (a
reliability curve): the confidence a service reads is then a number with a
known meaning. The same is measured by *evidence*: how many touchpoints a
record holds (1, 2-3, 4-10, 11+) with and without the survey, on the held-out
discovery customers' whole records and their journeys cut to the first
touchpoints (see :mod:`persona.assignment._evidence`), which is where a confidence is most
easily overstated. It reads the model's discovery rows (``model.fitted_``) and fits
assigners of its own; it writes nothing on the model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from persona._validate import check_whole
from persona.assignment._assigner import Assigner
from persona.assignment._evidence import EVIDENCE_BINS

__all__ = ["AssignmentReport", "assignment_report"]

_BINS = np.linspace(0.0, 1.0, 11)


def _confidence_bin(confidence: Any) -> np.ndarray:
    """The reliability curve's bin of each confidence: 0..9, tenths of [0, 1]."""
    return np.clip(np.digitize(confidence, _BINS[1:-1]), 0, len(_BINS) - 2)


@dataclass(frozen=True)
class AssignmentReport:
    """Cross-validated agreement by signal combination, and the reliability curve.

    ``evidence`` and ``evidence_calibration`` say the same by evidence bin
    (``survey``: with / without, ``touchpoints``: 1, 2-3, 4-10, 11+), with the
    expected calibration error (``ece``: the records' mean gap between
    confidence and agreement over ten confidence bins); they are empty for a
    model fitted on a feature matrix, which knows no touchpoints.
    """

    agreement: pd.DataFrame  # by signals: customers, agreement, mean confidence
    calibration: pd.DataFrame  # by signals and confidence bin: customers, confidence, agreement
    evidence: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    evidence_calibration: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def assignment_report(model: Any, *, cv: int = 5, random_state: int = 0) -> AssignmentReport:
    """Agreement of the assigner with the discovered personas, by the signals it sees.

    For each combination of feature groups the model has (all of them, then
    each smaller one), the discovery customers who have those signals are
    split into ``cv`` stratified folds; an assigner learned on the other
    folds scores each held-out customer from those signals only (the other
    groups hidden), and its persona is compared with the discovered one.
    """
    check_whole("cv", cv, low=2)
    values = model.fitted_.discovery.values
    labels = model.fitted_.discovery_labels()
    known = labels >= 0
    values, labels = values[known], labels[known]
    groups = model.assigner_.groups
    has = model.assigner_.availability(values)
    names = list(groups)
    rows, curves = [], []
    for pattern in model.assigner_.all_patterns():
        members = has[:, [names.index(g) for g in pattern]].all(axis=1)
        hidden = np.concatenate([groups[g] for g in names if g not in pattern] or [[]]).astype(int)
        X, y = values[members].copy(), labels[members]
        if len(np.unique(y)) < 2 or np.bincount(y).min(initial=len(y)) < cv:
            continue
        X[:, hidden] = np.nan
        predicted, confidence = np.empty(len(y), dtype=np.int64), np.empty(len(y))
        folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        for train, test in folds.split(X, y):
            calibrate = model.assigner_.__dict__.get("calibrate", False)
            assigner = Assigner(groups, C=model.assigner_.C, max_distance=model.max_distance,
                                calibrate=calibrate)  # fmt: skip
            assigner.fit(X[train], y[train], patterns=[pattern])
            proba = assigner.predict_proba(X[test])[:, :-1]
            predicted[test] = np.argmax(proba, axis=1)
            confidence[test] = proba.max(axis=1)
        right = predicted == y
        label = " + ".join(pattern)
        rows.append(
            {"signals": label, "customers": len(y), "agreement": right.mean(),
             "mean_confidence": confidence.mean()}
        )  # fmt: skip
        bins = _confidence_bin(confidence)
        curve = pd.DataFrame({"bin": bins, "confidence": confidence, "right": right})
        summary = curve.groupby("bin").agg(
            customers=("right", "size"), confidence=("confidence", "mean"),
            agreement=("right", "mean"),
        )  # fmt: skip
        summary.insert(0, "signals", label)
        curves.append(summary.reset_index())
    columns = ["signals", "customers", "agreement", "mean_confidence"]
    agreement = pd.DataFrame(rows, columns=columns).set_index("signals")
    calibration = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()
    evidence, evidence_curve = _by_evidence(model, cv=cv, random_state=random_state)
    return AssignmentReport(agreement, calibration, evidence, evidence_curve)


def _by_evidence(model: Any, *, cv: int, random_state: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement and reliability by evidence bin, cross-validated over discovery customers."""
    assigner = model.assigner_
    discovery = model.fitted_.discovery
    thin = discovery.thin
    if assigner.__dict__.get("evidence") is None or thin is None:
        return pd.DataFrame(), pd.DataFrame()
    values, labels = discovery.values, discovery.labels
    if np.bincount(labels).min() < cv:  # a persona too small to hold out in every fold
        return pd.DataFrame(), pd.DataFrame()
    setting = {"column": assigner.evidence[0], "edges": assigner.evidence[1].tolist()}
    scored = []
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    for train, test in folds.split(values, labels):
        learner = Assigner(assigner.groups, C=assigner.C, max_distance=model.max_distance,
                           evidence=setting, calibrate=assigner.calibrate)  # fmt: skip
        scored += _held_out_by_evidence(learner, values, labels, thin, train, test)
    frame = pd.concat(scored, ignore_index=True)
    frame["bin"] = _confidence_bin(frame["confidence"])
    keys = ["survey", "touchpoints"]
    curve = frame.groupby([*keys, "bin"]).agg(
        records=("right", "size"), confidence=("confidence", "mean"), agreement=("right", "mean")
    ).reset_index()  # fmt: skip
    gap = (curve["confidence"] - curve["agreement"]).abs() * curve["records"]
    ece = gap.groupby([curve["survey"], curve["touchpoints"]]).sum()
    summary = frame.groupby(keys).agg(
        records=("right", "size"), agreement=("right", "mean"),
        mean_confidence=("confidence", "mean"),
    )  # fmt: skip
    summary["ece"] = ece / summary["records"]
    order = {tag: i for i, tag in enumerate(EVIDENCE_BINS)}
    summary = summary.reset_index()
    rank = summary["survey"].eq("without") * len(order) + summary["touchpoints"].map(order)
    return summary.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True), curve


def _held_out_by_evidence(
    learner: Assigner,
    values: np.ndarray,
    labels: np.ndarray,
    thin: tuple[np.ndarray, np.ndarray],
    train: np.ndarray,
    test: np.ndarray,
) -> list[pd.DataFrame]:
    """``learner`` fitted on a fold's training customers (and their cut records), then its
    confidence and agreement on the held-out ones, with their survey and without."""
    records, owner = thin
    column = learner.evidence[0]
    survey = learner.groups.get("psychographic", np.empty(0, dtype=np.intp))
    learned = np.isin(owner, train)
    # The cut records' owners, as rows of the training fold.
    at = np.searchsorted(train, owner[learned])
    learner.fit(values[train], labels[train], thin=(records[learned], labels[owner[learned]], at))
    held = np.isin(owner, test)
    X = np.vstack([values[test], records[held]])
    truth = np.concatenate([labels[test], labels[owner[held]]])
    scored = []
    for with_survey in (True, False):
        seen = X if with_survey else X.copy()
        if not with_survey:
            seen[:, survey] = np.nan
        has_survey = ~np.isnan(seen[:, survey]).all(axis=1) if len(survey) else False
        proba = learner.predict_proba(seen)
        label = np.argmax(proba, axis=1)
        scored.append(
            pd.DataFrame(
                {
                    "survey": np.where(has_survey, "with", "without"),
                    "touchpoints": np.asarray(EVIDENCE_BINS)[learner._bins(seen[:, column])],
                    "confidence": proba.max(axis=1),
                    "right": label == truth,
                }
            )[~np.isnan(seen[:, column]) & (np.asarray(has_survey) == with_survey)]
        )
    return scored
