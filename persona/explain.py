"""Why a customer got their persona: exact reason codes and counterfactuals.

The assigner scores a customer with a linear model of their signal pattern,
so its decision between the chosen persona and the runner-up is a sum:
``logit(chosen) - logit(runner-up) = sum_j (w_chosen,j - w_runner,j) * z_j +
(b_chosen - b_runner)`` over the standardised features ``z`` the customer has.
Each term is a feature's exact contribution -- no sampling, no approximation.
A counterfactual is the smallest change (in standard deviations of the base)
of the chosen features that makes the model prefer another persona.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from persona.assign import UNASSIGNED, Assigner, labels_from_proba

__all__ = ["Contributions", "contributions", "counterfactual_row"]


@dataclass(frozen=True)
class Contributions:
    """Per customer: the decision and each feature's share of it (NaN: not used)."""

    label: np.ndarray  # persona index or -1 (unassigned), as predict gives
    chosen: np.ndarray  # persona index the linear model prefers (-1: no signal)
    runner_up: np.ndarray  # second-preferred persona index (-1: none)
    confidence: np.ndarray  # probability of ``label``
    margin: np.ndarray  # logit(chosen) - logit(runner_up)
    intercept: np.ndarray  # b_chosen - b_runner_up
    values: np.ndarray  # (customers, features) contributions


def contributions(assigner: Assigner, X: np.ndarray) -> Contributions:
    """Exact contributions of every feature to each customer's decision."""
    X = np.asarray(X, dtype=np.float64)
    n, k = len(X), assigner.n_personas_
    proba = assigner.predict_proba(X)
    label = labels_from_proba(proba)
    confidence = proba[np.arange(n), np.where(label == UNASSIGNED, k, label)]
    chosen = np.full(n, -1)
    runner = np.full(n, -1)
    margin = np.zeros(n)
    intercept = np.zeros(n)
    values = np.full(X.shape, np.nan)
    has = assigner.availability(X)
    names = list(assigner.groups)
    codes = has @ (1 << np.arange(has.shape[1]))
    for code in np.unique(codes):
        if code == 0:
            continue
        rows = np.flatnonzero(codes == code)
        model = assigner._model_for(tuple(g for i, g in enumerate(names) if code >> i & 1))
        part = X[np.ix_(rows, model.columns)]
        part = np.where(np.isnan(part), assigner.median_[model.columns], part)
        z = (part - model.mean) / model.scale
        logits = (z[:, None, :] * model.coef[None]).sum(axis=2) + model.intercept
        order = np.argsort(-logits, axis=1, kind="stable")
        best = order[:, 0]
        second = order[:, 1] if k > 1 else best
        delta = model.coef[best] - model.coef[second]
        terms = delta * z
        chosen[rows], runner[rows] = best, second if k > 1 else -1
        intercept[rows] = model.intercept[best] - model.intercept[second] if k > 1 else 0.0
        intercept[rows] = np.nan_to_num(intercept[rows], nan=0.0, posinf=0.0, neginf=0.0)
        margin[rows] = terms.sum(axis=1) + intercept[rows]
        values[np.ix_(rows, model.columns)] = terms
    return Contributions(label, chosen, runner, confidence, margin, intercept, values)


def counterfactual_row(
    assigner: Assigner,
    x: np.ndarray,
    target: int,
    allowed: Sequence[int],
    *,
    margins: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
) -> np.ndarray | None:
    """The smallest change of the ``allowed`` columns of ``x`` that assigns it to ``target``.

    Smallest in the assigner's standardised units (standard deviations of the
    customers it learned from), within the range of values it learned from
    (a share stays a share). The change is found for the customer's own
    signal pattern, then checked by scoring the changed row; it is pushed a
    little further past the boundary (``margins``, in logits) until the
    assigner agrees. Returns the changed row, or None if no change of those
    columns reaches the persona.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    has = assigner.availability(x[None])[0]
    pattern = tuple(g for g, h in zip(assigner.groups, has, strict=True) if h)
    if not pattern:
        return None
    model = assigner._model_for(pattern)
    free = np.flatnonzero(np.isin(model.columns, np.asarray(allowed)))
    if len(free) == 0 or not np.isfinite(model.intercept[target]):
        return None
    filled = np.where(np.isnan(x[model.columns]), assigner.median_[model.columns], x[model.columns])
    z0 = (filled - model.mean) / model.scale
    others = [j for j in range(assigner.n_personas_) if j != target]
    others = [j for j in others if np.isfinite(model.intercept[j])]
    # Changes stay within the values the assigner learned from (a share stays in [0, 1]).
    columns = model.columns[free]
    low = (assigner.low_[columns] - model.mean[free]) / model.scale[free] - z0[free]
    high = (assigner.high_[columns] - model.mean[free]) / model.scale[free] - z0[free]
    bounds = list(zip(np.minimum(low, 0.0), np.maximum(high, 0.0), strict=True))
    gaps = model.coef[target] - model.coef[others]  # (others, columns)
    offsets = model.intercept[target] - model.intercept[others]
    for margin in margins:

        def constraint(step: np.ndarray, margin: float = margin) -> np.ndarray:
            z = z0.copy()
            z[free] += step
            return gaps @ z + offsets - margin

        found = minimize(
            lambda step: float(step @ step),
            np.zeros(len(free)),
            jac=lambda step: 2 * step,
            constraints=[{"type": "ineq", "fun": constraint, "jac": lambda s: gaps[:, free]}],
            bounds=bounds,
            method="SLSQP",
        )
        if not found.success:
            continue
        changed = x.copy()
        z = z0.copy()
        z[free] += found.x
        changed[model.columns[free]] = z[free] * model.scale[free] + model.mean[free]
        if assigner.predict(changed[None])[0] == target:
            return changed
    return None


def reasons_table(
    found: Contributions,
    feature_names: Sequence[str],
    raw: pd.DataFrame,
    *,
    top: int,
) -> list[list[dict]]:
    """The ``top`` features by absolute contribution, per customer, as plain records."""
    from persona.profiles import trait_label

    magnitude = np.nan_to_num(np.abs(found.values), nan=-1.0)
    order = np.argsort(-magnitude, axis=1, kind="stable")[:, :top]
    raw_values = raw.to_numpy(dtype=np.float64)
    records = []
    for i, columns in enumerate(order):
        row = []
        for j in columns:
            value = found.values[i, j]
            if np.isnan(value):
                continue
            row.append(
                {
                    "feature": feature_names[j],
                    "trait": trait_label(feature_names[j]),
                    "value": float(np.round(raw_values[i, j], 10)),
                    "contribution": float(value),
                    "direction": "toward" if value > 0 else "away",
                }
            )
        records.append(row)
    return records
