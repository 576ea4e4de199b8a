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

This module holds the estimator: its settings, which model scores which
customer, and the thin methods over the plain functions that do the work --
learning in :mod:`._fitting`, scoring (batch and one-row forms) in
:mod:`._score`, the arrays an export stores in :mod:`._arrays`. It touches
nothing but the assigner.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from threadpoolctl import threadpool_limits

from persona.assignment._arrays import assigner_arrays, assigner_from_arrays
from persona.assignment._errors import input_error
from persona.assignment._fitting import (
    PatternModel,
    column_medians,
    fit_bins,
    fit_pattern,
    persona_means,
)
from persona.assignment._score import (
    Prepared,
    prepare,
    score_block,
    score_row,
    unfitted_pattern,
)
from persona.errors import ConfigError

__all__ = [
    "UNASSIGNED",
    "Assigner",
    "column_medians",
    "finite_features",
    "labels_from_proba",
    "model_version",
    "public_ids",
]

#: The persona id of a customer too far from every persona, or without usable signal.
UNASSIGNED = -1

CHUNK_ROWS = 8_192  # rows scored at once: bounds the (rows x personas x columns) temporaries


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
            raise ConfigError(f"Got groups={dict(groups)!r}, but every group needs columns.")
        if not max_distance > 1:
            raise ConfigError(f"Got max_distance={max_distance!r}, but expected a number > 1.")
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
        self.__dict__.pop("_prepared", None)  # the previous fit's: never scored with again
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        known = labels >= 0
        X, labels, owner = X[known], labels[known], np.flatnonzero(known)
        if len(labels) == 0:
            raise input_error("labels", "Got no labelled customer to learn personas from.")
        self.n_personas_ = int(labels.max()) + 1
        self.n_features_in_ = X.shape[1]
        self.median_ = column_medians(X)
        observed = np.where(np.isnan(X), self.median_, X)
        self.low_, self.high_ = observed.min(axis=0), observed.max(axis=0)
        filled = np.where(np.isnan(X), self.median_, X)
        self.centroids_ = persona_means(X, labels, self.n_personas_, self.median_)
        has = self.availability(X)
        wanted = self.all_patterns() if patterns is None else [tuple(p) for p in patterns]
        calibrate = self.__dict__.get("calibrate", False)
        self.models_ = {}
        for pattern in wanted:
            rows = has[:, [self._group_index(g) for g in pattern]].all(axis=1)
            if not rows.any():  # nobody trained has these signals: use everyone, imputed
                rows = np.ones(len(labels), dtype=bool)
            self.models_[pattern] = fit_pattern(
                self, pattern, filled[rows], labels[rows], own_centres=calibrate,
                groups=owner[rows] if calibrate else None,
            )  # fmt: skip
        self.binned_ = {}
        if self.evidence is not None:
            self.binned_ = fit_bins(self, X, labels, owner, thin, wanted)
        self._prepared = prepare(self)
        return self

    def _bins(self, counts: np.ndarray) -> np.ndarray:
        """The evidence bin of each count; a missing count holds the least (bin 0)."""
        bins = np.searchsorted(self.evidence[1], counts, side="right")
        bins[np.isnan(counts)] = 0
        return bins

    # ------------------------------------------------------------------ scoring

    def prepared(self) -> Prepared:
        """What scoring reads, computed once by :meth:`fit`, :meth:`from_arrays` or unpickling.

        The fitted models are not to be edited in place: an edited assigner
        scores with the constants of the models it was prepared with.
        """
        prepared = self.__dict__.get("_prepared")
        if prepared is None:
            raise NotFittedError("This Assigner is not fitted yet: call fit first.")
        return prepared

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
            raise input_error(
                "features",
                f"Got a matrix of shape {X.shape}, but the assigner was fitted on "
                f"{self.n_features_in_} features.",
            )
        prepared = self.prepared()
        k = self.n_personas_
        out = np.zeros((len(X), k + 1))
        out[:, k] = 1.0  # no usable signal: unassigned
        for rows, model in self.models_of(X):
            for start in range(0, len(rows), CHUNK_ROWS):
                chunk = rows[start : start + CHUNK_ROWS]
                out[chunk] = score_block(prepared, model, X[chunk])[0]
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The persona index (``-1``: unassigned) with the highest probability."""
        return labels_from_proba(self.predict_proba(X))

    def models_of(self, X: np.ndarray) -> list[tuple[np.ndarray, PatternModel]]:
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

    def _model_at(self, pattern: tuple[str, ...], evidence_bin: int) -> PatternModel:
        """The model of a pattern's evidence bin, else the pattern's own."""
        binned = self.__dict__.get("binned_")
        model = binned.get((pattern, evidence_bin)) if binned else None
        return model if model is not None else self._model_for(pattern)

    def _model_for(self, pattern: tuple[str, ...]) -> PatternModel:
        model = self.models_.get(pattern)
        if model is None:
            raise unfitted_pattern(pattern)
        return model

    def score_one(
        self, x: np.ndarray
    ) -> tuple[np.ndarray, PatternModel | None, np.ndarray, np.ndarray]:
        """Probabilities of one customer, their pattern's model, standardised values and logits."""
        return score_row(self.prepared(), x)[:4]

    def score_row(
        self, x: np.ndarray
    ) -> tuple[np.ndarray, PatternModel | None, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`score_one`'s results and which of the pattern's columns were imputed.

        :func:`persona.assignment._score.score_row`: the batch arithmetic on one
        row, equal to that customer's row of :meth:`predict_proba` bit for bit.
        """
        return score_row(self.prepared(), x)

    def scale_of(self, columns: np.ndarray) -> np.ndarray:
        """Spread of each column among the customers learned from (for standardised changes)."""
        full = self.models_[max(self.models_, key=len)]
        spread = np.ones(self.n_features_in_)
        spread[full.columns] = full.scale
        return spread[np.asarray(columns)]

    # ------------------------------------------------------------------ saving

    def __getstate__(self) -> dict[str, Any]:
        # What scoring prepared is rebuilt on unpickling: a saved assigner is the same
        # bytes whether or not it scored anyone before.
        return {k: v for k, v in self.__dict__.items() if k != "_prepared"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "models_" in state:
            self._prepared = prepare(self)

    def to_arrays(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted assigner as JSON-able settings and named numpy arrays (no pickling)."""
        return assigner_arrays(self)

    @classmethod
    def from_arrays(cls, settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Assigner:
        """An assigner back from :meth:`to_arrays`; :class:`~persona.errors.ArtifactError`
        names an array whose shape does not fit the settings (arrays of another model, say)."""
        assigner = assigner_from_arrays(cls, settings, arrays)
        assigner._prepared = prepare(assigner)
        return assigner

    def fingerprint(self) -> str:
        """A short hash of every fitted number: the model version services report."""
        settings, arrays = self.to_arrays()
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        for name in sorted(arrays):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(arrays[name]).tobytes())
        return digest.hexdigest()[:12]

    def _group_index(self, group: str) -> int:
        return list(self.groups).index(group)


def model_version(assigner: Assigner, persona_ids: Sequence[int]) -> str:
    """The version a fitted model reports: a hash of every fitted number and the persona ids."""
    ids = [int(p) for p in persona_ids]
    return hashlib.sha256(f"{assigner.fingerprint()} {ids}".encode()).hexdigest()[:12]


def _checked_evidence(
    evidence: Mapping[str, Any], groups: Mapping[str, np.ndarray]
) -> tuple[int, np.ndarray]:
    """``(column, edges)`` of an evidence setting, or ConfigError naming what is wrong."""
    try:
        column, edges = int(evidence["column"]), np.asarray(evidence["edges"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(
            f"Got evidence={evidence!r}, but expected {{'column': index, 'edges': [numbers]}}."
        ) from error
    if not any(column in cols for cols in groups.values()):
        raise ConfigError(f"Got evidence column {column}, which is in none of the groups.")
    if (
        edges.ndim != 1
        or not len(edges)
        or not np.isfinite(edges).all()
        or (np.diff(edges) <= 0).any()
    ):
        raise ConfigError(f"Got evidence edges {edges.tolist()}, but expected increasing numbers.")
    return column, edges


def finite_features(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` itself, after checking it holds no infinite value (NaN means missing)."""
    infinite = np.isinf(frame.to_numpy(dtype=np.float64))
    if infinite.any():
        columns = frame.columns[infinite.any(axis=0)].tolist()
        rows = frame.index[infinite.any(axis=1)][:5].tolist()
        raise input_error(
            "features",
            f"The feature matrix holds infinite values in {columns[:5]} (customers {rows}): "
            "features are finite numbers, NaN where missing.",
            column=str(columns[0]),
        )
    return frame


def labels_from_proba(proba: np.ndarray) -> np.ndarray:
    """Persona index of each row of ``predict_proba`` output; the last column is unassigned."""
    best = np.argmax(proba, axis=1)
    return np.where(best == proba.shape[1] - 1, UNASSIGNED, best)


def public_ids(labels: np.ndarray, persona_ids: np.ndarray) -> np.ndarray:
    """The persona id of each internal persona index; ``UNASSIGNED`` stays itself.

    >>> public_ids(np.array([0, -1, 1]), np.array([7, 3])).tolist()
    [7, -1, 3]
    """
    ids = np.append(persona_ids, UNASSIGNED)
    return ids[np.where(labels == UNASSIGNED, len(ids) - 1, labels)]
