"""The distilled assigner: from whatever signals a customer has to persona probabilities.

Personas are discovered on survey respondents, but every customer must get
one. The :class:`Assigner` learns, from the discovered personas, one small
linear model per *signal pattern* (which feature groups a customer has:
behaviour only, behaviour + emotions, survey + behaviour, ...), so a customer
is scored from the signals they have and never from imputed stand-ins for a
whole missing signal. It also knows how far each persona reaches: a customer
far from every persona, or with no usable signal, gets a growing *unassigned*
share instead of a confident label.

Scoring is plain numpy on the feature matrix and row-wise exact: a customer's
probabilities do not depend on which other customers are scored with them, so
a table, a batch and a single record give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sklearn.linear_model import LogisticRegression

__all__ = ["UNASSIGNED", "Assigner", "column_medians", "labels_from_proba"]

#: The persona id of a customer too far from every persona, or without usable signal.
UNASSIGNED = -1

_CHUNK_ROWS = 8_192  # rows scored at once: bounds the (rows x personas x columns) temporaries


@dataclass(frozen=True)
class _PatternModel:
    """A multinomial logistic model and the persona reach for one signal pattern."""

    groups: tuple[str, ...]
    columns: np.ndarray  # indices into the feature vector
    mean: np.ndarray  # standardisation of the pattern's columns
    scale: np.ndarray
    coef: np.ndarray  # (personas, columns), on standardised values
    intercept: np.ndarray  # (personas,); -inf for a persona the pattern never saw
    radius: np.ndarray  # (personas,), in the unstandardised (weighted) feature space


class Assigner:
    """Persona probabilities from a feature matrix, for any mix of available signals.

    Parameters
    ----------
    groups : mapping of str to sequence of int
        The feature groups and the indices of their columns in the matrix. A
        customer *has* a group when at least one of its columns is not NaN.
    C : float, default=0.3
        Inverse regularisation strength of the logistic models.
    max_distance : float, default=2.0
        How far a customer may be from a persona before being unassigned, in
        units of the persona's reach (the distance within which 99 % of its
        training members lie, measured in the space the personas were found
        in). The unassigned share grows linearly from 0 at the reach to 1 at
        ``max_distance`` times the reach, and a customer is unassigned when
        that share outweighs every persona.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.1], [0.2, 0.0], [5.0, 5.1], [5.2, 4.9]])
    >>> assigner = Assigner({"needs": [0], "behaviour": [1]}).fit(X, np.array([0, 0, 1, 1]))
    >>> assigner.predict(np.array([[0.1, np.nan], [np.nan, 5.0], [np.nan, np.nan]])).tolist()
    [0, 1, -1]
    """

    def __init__(
        self,
        groups: Mapping[str, Sequence[int]],
        *,
        C: float = 0.3,
        max_distance: float = 2.0,
    ) -> None:
        if not groups or any(len(columns) == 0 for columns in groups.values()):
            raise ValueError(f"Got groups={dict(groups)!r}, but every group needs columns.")
        if not max_distance > 1:
            raise ValueError(f"Got max_distance={max_distance!r}, but expected a number > 1.")
        self.groups = {name: np.asarray(columns, dtype=np.intp) for name, columns in groups.items()}
        self.C = C
        self.max_distance = max_distance

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        X: np.ndarray,
        labels: np.ndarray,
        *,
        patterns: Sequence[tuple[str, ...]] | None = None,
    ) -> Assigner:
        """Learn from customers labelled ``0 .. k-1`` (``-1`` rows are left out).

        ``patterns`` limits the signal patterns learned (default: every
        non-empty combination of groups), which keeps iterative refinement cheap.
        """
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        known = labels >= 0
        X, labels = X[known], labels[known]
        if len(labels) == 0:
            raise ValueError("Got no labelled customer to learn personas from.")
        self.n_personas_ = int(labels.max()) + 1
        self.n_features_in_ = X.shape[1]
        self.median_ = column_medians(X)
        observed = np.where(np.isnan(X), self.median_, X)
        self.low_, self.high_ = observed.min(axis=0), observed.max(axis=0)
        filled = np.where(np.isnan(X), self.median_, X)
        self.centroids_ = _persona_means(X, labels, self.n_personas_, self.median_)
        has = self.availability(X)
        wanted = self.all_patterns() if patterns is None else [tuple(p) for p in patterns]
        self.models_ = {}
        for pattern in wanted:
            rows = has[:, [self._group_index(g) for g in pattern]].all(axis=1)
            if not rows.any():  # nobody trained has these signals: use everyone, imputed
                rows = np.ones(len(labels), dtype=bool)
            self.models_[pattern] = self._fit_pattern(pattern, filled[rows], labels[rows])
        return self

    def _fit_pattern(
        self, pattern: tuple[str, ...], filled: np.ndarray, labels: np.ndarray
    ) -> _PatternModel:
        columns = np.concatenate([self.groups[g] for g in pattern])
        values = filled[:, columns]
        mean = values.mean(axis=0)
        scale = values.std(axis=0)
        scale[scale == 0] = 1.0
        k = self.n_personas_
        coef = np.zeros((k, len(columns)))
        intercept = np.full(k, -np.inf)
        present = np.unique(labels)
        if len(present) == 1:
            intercept[present[0]] = 0.0
        else:
            model = LogisticRegression(C=self.C, max_iter=1_000)
            model.fit((values - mean) / scale, labels)
            if len(present) == 2:  # sklearn keeps one row for two classes: log-odds of the second
                coef[present[1]], intercept[present] = model.coef_[0], (0.0, model.intercept_[0])
            else:
                coef[present], intercept[present] = model.coef_, model.intercept_
        radius = np.ones(k)
        for persona in range(k):
            members = values[labels == persona]
            if len(members):
                distance = np.sqrt(((members - self.centroids_[persona, columns]) ** 2).sum(1))
                radius[persona] = np.quantile(distance, 0.99)
        found = radius[np.isin(np.arange(k), present)]
        radius[~np.isin(np.arange(k), present)] = found.max() if len(found) else 1.0
        radius[radius <= 0] = 1e-12
        return _PatternModel(pattern, columns, mean, scale, coef, intercept, radius)

    # ------------------------------------------------------------------ scoring

    def availability(self, X: np.ndarray) -> np.ndarray:
        """Which groups each customer has: a boolean (customers x groups) array."""
        observed = ~np.isnan(X)
        return np.column_stack([observed[:, cols].any(axis=1) for cols in self.groups.values()])

    def all_patterns(self) -> list[tuple[str, ...]]:
        """Every non-empty combination of groups, largest first."""
        names = list(self.groups)
        return [c for size in range(len(names), 0, -1) for c in combinations(names, size)]

    def patterns_in(self, X: np.ndarray) -> list[tuple[str, ...]]:
        """The signal patterns the customers of ``X`` have, largest first (no empty one)."""
        names = list(self.groups)
        found = np.unique(self.availability(X), axis=0)
        patterns = {tuple(n for n, h in zip(names, row, strict=True) if h) for row in found}
        return sorted(patterns - {()}, key=lambda p: (-len(p), p))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities: one column per persona, then the unassigned share; rows sum to 1."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"Got a matrix of shape {X.shape}, but the assigner was fitted on "
                f"{self.n_features_in_} features."
            )
        k = self.n_personas_
        out = np.zeros((len(X), k + 1))
        out[:, k] = 1.0  # no usable signal: unassigned
        has = self.availability(X)
        codes = has @ (1 << np.arange(has.shape[1]))
        names = list(self.groups)
        for code in np.unique(codes):
            if code == 0:
                continue
            rows = np.flatnonzero(codes == code)
            pattern = tuple(n for i, n in enumerate(names) if code >> i & 1)
            model = self._model_for(pattern)
            for start in range(0, len(rows), _CHUNK_ROWS):
                chunk = rows[start : start + _CHUNK_ROWS]
                out[chunk] = self._score(model, X[chunk])
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The persona index (``-1``: unassigned) with the highest probability."""
        return labels_from_proba(self.predict_proba(X))

    def _score(self, model: _PatternModel, X: np.ndarray) -> np.ndarray:
        values = X[:, model.columns]
        values = np.where(np.isnan(values), self.median_[model.columns], values)
        z = (values - model.mean) / model.scale
        # Broadcast-and-sum rather than a matrix product: BLAS may round a row
        # differently depending on how many rows it is given, and a customer's
        # probabilities must not depend on the batch they are scored in.
        logits = (z[:, None, :] * model.coef[None]).sum(axis=2) + model.intercept
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        proba = weights / weights.sum(axis=1, keepdims=True)
        offsets = values[:, None, :] - self.centroids_[None][:, :, model.columns]
        reach = np.sqrt((offsets**2).sum(axis=2)) / model.radius
        far = np.clip((reach.min(axis=1) - 1.0) / (self.max_distance - 1.0), 0.0, 1.0)
        return np.column_stack([proba * (1.0 - far)[:, None], far])

    def scale_of(self, columns: np.ndarray) -> np.ndarray:
        """Spread of each column among the customers learned from (for standardised changes)."""
        full = self.models_[max(self.models_, key=len)]
        spread = np.ones(self.n_features_in_)
        spread[full.columns] = full.scale
        return spread[np.asarray(columns)]

    def _model_for(self, pattern: tuple[str, ...]) -> _PatternModel:
        model = self.models_.get(pattern)
        if model is None:
            raise ValueError(
                f"The assigner was not fitted for customers with signals {list(pattern)}; "
                "fit it with patterns=None to cover every combination."
            )
        return model

    def _group_index(self, group: str) -> int:
        return list(self.groups).index(group)


def labels_from_proba(proba: np.ndarray) -> np.ndarray:
    """Persona index of each row of ``predict_proba`` output; the last column is unassigned."""
    best = np.argmax(proba, axis=1)
    return np.where(best == proba.shape[1] - 1, UNASSIGNED, best)


def _persona_means(
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
