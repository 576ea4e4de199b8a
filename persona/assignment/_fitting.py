"""Learning the assigner's models: one logistic model and persona reach per signal pattern.

:meth:`Assigner.fit <persona.assignment._assigner.Assigner.fit>` calls these
functions; they read the assigner's settings (groups, ``C``, evidence) and its
base statistics (medians, centroids), and return the models it keeps. They
touch nothing else: scoring is in :mod:`persona.assignment._score`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression

if TYPE_CHECKING:
    from persona.assignment._assigner import Assigner

__all__ = ["PatternModel", "column_medians", "fit_bins", "fit_pattern", "persona_means"]

MIN_BIN_ROWS = 50  # an evidence bin with fewer rows to learn from uses its pattern's model
CALIBRATION_FOLDS = 5  # folds of the cross-fitted logits a model's temperature is fitted on


@dataclass(frozen=True)
class PatternModel:
    """A multinomial logistic model and the persona reach for one signal pattern."""

    groups: tuple[str, ...]
    columns: np.ndarray  # indices into the feature vector
    mean: np.ndarray  # standardisation of the pattern's columns
    scale: np.ndarray
    coef: np.ndarray  # (personas, columns), on standardised values
    intercept: np.ndarray  # (personas,); -inf for a persona the pattern never saw
    radius: np.ndarray  # (personas,), in the unstandardised (weighted) feature space
    evidence: int = -1  # the evidence bin the model was learned for; -1: every amount
    # Persona centres among the model's own rows, in its standardised units (a thin
    # record's persona sits elsewhere than its whole records, and a feature that barely
    # varies at one touchpoint must count as much as one that varies a lot), and the
    # radius measured there too; None: the assigner's centroids, in the weighted space.
    centres: np.ndarray | None = None


def fit_bins(
    assigner: Assigner,
    X: np.ndarray,
    labels: np.ndarray,
    owner: np.ndarray,
    thin: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    patterns: list[tuple[str, ...]],
) -> dict[tuple[tuple[str, ...], int], PatternModel]:
    """One model per evidence bin for each pattern that holds the evidence column."""
    column, edges = assigner.evidence
    if thin is not None:
        extra, extra_labels = np.asarray(thin[0], dtype=np.float64), np.asarray(thin[1])
        known = extra_labels >= 0
        X = np.vstack([X, extra[known]])
        labels = np.concatenate([labels, extra_labels[known]])
        owner = np.concatenate([owner, np.asarray(thin[2])[known]])
    filled = np.where(np.isnan(X), assigner.median_, X)
    has = assigner.availability(X)
    bins = assigner._bins(X[:, column])
    group = next(g for g, cols in assigner.groups.items() if column in cols)
    names = list(assigner.groups)
    binned = {}
    for pattern in patterns:
        if group not in pattern:
            continue
        holds = has[:, [names.index(g) for g in pattern]].all(axis=1)
        for b in range(len(edges) + 1):
            rows = holds & (bins == b)
            if rows.sum() < MIN_BIN_ROWS:  # too few: the pattern's model speaks for it
                continue
            model = fit_pattern(
                assigner, pattern, filled[rows], labels[rows], own_centres=True,
                groups=owner[rows] if assigner.calibrate else None,
            )  # fmt: skip
            binned[pattern, b] = dataclasses.replace(model, evidence=b)
    return binned


def fit_pattern(
    assigner: Assigner,
    pattern: tuple[str, ...],
    filled: np.ndarray,
    labels: np.ndarray,
    *,
    own_centres: bool = False,
    groups: np.ndarray | None = None,
) -> PatternModel:
    """One pattern's model; with ``groups`` (whose record each row is), its logits are
    tempered to be as sure as they are right on records it did not learn from."""
    columns = np.concatenate([assigner.groups[g] for g in pattern])
    values = filled[:, columns]
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[scale == 0] = 1.0
    z = (values - mean) / scale
    k = assigner.n_personas_
    space, centres = values, assigner.centroids_[:, columns]
    if own_centres:  # reach in the model's standardised units, around its own centres
        space = z
        centres = persona_means(z, labels, k, (centres - mean) / scale)
    present = np.unique(labels)
    coef, intercept = _logistic(assigner.C, k, z, labels)
    if groups is not None and len(present) > 1:
        temperature = _temperature(assigner.C, k, z, labels, groups, start=(coef, intercept))
        coef, intercept = coef / temperature, intercept / temperature
    return PatternModel(
        pattern, columns, mean, scale, coef, intercept, _reach(space, centres, labels, k),
        centres=np.ascontiguousarray(centres) if own_centres else None,
    )  # fmt: skip


def _reach(space: np.ndarray, centres: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Each persona's reach: the distance from its centre within which 99 % of its rows lie
    (a persona the rows never show gets the largest reach of the others)."""
    present = np.unique(labels)
    radius = np.ones(k)
    for persona in range(k):
        members = space[labels == persona]
        if len(members):
            distance = np.sqrt(((members - centres[persona]) ** 2).sum(1))
            radius[persona] = np.quantile(distance, 0.99)
    found = radius[np.isin(np.arange(k), present)]
    radius[~np.isin(np.arange(k), present)] = found.max() if len(found) else 1.0
    radius[radius <= 0] = 1e-12
    return radius


def _logistic(
    C: float,
    k: int,
    z: np.ndarray,
    labels: np.ndarray,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and intercepts for each of ``k`` personas (-inf: one the rows never show).

    ``start`` is a solution on similar rows (all of them, for a fold's model)
    that the solver starts from: the same optimum, in fewer iterations.
    """
    coef = np.zeros((k, z.shape[1]))
    intercept = np.full(k, -np.inf)
    present = np.unique(labels)
    if len(present) == 1:
        intercept[present[0]] = 0.0
        return coef, intercept
    model = LogisticRegression(C=C, max_iter=1_000)
    if start is not None and len(present) > 2 and np.isfinite(start[1][present]).all():
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = start[0][present], start[1][present]
    model.fit(z, labels)
    if len(present) == 2:  # sklearn keeps one row for two classes: log-odds of the second
        coef[present[1]], intercept[present] = model.coef_[0], (0.0, model.intercept_[0])
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


def _temperature(
    C: float,
    k: int,
    z: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """The divisor of the logits that makes them honest on held-out records.

    A model is surer of the records it learned from than of new ones, and
    more so the fewer features a record carries. The records are split
    into :data:`CALIBRATION_FOLDS` folds by customer (a customer's whole
    and cut records together, so none is judged by a model that saw its
    survey); each fold's logits come from a model learned on the others,
    and the temperature minimises their log loss (Guo et al. 2017).
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import logsumexp

    fold = groups % CALIBRATION_FOLDS
    logits = np.empty((len(z), k))
    for f in range(CALIBRATION_FOLDS):
        held = fold == f
        if not held.any() or held.all():
            return 1.0
        coef, intercept = _logistic(C, k, z[~held], labels[~held], start)
        logits[held] = z[held] @ coef.T + intercept
    # A persona a fold never showed is -inf there: held 50 nats under the best instead.
    logits = np.maximum(logits, logits.max(axis=1, keepdims=True) - 50.0)
    chosen = logits[np.arange(len(labels)), labels]

    def loss(log_t: float) -> float:
        t = np.exp(log_t)
        return float((logsumexp(logits / t, axis=1) - chosen / t).mean())

    found = minimize_scalar(loss, bounds=(np.log(0.1), np.log(20.0)), method="bounded")
    return float(np.exp(found.x))


def persona_means(
    X: np.ndarray, labels: np.ndarray, n_personas: int, fallback: np.ndarray
) -> np.ndarray:
    """Each persona's mean of each column over the members who have it (else ``fallback``)."""
    observed = ~np.isnan(X)
    members = np.eye(n_personas)[labels]  # (customers, personas) one-hot
    counts = members.T @ observed
    sums = members.T @ np.where(observed, X, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return np.where(counts > 0, means, fallback)


def column_medians(X: np.ndarray) -> np.ndarray:
    """Column medians ignoring NaN; 0 for a column with no value at all."""
    observed = ~np.isnan(X)
    median = np.zeros(X.shape[1])
    for j in np.flatnonzero(observed.any(axis=0)):
        median[j] = np.median(X[observed[:, j], j])
    return median
