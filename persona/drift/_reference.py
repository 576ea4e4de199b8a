"""The drift reference: the training customers summarised once, at fit, as plain JSON-able data.

:func:`drift_reference` puts each tracked feature into quantile bins and keeps
the share of training customers in each, with the persona shares, the mean
confidence, the unassigned rate and the coverage of each signal.
:func:`population_stability_index` is the measure tonight's counts in those
bins are compared with. The helpers below are the rules both sides share: which
columns are tracked, which bin a value falls in, and how confidence is summed.

This module reads the frames it is given and touches nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from persona._validate import is_whole
from persona.assignment import UNASSIGNED
from persona.drift._inputs import check_frames, check_scores, feature_values
from persona.errors import ArtifactError, ConfigError

__all__ = [
    "AVAILABLE",
    "CONFIDENCE_UNITS",
    "FORMAT_VERSION",
    "bin_of",
    "checked_reference",
    "confidence_units",
    "drift_reference",
    "fingerprint",
    "population_stability_index",
]

REFERENCE_FORMAT = "persona-drift-reference"
FORMAT_VERSION = 1
AVAILABLE = "available__"
_DIAGNOSTIC = "response__"  # how a customer answered the survey; never enters the model
_EPSILON = 1e-4
# Confidence is summed as integer billionths: an integer sum is exact, so the total
# (and the mean confidence) is the same however customers are split into chunks and
# in whatever order chunks are merged. A float sum -- even math.fsum of per-chunk
# fsums -- rounds each chunk's partial sum, and different splits round differently.
# Rounding each confidence to 1e-9 costs nothing a report can show; int64 holds the
# sum of a chunk of up to 9 billion customers and Python ints hold the running total.
CONFIDENCE_UNITS = 10**9


def population_stability_index(
    expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray
) -> float:
    """PSI between two distributions over the same bins: ``sum (a - e) * ln(a / e)``.

    Proportions are floored at 1e-4 (and not renormalised) so that a bin empty on
    one side adds a large but finite term instead of infinity. The usual reading:
    below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one.

    Without drift, sampling noise alone gives a PSI of about
    ``(bins - 1) * (1 / n_reference + 1 / n_tonight)``: 0.006 for 12 bins, 5,000
    training customers and 3,000 tonight, but 0.11 for 100 customers tonight.

    Examples
    --------
    >>> round(population_stability_index([0.5, 0.5], [0.6, 0.4]), 4)
    0.0405
    """
    e = np.maximum(np.asarray(expected, dtype=np.float64), _EPSILON)
    a = np.maximum(np.asarray(actual, dtype=np.float64), _EPSILON)
    if e.shape != a.shape or e.ndim != 1:
        raise ConfigError(
            f"Got distributions of shapes {e.shape} and {a.shape}, but expected two 1-D "
            "arrays over the same bins."
        )
    return float(np.sum((a - e) * np.log(a / e)))


def drift_reference(
    features: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    bins: int = 10,
    columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Summarise the training customers, the yardstick tonight is measured against.

    Parameters
    ----------
    features : DataFrame
        One row per training customer, indexed by ``customer_id``: the feature
        columns (NaN where the customer lacks that signal) and the
        ``available__<signal>`` flags (1.0 / 0.0). Pass the same kind of matrix
        (raw from ``FeatureBuilder.compute`` or scaled) here and every night.
    scores : DataFrame
        ``persona_id`` (int, -1 unassigned) and ``confidence`` (in [0, 1]), same customers.
    bins : int, default=10
        Quantile bins per feature, before ties merge them.
    columns : sequence of str, optional
        The features to track, e.g. ``model.feature_names_out_``. By default every
        column except ``available__*`` (coverage) and ``response__*`` (diagnostics).

    Returns
    -------
    dict
        JSON-able: ``features`` (per column: interior quantile ``edges``, the
        ``expected`` share of each bin among non-missing values, the ``missing``
        share), ``personas`` (share by persona id as text, -1 included),
        ``mean_confidence``, ``unassigned_rate``, ``coverage`` (share with each
        ``available__*`` flag at 1, by signal) and ``n_customers``.

    Examples
    --------
    >>> features = pd.DataFrame({"behaviour__visits": [1.0, 2.0, 2.0, np.nan]})
    >>> scores = pd.DataFrame({"persona_id": [0, 0, 1, -1], "confidence": [0.9, 0.8, 0.7, 0.2]})
    >>> reference = drift_reference(features, scores, bins=2)
    >>> reference["features"]["behaviour__visits"]
    {'edges': [2.0], 'expected': [0.3333333333333333, 0.6666666666666666], 'missing': 0.25}
    >>> reference["personas"], reference["unassigned_rate"]
    ({'-1': 0.25, '0': 0.5, '1': 0.25}, 0.25)
    """
    if not is_whole(bins) or bins < 2:
        raise ConfigError(f"Got bins={bins!r}, but expected an integer of at least 2.")
    check_frames(features, scores, "training")
    tracked = _tracked(features) if columns is None else [str(c) for c in columns]
    values = feature_values(features, tracked, "named in columns=")
    persona_ids, confidence = check_scores(scores, "training")
    n = len(features)
    personas, counts = np.unique(persona_ids, return_counts=True)
    return {
        "format": REFERENCE_FORMAT,
        "format_version": FORMAT_VERSION,
        "n_customers": n,
        "bins": int(bins),
        "features": {column: _binned(values[j], int(bins), n) for j, column in enumerate(tracked)},
        "personas": {str(p): int(c) / n for p, c in zip(personas.tolist(), counts, strict=True)},
        "mean_confidence": confidence_units(confidence) / CONFIDENCE_UNITS / n,
        "unassigned_rate": int(np.count_nonzero(persona_ids == UNASSIGNED)) / n,
        "coverage": {
            signal: int(np.count_nonzero(features[column].to_numpy() == 1)) / n
            for signal, column in _signals(features).items()
        },
    }


def _binned(values: np.ndarray, bins: int, n: int) -> dict[str, Any]:
    """One feature's interior quantile edges, share of each bin, and share missing."""
    present = values[~np.isnan(values)]
    edges = np.unique(np.quantile(present, np.arange(1, bins) / bins)) if len(present) else []
    counts = np.bincount(bin_of(present, edges), minlength=len(edges) + 1)
    return {
        "edges": [float(e) for e in edges],
        "expected": (counts / max(len(present), 1)).tolist(),
        "missing": (n - len(present)) / n,
    }


def bin_of(values: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """The bin of each value among ``len(edges) + 1``, in training and tonight alike."""
    # side="right": a value equal to an edge goes above it, so every copy of a discrete
    # value lands in the same bin, in training and tonight alike.
    return np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")


def _tracked(features: pd.DataFrame) -> list[str]:
    return [str(c) for c in features.columns if not str(c).startswith((AVAILABLE, _DIAGNOSTIC))]


def _signals(features: pd.DataFrame) -> dict[str, str]:
    return {
        str(c).removeprefix(AVAILABLE): str(c)
        for c in features.columns
        if str(c).startswith(AVAILABLE)
    }


def confidence_units(confidence: np.ndarray) -> int:
    """The confidences' sum in integer billionths (see ``CONFIDENCE_UNITS``)."""
    return int(np.rint(confidence * CONFIDENCE_UNITS).astype(np.int64).sum())


def checked_reference(reference: Any) -> Mapping[str, Any]:
    """``reference`` if it is a whole drift reference of this version, else an ArtifactError."""
    keys = ("features", "personas", "mean_confidence", "unassigned_rate", "coverage", "n_customers")
    if not isinstance(reference, Mapping) or reference.get("format") != REFERENCE_FORMAT:
        raise ArtifactError(
            f"Got reference of type {type(reference).__name__} that is not a drift reference. "
            "Build it once from the training customers with drift_reference(features, scores) "
            "and store it with the model."
        )
    if reference.get("format_version") != FORMAT_VERSION or any(k not in reference for k in keys):
        raise ArtifactError(
            f"The drift reference is damaged or of another version (format_version="
            f"{reference.get('format_version')!r}, expected {FORMAT_VERSION}, with keys "
            f"{list(keys)}). Rebuild it with drift_reference(features, scores)."
        )
    return reference


def fingerprint(reference: Mapping[str, Any]) -> str:
    """A short digest of the reference: counts made against another one never mix."""
    text = json.dumps(reference, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
