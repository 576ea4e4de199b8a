"""Scoring with the assigner's models: the batch form and the one-row form, side by side.

:func:`score_block` scores the customers of one model (signal pattern and
evidence bin) at once; :func:`score_row` scores one customer with the very
same arithmetic, operation for operation, in as few numpy calls as that
allows (a service pays about a microsecond per call on arrays this small).
``tests/test_assignment_score.py::test_one_row_scores_bit_for_bit_like_the_batch_in_every_pattern``
and ``tests/test_confidence.py::test_evidence_bins_score_row_by_row_as_in_a_batch``
pin the two forms to each other bit for bit: change them together.

Both read a :class:`Prepared`: what scoring needs that is fixed once the
assigner is fitted (each model's medians and centroids, which group each
column is in), built by :func:`prepare` at fit, on load and on unpickling,
never while scoring. This module touches nothing but its arguments; the only
state it writes is :class:`Prepared`'s two bounded look-up tables of signal
patterns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from persona.assignment._fitting import PatternModel
from persona.errors import ConfigError

if TYPE_CHECKING:
    from persona.assignment._assigner import Assigner

__all__ = ["Prepared", "prepare", "score_block", "score_row", "softmax", "unfitted_pattern"]

# A value of the weighted feature space beyond this many spreads from the centre is held
# there: 1e308 would overflow the logits and the squared distances into NaN probabilities.
# A customer this far out is far from every persona anyway (its share goes to unassigned).
VALUE_LIMIT = 1e6
_MASKS_KEPT = 4_096  # missing-value masks remembered with their signal pattern

Pattern = tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Route:
    """One model and the constants scoring its rows reads, on the model's own columns."""

    model: PatternModel
    median: np.ndarray  # the assigner's medians, imputed for a missing value
    centroids: np.ndarray  # persona centres, C-contiguous (the model's own, or the assigner's)
    columns: np.ndarray | None  # None: the model reads every column, in order


@dataclass(frozen=True, eq=False)
class Prepared:
    """What scoring reads, computed once from a fitted assigner.

    ``routes`` gives the model of each signal pattern and evidence bin (bin 0
    without evidence), ``models`` the same constants by model (its groups and
    evidence bin). ``patterns`` and ``masks`` are look-up tables filled while
    scoring one row at a time: which pattern a set of groups is, and which
    pattern a missing-value mask is (customers of one feature store share a
    handful of masks; at most ``_MASKS_KEPT`` are remembered).
    """

    n_personas: int
    max_distance: float
    evidence: tuple[int, np.ndarray] | None
    routes: dict[tuple[Pattern, int], Route]
    models: dict[tuple[Pattern, int], Route]
    group_of: np.ndarray  # the group index of each column
    names: Pattern  # the groups, in order
    starts: np.ndarray | None  # first column of each group, when they lie side by side
    patterns: dict[bytes, Pattern] = field(default_factory=dict)
    masks: dict[bytes, Pattern] = field(default_factory=dict)


def prepare(assigner: Assigner) -> Prepared:
    """The constants of a fitted assigner's scoring: built at fit, load and unpickling."""
    d = assigner.n_features_in_
    models = {}
    binned = getattr(assigner, "binned_", None) or {}
    for model in [*assigner.models_.values(), *binned.values()]:
        # Contiguous, as score_block makes its values: the same pairwise sums along each row.
        every = np.array_equal(model.columns, np.arange(d))
        centroids = model.centres
        if centroids is None:
            centroids = np.ascontiguousarray(assigner.centroids_[:, model.columns])
        median = assigner.median_[model.columns]
        models[model.groups, model.evidence] = Route(
            model, median, centroids, None if every else model.columns
        )
    evidence = getattr(assigner, "evidence", None)
    n_bins = 1 if evidence is None else len(evidence[1]) + 1
    routes = {
        (pattern, b): models[found.groups, found.evidence]
        for pattern in assigner.models_
        for b in range(n_bins)
        for found in [assigner._model_at(pattern, b)]
    }
    columns = list(assigner.groups.values())
    group_of = np.zeros(d, dtype=np.intp)
    for i, cols in enumerate(columns):
        group_of[cols] = i
    # Groups laid side by side from column 0 (the feature builder's order): one reduceat
    # tells which have a value.
    side_by_side = np.array_equal(np.concatenate(columns), np.arange(d)) and all(map(len, columns))
    starts = np.array([c[0] for c in columns]) if side_by_side else None
    return Prepared(
        assigner.n_personas_, assigner.max_distance, evidence, routes, models, group_of,
        tuple(assigner.groups), starts,
    )  # fmt: skip


def unfitted_pattern(pattern: Pattern) -> ConfigError:
    """The error of scoring a signal pattern the assigner learned no model for."""
    return ConfigError(
        f"The assigner was not fitted for customers with signals {list(pattern)}; "
        "fit it with patterns=None to cover every combination."
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits along the last axis: one customer's, or a block's by row.

    The one rule every scorer of this package follows (the assigner's batch
    and one-row forms, the golden questions): shift by the largest logit,
    exponentiate, divide by the sum, each reduction along one contiguous row,
    so a customer's probabilities are the same bits alone and in any batch.

    >>> softmax(np.array([0.0, np.log(3.0)])).round(6).tolist()
    [0.25, 0.75]
    """
    weights = np.exp(logits - np.maximum.reduce(logits, axis=-1, keepdims=True))
    weights /= np.add.reduce(weights, axis=-1, keepdims=True)
    return weights


# ---------------------------------------------------------------------------- the batch form


def score_block(
    prepared: Prepared, model: PatternModel, X: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities of customers sharing ``model``'s pattern, with their standardised
    values and logits (what explanations are computed from, in the same pass)."""
    route = prepared.models[model.groups, model.evidence]
    # C order throughout: a column selection can come back in Fortran order,
    # and numpy then reduces the products in another order than for one row.
    values = np.ascontiguousarray(X[:, model.columns])
    values = np.where(np.isnan(values), route.median, values)
    np.clip(values, -VALUE_LIMIT, VALUE_LIMIT, out=values)
    z = np.ascontiguousarray((values - model.mean) / model.scale)
    # Products summed along each contiguous row rather than a matrix product:
    # BLAS may round a row differently depending on how many rows it is
    # given, and a customer's probabilities must not depend on the batch
    # they are scored in. One persona at a time keeps the temporaries small
    # (2x faster than one (rows, personas, columns) block), with the very
    # sums score_row makes for a single row.
    k = len(model.coef)
    logits = np.empty((len(z), k))
    reach = np.empty((len(z), k))
    space = values if model.centres is None else z
    for j in range(k):
        logits[:, j] = (z * model.coef[j]).sum(axis=1)
        reach[:, j] = ((space - route.centroids[j]) ** 2).sum(axis=1)
    logits += model.intercept
    proba = softmax(logits)
    reach = np.sqrt(reach) / model.radius
    far = np.clip((reach.min(axis=1) - 1.0) / (prepared.max_distance - 1.0), 0.0, 1.0)
    return np.column_stack([proba * (1.0 - far)[:, None], far]), z, logits


# ---------------------------------------------------------------------------- the one-row form


def score_row(
    prepared: Prepared, x: np.ndarray
) -> tuple[np.ndarray, PatternModel | None, np.ndarray, np.ndarray, np.ndarray]:
    """One customer's probabilities, their model, standardised values, logits, and which of
    the model's columns were imputed: :func:`score_block`'s arithmetic on one row."""
    row = np.asarray(x, dtype=np.float64)
    missing = np.isnan(row)
    pattern = pattern_of_missing(prepared, missing)
    if not pattern:
        out = np.zeros(prepared.n_personas + 1)
        out[-1] = 1.0
        return out, None, np.empty(0), np.empty(0), np.empty(0, dtype=bool)
    evidence = prepared.evidence
    b = 0
    if evidence is not None:
        count = row[evidence[0]]
        b = 0 if count != count else int(np.searchsorted(evidence[1], count, side="right"))
    route = prepared.routes.get((pattern, b))
    if route is None:
        raise unfitted_pattern(pattern)
    model = route.model
    if route.columns is not None:  # the pattern leaves columns out
        row, missing = row[route.columns], missing[route.columns]
    values = np.where(missing, route.median, row)
    np.clip(values, -VALUE_LIMIT, VALUE_LIMIT, out=values)
    z = values - model.mean
    np.divide(z, model.scale, out=z)
    # The logistic terms and the squared distances to the centroids, side by
    # side in one C-ordered block: one reduction along each contiguous row
    # gives score_block's sums (one persona at a time, along the row) bit for bit.
    k = len(model.coef)
    block = np.empty((2 * k, len(z)))
    np.multiply(z, model.coef, out=block[:k])
    np.subtract(values if model.centres is None else z, route.centroids, out=block[k:])
    np.square(block[k:], out=block[k:])
    sums = np.add.reduce(block, axis=1)
    logits = sums[:k]
    logits += model.intercept
    weights = softmax(logits)
    reach = np.sqrt(sums[k:]) / model.radius
    nearest = float(np.minimum.reduce(reach))  # Python floats: same IEEE arithmetic
    far = min(max((nearest - 1.0) / (prepared.max_distance - 1.0), 0.0), 1.0)
    out = np.empty(k + 1)
    np.multiply(weights, 1.0 - far, out=out[:k])
    out[k] = far
    return out, model, z, logits, missing


def pattern_of_missing(prepared: Prepared, missing: np.ndarray) -> Pattern:
    """The signal pattern of a row's missing-value mask (the groups with a value)."""
    mask = missing.tobytes()
    pattern = prepared.masks.get(mask)
    if pattern is not None:
        return pattern
    if prepared.starts is not None:
        seen = ~np.logical_and.reduceat(missing, prepared.starts)
    else:
        seen = np.bincount(prepared.group_of[~missing], minlength=len(prepared.names)) > 0
    key = seen.tobytes()
    pattern = prepared.patterns.get(key)
    if pattern is None:
        flags = seen.tolist()
        pattern = prepared.patterns[key] = tuple(
            n for n, s in zip(prepared.names, flags, strict=True) if s
        )
    if len(prepared.masks) < _MASKS_KEPT:
        prepared.masks[mask] = pattern
    return pattern
