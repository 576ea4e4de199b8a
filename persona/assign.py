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

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

__all__ = [
    "UNASSIGNED",
    "Assigner",
    "column_medians",
    "finite_features",
    "labels_from_proba",
    "model_version",
]

#: The persona id of a customer too far from every persona, or without usable signal.
UNASSIGNED = -1

# A value of the weighted feature space beyond this many spreads from the centre is held
# there: 1e308 would overflow the logits and the squared distances into NaN probabilities.
# A customer this far out is far from every persona anyway (its share goes to unassigned).
_VALUE_LIMIT = 1e6
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


# What scoring one row computes once per fit and keeps on the assigner.
_CACHES = ("_row_cache", "_centroid_cache", "_group_of_column", "_gap_cache")
_MASKS_KEPT = 4_096  # missing-value masks remembered with their signal pattern


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
        for cache in _CACHES:
            self.__dict__.pop(cache, None)  # built from the previous fit's numbers
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

    def predict_proba_one(self, x: np.ndarray) -> np.ndarray:
        """``predict_proba`` of a single customer, with none of the batch bookkeeping.

        The same arithmetic on the same numbers: the result equals that
        customer's row of :meth:`predict_proba` on any batch, bit for bit.
        """
        return self.score_one(x)[0]

    def score_one(
        self, x: np.ndarray
    ) -> tuple[np.ndarray, _PatternModel | None, np.ndarray, np.ndarray]:
        """Probabilities of one customer, their pattern's model, standardised values and logits."""
        return self.score_row(x)[:4]

    def score_row(
        self, x: np.ndarray
    ) -> tuple[np.ndarray, _PatternModel | None, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`score_one`'s results and which of the pattern's columns were imputed.

        The arithmetic of :meth:`score_parts` on one row, operation for
        operation, in as few numpy calls as that allows: a service pays about
        a microsecond per call on arrays this small.
        """
        row = np.asarray(x, dtype=np.float64)
        missing = np.isnan(row)
        pattern = self._pattern_of_missing(missing)
        if not pattern:
            out = np.zeros(self.n_personas_ + 1)
            out[-1] = 1.0
            return out, None, np.empty(0), np.empty(0), np.empty(0, dtype=bool)
        model = self.models_.get(pattern) or self._model_for(pattern)
        median, centroids, columns = self._row_constants(pattern, model)
        if columns is not None:  # the pattern leaves columns out
            row, missing = row[columns], missing[columns]
        values = np.where(missing, median, row)
        np.clip(values, -_VALUE_LIMIT, _VALUE_LIMIT, out=values)
        z = values - model.mean
        np.divide(z, model.scale, out=z)
        # The logistic terms and the squared distances to the centroids, side by
        # side in one C-ordered block: one reduction along each contiguous row
        # gives score_parts' sums (one persona at a time, along the row) bit for bit.
        k = len(model.coef)
        block = np.empty((2 * k, len(z)))
        np.multiply(z, model.coef, out=block[:k])
        np.subtract(values, centroids, out=block[k:])
        np.square(block[k:], out=block[k:])
        sums = np.add.reduce(block, axis=1)
        logits = sums[:k]
        logits += model.intercept
        weights = np.exp(logits - np.maximum.reduce(logits))
        weights /= np.add.reduce(weights)
        reach = np.sqrt(sums[k:]) / model.radius
        nearest = float(np.minimum.reduce(reach))  # Python floats: same IEEE arithmetic
        far = min(max((nearest - 1.0) / (self.max_distance - 1.0), 0.0), 1.0)
        out = np.empty(k + 1)
        np.multiply(weights, 1.0 - far, out=out[:k])
        out[k] = far
        return out, model, z, logits, missing

    def _pattern_of_missing(self, missing: np.ndarray) -> tuple[str, ...]:
        cache = self.__dict__.get("_group_of_column")
        if cache is None:
            columns = list(self.groups.values())
            starts = np.array([c[0] if len(c) else -1 for c in columns])
            # Groups laid side by side from column 0 (the feature builder's
            # order): one reduceat tells which have a value.
            side_by_side = np.array_equal(
                np.concatenate(columns), np.arange(self.n_features_in_)
            ) and all(len(c) for c in columns)
            group_of = np.zeros(self.n_features_in_, dtype=np.intp)
            for i, cols in enumerate(columns):
                group_of[cols] = i
            cache = (group_of, tuple(self.groups), starts if side_by_side else None, {}, {})
            self.__dict__["_group_of_column"] = cache
        group_of, names, starts, patterns, by_mask = cache
        mask = missing.tobytes()  # customers of one feature store share a handful of masks
        pattern = by_mask.get(mask)
        if pattern is not None:
            return pattern
        if starts is not None:
            seen = ~np.logical_and.reduceat(missing, starts)
        else:
            seen = np.bincount(group_of[~missing], minlength=len(names)) > 0
        key = seen.tobytes()
        pattern = patterns.get(key)
        if pattern is None:
            flags = seen.tolist()
            pattern = patterns[key] = tuple(n for n, s in zip(names, flags, strict=True) if s)
        if len(by_mask) < _MASKS_KEPT:
            by_mask[mask] = pattern
        return pattern

    def __getstate__(self) -> dict[str, Any]:
        # Caches are rebuilt on first use: a saved assigner is the same bytes
        # whether or not it scored anyone before.
        return {k: v for k, v in self.__dict__.items() if k not in _CACHES}

    def coef_gap(self, model: _PatternModel, best: int, second: int) -> np.ndarray:
        """``model.coef[best] - model.coef[second]``, computed once per pattern and pair."""
        cache = self.__dict__.setdefault("_gap_cache", {})
        key = (model.groups, best, second)
        gap = cache.get(key)
        if gap is None:
            gap = cache[key] = model.coef[best] - model.coef[second]
        return gap

    def _row_constants_for(self, model: _PatternModel) -> np.ndarray:
        """Persona centroids on the pattern's columns, contiguous, computed once."""
        cache = self.__dict__.setdefault("_centroid_cache", {})
        if model.groups not in cache:
            cache[model.groups] = np.ascontiguousarray(self.centroids_[:, model.columns])
        return cache[model.groups]

    def _row_constants(
        self, pattern: tuple[str, ...], model: _PatternModel
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Medians and centroids on the pattern's columns, and the columns (None for all)."""
        cache = self.__dict__.setdefault("_row_cache", {})
        found = cache.get(pattern)
        if found is None:
            # Contiguous, as in score_parts: the same pairwise sums along each row.
            every = np.array_equal(model.columns, np.arange(self.n_features_in_))
            found = cache[pattern] = (
                self.median_[model.columns],
                self._row_constants_for(model),
                None if every else model.columns,
            )
        return found

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The persona index (``-1``: unassigned) with the highest probability."""
        return labels_from_proba(self.predict_proba(X))

    def _score(self, model: _PatternModel, X: np.ndarray) -> np.ndarray:
        return self.score_parts(model, X)[0]

    def score_parts(
        self, model: _PatternModel, X: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probabilities of customers sharing ``model``'s pattern, with their standardised
        values and logits (what explanations are computed from, in the same pass)."""
        # C order throughout: a column selection can come back in Fortran order,
        # and numpy then reduces the products in another order than for one row.
        values = np.ascontiguousarray(X[:, model.columns])
        values = np.where(np.isnan(values), self.median_[model.columns], values)
        np.clip(values, -_VALUE_LIMIT, _VALUE_LIMIT, out=values)
        z = np.ascontiguousarray((values - model.mean) / model.scale)
        # Products summed along each contiguous row rather than a matrix product:
        # BLAS may round a row differently depending on how many rows it is
        # given, and a customer's probabilities must not depend on the batch
        # they are scored in. One persona at a time keeps the temporaries small
        # (2x faster than one (rows, personas, columns) block), with the very
        # sums score_one makes for a single row.
        k = len(model.coef)
        logits = np.empty((len(z), k))
        reach = np.empty((len(z), k))
        centroids = self._row_constants_for(model)
        for j in range(k):
            logits[:, j] = (z * model.coef[j]).sum(axis=1)
            reach[:, j] = ((values - centroids[j]) ** 2).sum(axis=1)
        logits += model.intercept
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        proba = weights / weights.sum(axis=1, keepdims=True)
        reach = np.sqrt(reach) / model.radius
        far = np.clip((reach.min(axis=1) - 1.0) / (self.max_distance - 1.0), 0.0, 1.0)
        return np.column_stack([proba * (1.0 - far)[:, None], far]), z, logits

    def scale_of(self, columns: np.ndarray) -> np.ndarray:
        """Spread of each column among the customers learned from (for standardised changes)."""
        full = self.models_[max(self.models_, key=len)]
        spread = np.ones(self.n_features_in_)
        spread[full.columns] = full.scale
        return spread[np.asarray(columns)]

    def to_arrays(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted assigner as JSON-able settings and named numpy arrays (no pickling)."""
        patterns = list(self.models_)
        settings = {
            "groups": {g: c.tolist() for g, c in self.groups.items()},
            "C": self.C,
            "max_distance": self.max_distance,
            "n_personas": self.n_personas_,
            "n_features": self.n_features_in_,
            "patterns": [list(p) for p in patterns],
        }
        arrays = {
            "median": self.median_, "low": self.low_, "high": self.high_,
            "centroids": self.centroids_,
        }  # fmt: skip
        for i, pattern in enumerate(patterns):
            model = self.models_[pattern]
            for name in ("columns", "mean", "scale", "coef", "intercept", "radius"):
                arrays[f"pattern{i}_{name}"] = getattr(model, name)
        return settings, arrays

    @classmethod
    def from_arrays(cls, settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Assigner:
        """An assigner back from :meth:`to_arrays`; ValueError names an array whose shape
        does not fit the settings (arrays of another model, say)."""
        _check_shapes(settings, arrays)
        assigner = cls(settings["groups"], C=settings["C"], max_distance=settings["max_distance"])
        assigner.n_personas_ = int(settings["n_personas"])
        assigner.n_features_in_ = int(settings["n_features"])
        assigner.median_, assigner.low_ = arrays["median"], arrays["low"]
        assigner.high_, assigner.centroids_ = arrays["high"], arrays["centroids"]
        assigner.models_ = {}
        for i, pattern in enumerate(settings["patterns"]):
            parts = {
                name: arrays[f"pattern{i}_{name}"]
                for name in ("columns", "mean", "scale", "coef", "intercept", "radius")
            }
            assigner.models_[tuple(pattern)] = _PatternModel(groups=tuple(pattern), **parts)
        return assigner

    def fingerprint(self) -> str:
        """A short hash of every fitted number: the model version services report."""
        settings, arrays = self.to_arrays()
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        for name in sorted(arrays):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(arrays[name]).tobytes())
        return digest.hexdigest()[:12]

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


def model_version(assigner: Assigner, persona_ids: Sequence[int]) -> str:
    """The version a fitted model reports: a hash of every fitted number and the persona ids."""
    ids = [int(p) for p in persona_ids]
    return hashlib.sha256(f"{assigner.fingerprint()} {ids}".encode()).hexdigest()[:12]


def _check_shapes(settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    k, d = int(settings["n_personas"]), int(settings["n_features"])
    expected = {"median": (d,), "low": (d,), "high": (d,), "centroids": (k, d)}
    for i, _ in enumerate(settings["patterns"]):
        columns = arrays.get(f"pattern{i}_columns")
        n = -1 if columns is None else len(columns)
        expected |= {
            f"pattern{i}_columns": (n,), f"pattern{i}_mean": (n,), f"pattern{i}_scale": (n,),
            f"pattern{i}_coef": (k, n), f"pattern{i}_intercept": (k,),
            f"pattern{i}_radius": (k,),
        }  # fmt: skip
        if columns is not None and len(columns) and not (0 <= columns.min() <= columns.max() < d):
            raise ValueError(f"the arrays' pattern {i} reads columns outside the {d} features")
    for name, shape in expected.items():
        found = arrays.get(name)
        if found is None or found.shape != shape:
            got = "missing" if found is None else f"of shape {found.shape}"
            raise ValueError(
                f"the array {name} is {got}, but the settings ({k} personas, {d} features) "
                f"want {shape}: the arrays belong to another assigner"
            )


def finite_features(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` itself, after checking it holds no infinite value (NaN means missing)."""
    infinite = np.isinf(frame.to_numpy(dtype=np.float64))
    if infinite.any():
        columns = frame.columns[infinite.any(axis=0)].tolist()
        rows = frame.index[infinite.any(axis=1)][:5].tolist()
        raise ValueError(
            f"The feature matrix holds infinite values in {columns[:5]} (customers {rows}): "
            "features are finite numbers, NaN where missing."
        )
    return frame


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
