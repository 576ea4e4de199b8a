"""The distilled assigner: from whatever signals a customer has to persona probabilities.

Personas are discovered on survey respondents, but every customer must get
one. The :class:`Assigner` learns, from the discovered personas, one small
linear model per *signal pattern* (which feature groups a customer has:
behaviour only, behaviour + emotions, survey + behaviour, ...), so a customer
is scored from the signals they have and never from imputed stand-ins for a
whole missing signal. It also knows how far each persona reaches: a customer
far from every persona, or with no usable signal, gets a growing *unassigned*
share instead of a confident label.

How much a record holds matters as much as which signals: three touchpoints
read by a model of whole years look like extreme shares, and it answers 0.999.
With ``evidence``, each pattern holding the touchpoint count has one model per
*evidence bin* (1, 2-3, 4-10, 11+ touchpoints), learned on records that hold
that much (:mod:`persona.assignment._evidence`), and with ``calibrate`` each model's
logits are tempered on cross-fitted records so a confidence of 0.8 is right
about 8 times in 10 (``benchmarks/calibration.py``).

Scoring is plain numpy on the feature matrix and row-wise exact: a customer's
probabilities do not depend on which other customers are scored with them, so
a table, a batch and a single record give the same numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

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
_MIN_BIN_ROWS = 50  # an evidence bin with fewer rows to learn from uses its pattern's model
_CALIBRATION_FOLDS = 5  # folds of the cross-fitted logits a model's temperature is fitted on
_MODEL_ARRAYS = ("columns", "mean", "scale", "coef", "intercept", "radius")


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
    evidence: int = -1  # the evidence bin the model was learned for; -1: every amount
    # Persona centres among the model's own rows, in its standardised units (a thin
    # record's persona sits elsewhere than its whole records, and a feature that barely
    # varies at one touchpoint must count as much as one that varies a lot), and the
    # radius measured there too; None: the assigner's centroids, in the weighted space.
    centres: np.ndarray | None = None


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
        in; with ``calibrate`` or an evidence bin, in the model's standardised
        units among the records it learned from). The unassigned share grows
        linearly from 0 at the reach to 1 at ``max_distance`` times the reach,
        and a customer is unassigned when that share outweighs every persona.
        It is a distance rule, not a fitted probability: nothing tells which
        customers truly belong to no persona to fit one on. A record with no
        usable signal has an unassigned share of 1.
    evidence : mapping, optional
        How much a customer's record holds: ``{"column": j, "edges": [...]}``,
        a column of the matrix that counts what was seen (the feature builder's
        touchpoints) and the values that bound its bins, in the matrix's units.
        Each signal pattern that holds the column then gets one model per bin,
        learned on the customers (and the ``thin`` rows of :meth:`fit`) whose
        record holds that much: what a customer's first three touchpoints say
        is learned from first three touchpoints, not read off a whole year.
        A record whose count is missing is read as holding the least.
    calibrate : bool, default=False
        Temper each model's logits so its confidence is as often right on
        records it did not learn from (cross-fitted by customer; see
        :meth:`_temperature`): a logistic model is surer of the rows it
        learned from, and the thinner the record, the more. Each model also
        measures reach around its own persona centres in its standardised
        units, where a feature that barely varies among its records counts
        as much as one that varies a lot (an evidence bin's models always do).

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
        evidence: Mapping[str, Any] | None = None,
        calibrate: bool = False,
    ) -> None:
        if not groups or any(len(columns) == 0 for columns in groups.values()):
            raise ValueError(f"Got groups={dict(groups)!r}, but every group needs columns.")
        if not max_distance > 1:
            raise ValueError(f"Got max_distance={max_distance!r}, but expected a number > 1.")
        self.groups = {name: np.asarray(columns, dtype=np.intp) for name, columns in groups.items()}
        self.C = C
        self.max_distance = max_distance
        self.evidence = None if evidence is None else _checked_evidence(evidence, self.groups)
        self.calibrate = bool(calibrate)

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        X: np.ndarray,
        labels: np.ndarray,
        *,
        patterns: Sequence[tuple[str, ...]] | None = None,
        thin: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> Assigner:
        """Learn from customers labelled ``0 .. k-1`` (``-1`` rows are left out).

        ``patterns`` limits the signal patterns learned (default: every
        non-empty combination of groups), which keeps iterative refinement cheap.
        ``thin`` is ``(X, labels, owner)`` of more rows that feed the evidence
        bins' models only: the same customers' records as they stood at fewer
        touchpoints (:func:`persona.features.first_touchpoints`), labelled with
        the persona of their whole record, and the row of ``X`` that record is.

        BLAS is held to one thread meanwhile: the fit is many small logistic
        models, on which BLAS threads only add synchronisation (several times
        slower on two cores; benchmarks/fit_time.py).
        """
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, labels, patterns=patterns, thin=thin)

    def _fit(
        self,
        X: np.ndarray,
        labels: np.ndarray,
        *,
        patterns: Sequence[tuple[str, ...]] | None,
        thin: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    ) -> Assigner:
        for cache in _CACHES:
            self.__dict__.pop(cache, None)  # built from the previous fit's numbers
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        known = labels >= 0
        X, labels, owner = X[known], labels[known], np.flatnonzero(known)
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
            calibrate = self.__dict__.get("calibrate", False)
            self.models_[pattern] = self._fit_pattern(
                pattern, filled[rows], labels[rows], own_centres=calibrate,
                groups=owner[rows] if calibrate else None,
            )  # fmt: skip
        self.binned_ = {}
        if self.evidence is not None:
            self._fit_bins(X, labels, owner, thin, wanted)
        return self

    def _fit_bins(
        self,
        X: np.ndarray,
        labels: np.ndarray,
        owner: np.ndarray,
        thin: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
        patterns: list[tuple[str, ...]],
    ) -> None:
        """One model per evidence bin for each pattern that holds the evidence column."""
        column, edges = self.evidence
        if thin is not None:
            extra, extra_labels = np.asarray(thin[0], dtype=np.float64), np.asarray(thin[1])
            known = extra_labels >= 0
            X = np.vstack([X, extra[known]])
            labels = np.concatenate([labels, extra_labels[known]])
            owner = np.concatenate([owner, np.asarray(thin[2])[known]])
        filled = np.where(np.isnan(X), self.median_, X)
        has = self.availability(X)
        bins = self._bins(X[:, column])
        group = self._group_of(column)
        for pattern in patterns:
            if group not in pattern:
                continue
            holds = has[:, [self._group_index(g) for g in pattern]].all(axis=1)
            for b in range(len(edges) + 1):
                rows = holds & (bins == b)
                if rows.sum() < _MIN_BIN_ROWS:  # too few: the pattern's model speaks for it
                    continue
                model = self._fit_pattern(
                    pattern, filled[rows], labels[rows], own_centres=True,
                    groups=owner[rows] if self.calibrate else None,
                )  # fmt: skip
                self.binned_[pattern, b] = dataclasses.replace(model, evidence=b)

    def _bins(self, counts: np.ndarray) -> np.ndarray:
        """The evidence bin of each count; a missing count holds the least (bin 0)."""
        bins = np.searchsorted(self.evidence[1], counts, side="right")
        bins[np.isnan(counts)] = 0
        return bins

    def _group_of(self, column: int) -> str:
        return next(g for g, cols in self.groups.items() if column in cols)

    def _fit_pattern(
        self,
        pattern: tuple[str, ...],
        filled: np.ndarray,
        labels: np.ndarray,
        *,
        own_centres: bool = False,
        groups: np.ndarray | None = None,
    ) -> _PatternModel:
        """One pattern's model; with ``groups`` (whose record each row is), its logits are
        tempered to be as sure as they are right on records it did not learn from."""
        columns = np.concatenate([self.groups[g] for g in pattern])
        values = filled[:, columns]
        mean = values.mean(axis=0)
        scale = values.std(axis=0)
        scale[scale == 0] = 1.0
        z = (values - mean) / scale
        space, centres = values, self.centroids_[:, columns]
        if own_centres:  # reach in the model's standardised units, around its own centres
            space = z
            centres = _persona_means(z, labels, self.n_personas_, (centres - mean) / scale)
        k = self.n_personas_
        present = np.unique(labels)
        coef, intercept = self._logistic(z, labels)
        if groups is not None and len(present) > 1:
            temperature = self._temperature(z, labels, groups, start=(coef, intercept))
            coef, intercept = coef / temperature, intercept / temperature
        radius = np.ones(k)
        for persona in range(k):
            members = space[labels == persona]
            if len(members):
                distance = np.sqrt(((members - centres[persona]) ** 2).sum(1))
                radius[persona] = np.quantile(distance, 0.99)
        found = radius[np.isin(np.arange(k), present)]
        radius[~np.isin(np.arange(k), present)] = found.max() if len(found) else 1.0
        radius[radius <= 0] = 1e-12
        return _PatternModel(
            pattern, columns, mean, scale, coef, intercept, radius,
            centres=np.ascontiguousarray(centres) if own_centres else None,
        )  # fmt: skip

    def _logistic(
        self,
        z: np.ndarray,
        labels: np.ndarray,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and intercepts for every persona (-inf: one the rows never show).

        ``start`` is a solution on similar rows (all of them, for a fold's model)
        that the solver starts from: the same optimum, in fewer iterations.
        """
        k = self.n_personas_
        coef = np.zeros((k, z.shape[1]))
        intercept = np.full(k, -np.inf)
        present = np.unique(labels)
        if len(present) == 1:
            intercept[present[0]] = 0.0
            return coef, intercept
        model = LogisticRegression(C=self.C, max_iter=1_000)
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
        self,
        z: np.ndarray,
        labels: np.ndarray,
        groups: np.ndarray,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> float:
        """The divisor of the logits that makes them honest on held-out records.

        A model is surer of the records it learned from than of new ones, and
        more so the fewer features a record carries. The records are split
        into :data:`_CALIBRATION_FOLDS` folds by customer (a customer's whole
        and cut records together, so none is judged by a model that saw its
        survey); each fold's logits come from a model learned on the others,
        and the temperature minimises their log loss (Guo et al. 2017).
        """
        from scipy.optimize import minimize_scalar
        from scipy.special import logsumexp

        fold = groups % _CALIBRATION_FOLDS
        logits = np.empty((len(z), self.n_personas_))
        for f in range(_CALIBRATION_FOLDS):
            held = fold == f
            if not held.any() or held.all():
                return 1.0
            coef, intercept = self._logistic(z[~held], labels[~held], start)
            logits[held] = z[held] @ coef.T + intercept
        # A persona a fold never showed is -inf there: held 50 nats under the best instead.
        logits = np.maximum(logits, logits.max(axis=1, keepdims=True) - 50.0)
        chosen = logits[np.arange(len(labels)), labels]

        def loss(log_t: float) -> float:
            t = np.exp(log_t)
            return float((logsumexp(logits / t, axis=1) - chosen / t).mean())

        found = minimize_scalar(loss, bounds=(np.log(0.1), np.log(20.0)), method="bounded")
        return float(np.exp(found.x))

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
        for rows, model in self.models_of(X):
            for start in range(0, len(rows), _CHUNK_ROWS):
                chunk = rows[start : start + _CHUNK_ROWS]
                out[chunk] = self._score(model, X[chunk])
        return out

    def models_of(self, X: np.ndarray) -> list[tuple[np.ndarray, _PatternModel]]:
        """The customers of ``X`` that share a model (signal pattern and evidence bin),
        with that model; customers without usable signal are in none."""
        has = self.availability(X)
        codes = has @ (1 << np.arange(has.shape[1]))
        evidence = self.__dict__.get("evidence")
        if evidence is not None:  # one code per pattern and bin
            codes = codes * (len(evidence[1]) + 1) + self._bins(X[:, evidence[0]])
        names = list(self.groups)
        found = []
        for code in np.unique(codes):
            pattern_code, b = divmod(int(code), 1 if evidence is None else len(evidence[1]) + 1)
            if pattern_code == 0:
                continue
            pattern = tuple(n for i, n in enumerate(names) if pattern_code >> i & 1)
            found.append((np.flatnonzero(codes == code), self._model_at(pattern, b)))
        return found

    def _model_at(self, pattern: tuple[str, ...], evidence_bin: int) -> _PatternModel:
        """The model of a pattern's evidence bin, else the pattern's own."""
        binned = self.__dict__.get("binned_")
        model = binned.get((pattern, evidence_bin)) if binned else None
        return model if model is not None else self._model_for(pattern)

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
        evidence = self.__dict__.get("evidence")
        if evidence is None:
            model = self.models_.get(pattern) or self._model_for(pattern)
        else:
            count = row[evidence[0]]
            b = 0 if count != count else int(np.searchsorted(evidence[1], count, side="right"))
            model = self._model_at(pattern, b)
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
        np.subtract(values if model.centres is None else z, centroids, out=block[k:])
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
        key = (model.groups, model.evidence, best, second)
        gap = cache.get(key)
        if gap is None:
            gap = cache[key] = model.coef[best] - model.coef[second]
        return gap

    def _row_constants_for(self, model: _PatternModel) -> np.ndarray:
        """Persona centroids on the pattern's columns, contiguous, computed once."""
        if model.centres is not None:
            return model.centres
        cache = self.__dict__.setdefault("_centroid_cache", {})
        if model.groups not in cache:
            cache[model.groups] = np.ascontiguousarray(self.centroids_[:, model.columns])
        return cache[model.groups]

    def _row_constants(
        self, pattern: tuple[str, ...], model: _PatternModel
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Medians and centroids on the pattern's columns, and the columns (None for all)."""
        cache = self.__dict__.setdefault("_row_cache", {})
        found = cache.get((pattern, model.evidence))
        if found is None:
            # Contiguous, as in score_parts: the same pairwise sums along each row.
            every = np.array_equal(model.columns, np.arange(self.n_features_in_))
            found = cache[pattern, model.evidence] = (
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
        space = values if model.centres is None else z
        for j in range(k):
            logits[:, j] = (z * model.coef[j]).sum(axis=1)
            reach[:, j] = ((space - centroids[j]) ** 2).sum(axis=1)
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
            "calibrate": bool(self.__dict__.get("calibrate", False)),
            "n_personas": self.n_personas_,
            "n_features": self.n_features_in_,
            "patterns": [list(p) for p in patterns],
        }
        binned = list(self.__dict__.get("binned_") or {})
        if self.__dict__.get("evidence") is not None:
            column, edges = self.evidence
            settings["evidence"] = {"column": int(column), "edges": edges.tolist()}
            settings["binned"] = [[list(p), int(b)] for p, b in binned]
        arrays = {
            "median": self.median_, "low": self.low_, "high": self.high_,
            "centroids": self.centroids_,
        }  # fmt: skip
        for i, pattern in enumerate(patterns):
            model = self.models_[pattern]
            for name in _MODEL_ARRAYS:
                arrays[f"pattern{i}_{name}"] = getattr(model, name)
            if model.centres is not None:
                arrays[f"pattern{i}_centres"] = model.centres
        for i, key in enumerate(binned):
            model = self.binned_[key]
            for name in (*_MODEL_ARRAYS, "centres"):
                arrays[f"binned{i}_{name}"] = getattr(model, name)
        return settings, arrays

    @classmethod
    def from_arrays(cls, settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Assigner:
        """An assigner back from :meth:`to_arrays`; ValueError names an array whose shape
        does not fit the settings (arrays of another model, say)."""
        _check_shapes(settings, arrays)
        assigner = cls(
            settings["groups"],
            C=settings["C"],
            max_distance=settings["max_distance"],
            evidence=settings.get("evidence"),
            calibrate=settings.get("calibrate", False),
        )
        assigner.n_personas_ = int(settings["n_personas"])
        assigner.n_features_in_ = int(settings["n_features"])
        assigner.median_, assigner.low_ = arrays["median"], arrays["low"]
        assigner.high_, assigner.centroids_ = arrays["high"], arrays["centroids"]
        assigner.models_ = {}
        for i, pattern in enumerate(settings["patterns"]):
            parts = {name: arrays[f"pattern{i}_{name}"] for name in _MODEL_ARRAYS}
            parts["centres"] = arrays.get(f"pattern{i}_centres")
            assigner.models_[tuple(pattern)] = _PatternModel(groups=tuple(pattern), **parts)
        assigner.binned_ = {}
        for i, (pattern, b) in enumerate(settings.get("binned", [])):
            parts = {name: arrays[f"binned{i}_{name}"] for name in (*_MODEL_ARRAYS, "centres")}
            model = _PatternModel(groups=tuple(pattern), evidence=int(b), **parts)
            assigner.binned_[tuple(pattern), int(b)] = model
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
    models = [f"pattern{i}" for i, _ in enumerate(settings["patterns"])]
    models += [f"binned{i}" for i, _ in enumerate(settings.get("binned", []))]
    for model in models:
        columns = arrays.get(f"{model}_columns")
        n = -1 if columns is None else len(columns)
        expected |= {
            f"{model}_columns": (n,), f"{model}_mean": (n,), f"{model}_scale": (n,),
            f"{model}_coef": (k, n), f"{model}_intercept": (k,), f"{model}_radius": (k,),
        }  # fmt: skip
        if model.startswith("binned") or f"{model}_centres" in arrays:
            expected[f"{model}_centres"] = (k, n)
        if columns is not None and len(columns) and not (0 <= columns.min() <= columns.max() < d):
            raise ValueError(f"the arrays' {model} reads columns outside the {d} features")
    for name, shape in expected.items():
        found = arrays.get(name)
        if found is None or found.shape != shape:
            got = "missing" if found is None else f"of shape {found.shape}"
            raise ValueError(
                f"the array {name} is {got}, but the settings ({k} personas, {d} features) "
                f"want {shape}: the arrays belong to another assigner"
            )


def _checked_evidence(
    evidence: Mapping[str, Any], groups: Mapping[str, np.ndarray]
) -> tuple[int, np.ndarray]:
    """``(column, edges)`` of an evidence setting, or ValueError naming what is wrong."""
    try:
        column, edges = int(evidence["column"]), np.asarray(evidence["edges"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"Got evidence={evidence!r}, but expected {{'column': index, 'edges': [numbers]}}."
        ) from error
    if not any(column in cols for cols in groups.values()):
        raise ValueError(f"Got evidence column {column}, which is in none of the groups.")
    if (
        edges.ndim != 1
        or not len(edges)
        or not np.isfinite(edges).all()
        or (np.diff(edges) <= 0).any()
    ):
        raise ValueError(f"Got evidence edges {edges.tolist()}, but expected increasing numbers.")
    return column, edges


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
