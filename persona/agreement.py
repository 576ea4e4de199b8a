"""What an assignment's confidence means: agreement with discovery, by available signals.

A service sees customers with different signals: some answered the survey,
most only left touchpoints. :func:`assignment_report` measures, by stratified
cross-validation on the discovery customers, how often the distilled
assigner reproduces the discovered persona when it only sees a given
combination of signals, and how its confidence relates to being right (a
reliability curve): the confidence a service reads is then a number with a
known meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from persona.assign import Assigner

__all__ = ["AssignmentReport", "assignment_report"]

_BINS = np.linspace(0.0, 1.0, 11)


@dataclass(frozen=True)
class AssignmentReport:
    """Cross-validated agreement by signal combination, and the reliability curve."""

    agreement: pd.DataFrame  # by signals: customers, agreement, mean confidence
    calibration: pd.DataFrame  # by signals and confidence bin: customers, confidence, agreement


def assignment_report(model: Any, *, cv: int = 5, random_state: int = 0) -> AssignmentReport:
    """Agreement of the assigner with the discovered personas, by the signals it sees.

    For each combination of feature groups the model has (all of them, then
    each smaller one), the discovery customers who have those signals are
    split into ``cv`` stratified folds; an assigner learned on the other
    folds scores each held-out customer from those signals only (the other
    groups hidden), and its persona is compared with the discovered one.
    """
    values = model._discovery["values"]
    labels = model._labels[model._discovery["rows"]]
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
            assigner = Assigner(groups, C=model.assigner_.C, max_distance=model.max_distance)
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
        bins = np.clip(np.digitize(confidence, _BINS[1:-1]), 0, len(_BINS) - 2)
        curve = pd.DataFrame({"bin": bins, "confidence": confidence, "right": right})
        summary = curve.groupby("bin").agg(
            customers=("right", "size"), confidence=("confidence", "mean"),
            agreement=("right", "mean"),
        )  # fmt: skip
        summary.insert(0, "signals", label)
        curves.append(summary.reset_index())
    agreement = pd.DataFrame(rows).set_index("signals")
    calibration = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()
    return AssignmentReport(agreement, calibration)
