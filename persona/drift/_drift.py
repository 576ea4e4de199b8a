"""Has the customer base drifted away from the one the personas were trained on?

A nightly job scores the whole base in chunks. :func:`drift_reference` summarises
the training customers once (quantile bins per feature, persona shares, mean
confidence, unassigned rate, signal coverage) as plain JSON-able data, to be
stored beside the model. Each scored chunk goes into a :class:`DriftAccumulator`
(integer counts, so chunks may be counted in parallel, merged in any order and
saved for a resumed job); its :meth:`~DriftAccumulator.report` compares tonight
with the reference and says, with :class:`DriftThresholds`, whether a refit is
recommended. The :class:`DriftReport` is written as JSON for machines and as one
small self-contained HTML page for people.

This module only reads the frames it is given and writes the files it is asked to.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona._manifest import atomic_write
from persona.assignment._assigner import UNASSIGNED
from persona.errors import InputError

__all__ = [
    "DriftAccumulator",
    "DriftReport",
    "DriftThresholds",
    "drift_reference",
    "population_stability_index",
]

REFERENCE_FORMAT = "persona-drift-reference"
STATE_FORMAT = "persona-drift-counts"
REPORT_FORMAT = "persona-drift-report"
FORMAT_VERSION = 1
_AVAILABLE = "available__"
_DIAGNOSTIC = "response__"  # how a customer answered the survey; never enters the model
_EPSILON = 1e-4
# Confidence is summed as integer billionths: an integer sum is exact, so the total
# (and the mean confidence) is the same however customers are split into chunks and
# in whatever order chunks are merged. A float sum -- even math.fsum of per-chunk
# fsums -- rounds each chunk's partial sum, and different splits round differently.
# Rounding each confidence to 1e-9 costs nothing a report can show; int64 holds the
# sum of a chunk of up to 9 billion customers and Python ints hold the running total.
_CONFIDENCE_UNITS = 10**9


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
        raise ValueError(
            f"Got distributions of shapes {e.shape} and {a.shape}, but expected two 1-D "
            "arrays over the same bins."
        )
    return float(np.sum((a - e) * np.log(a / e)))


# ---------------------------------------------------------------------- reference


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
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 2:
        raise ValueError(f"Got bins={bins!r}, but expected an integer of at least 2.")
    _check_frames(features, scores, "training")
    tracked = _tracked(features) if columns is None else [str(c) for c in columns]
    values = _feature_values(features, tracked, "named in columns=")
    signals = _signals(features)
    persona_ids, confidence = _scores(scores, "training")
    n = len(features)
    summary = {}
    for j, column in enumerate(tracked):
        present = values[j][~np.isnan(values[j])]
        edges = np.unique(np.quantile(present, np.arange(1, bins) / bins)) if len(present) else []
        counts = np.bincount(_bin_of(present, edges), minlength=len(edges) + 1)
        summary[column] = {
            "edges": [float(e) for e in edges],
            "expected": (counts / max(len(present), 1)).tolist(),
            "missing": (n - len(present)) / n,
        }
    personas, counts = np.unique(persona_ids, return_counts=True)
    return {
        "format": REFERENCE_FORMAT,
        "format_version": FORMAT_VERSION,
        "n_customers": n,
        "bins": int(bins),
        "features": summary,
        "personas": {str(p): int(c) / n for p, c in zip(personas.tolist(), counts, strict=True)},
        "mean_confidence": _confidence_units(confidence) / _CONFIDENCE_UNITS / n,
        "unassigned_rate": int(np.count_nonzero(persona_ids == UNASSIGNED)) / n,
        "coverage": {
            signal: int(np.count_nonzero(features[column].to_numpy() == 1)) / n
            for signal, column in signals.items()
        },
    }


def _bin_of(values: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    # side="right": a value equal to an edge goes above it, so every copy of a discrete
    # value lands in the same bin, in training and tonight alike.
    return np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")


def _tracked(features: pd.DataFrame) -> list[str]:
    return [str(c) for c in features.columns if not str(c).startswith((_AVAILABLE, _DIAGNOSTIC))]


def _signals(features: pd.DataFrame) -> dict[str, str]:
    return {
        str(c).removeprefix(_AVAILABLE): str(c)
        for c in features.columns
        if str(c).startswith(_AVAILABLE)
    }


def _confidence_units(confidence: np.ndarray) -> int:
    return int(np.rint(confidence * _CONFIDENCE_UNITS).astype(np.int64).sum())


# ---------------------------------------------------------------------- input checks


def _check_frames(features: Any, scores: Any, which: str) -> None:
    if not isinstance(features, pd.DataFrame):
        raise TypeError(
            f"features: expected a pandas DataFrame indexed by customer_id, got "
            f"{type(features).__name__}. Wrap an array as pd.DataFrame(values, "
            "index=customer_ids, columns=feature_names)."
        )
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(
            f"scores: expected a pandas DataFrame with columns persona_id and confidence, got "
            f"{type(scores).__name__}. Build it as pd.DataFrame({{'persona_id': labels, "
            "'confidence': confidence}, index=customer_ids)."
        )
    if len(features) == 0 and which == "training":
        raise InputError(
            "features", "the table is empty (0 rows).", fix="pass the training customers."
        )
    if features.index.has_duplicates:
        repeated = features.index[features.index.duplicated()].unique()[:5].tolist()
        raise InputError(
            "features",
            f"customer ids repeat, e.g. {repeated}; each customer would be counted twice.",
            fix="pass one row per customer.",
        )
    if not features.index.equals(scores.index):
        lacking = features.index.difference(scores.index)[:5].tolist()
        extra = scores.index.difference(features.index)[:5].tolist()
        if lacking or extra or len(features) != len(scores):
            raise InputError(
                "scores",
                f"the customers differ from those of features ({len(scores)} vs "
                f"{len(features)} rows; without scores: {lacking}; not in features: {extra}).",
                fix="score exactly the customers of the feature chunk, indexed by customer_id.",
            )


def _feature_values(features: pd.DataFrame, columns: list[str], which: str) -> list[np.ndarray]:
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise InputError(
            "features",
            f"{len(missing)} column(s) {which} are absent, first {missing[:5]}; the table "
            f"has {len(features.columns)} columns.",
            column=missing[0],
            fix="build tonight's features with the same FeatureBuilder (same schema) as the "
            "training features; do not drop all-missing columns.",
        )
    odd = [c for c in columns if not _numeric(features[c])]
    if odd:
        raise InputError(
            "features",
            f"column(s) {odd[:5]} are not numeric (first is {features[odd[0]].dtype}).",
            column=odd[0],
            fix="pass numeric features (float64, NaN where missing), or leave the column out "
            "with columns=.",
        )
    # Column by column: each is contiguous already, and no (customers x features)
    # copy is made (a fresh block of hundreds of MB costs more than the counting).
    values = [features[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in columns]
    infinite = [bool(np.isinf(v).any()) for v in values]
    if any(infinite):
        bad = [c for c, i in zip(columns, infinite, strict=True) if i]
        raise InputError(
            "features",
            f"column(s) {bad[:5]} hold infinite values.",
            column=bad[0],
            fix="replace inf with a finite value, or NaN where the value is unknown.",
        )
    return values


def _scores(scores: pd.DataFrame, which: str) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("persona_id", "confidence") if c not in scores.columns]
    if missing:
        raise InputError(
            "scores",
            f"the {which} scores lack the column(s) {missing}; they have "
            f"{list(scores.columns)[:10]}.",
            column=missing[0],
            fix="pass a DataFrame with persona_id (int, -1 unassigned) and confidence in [0, 1].",
        )
    ids = scores["persona_id"]
    values = ids.to_numpy(dtype=np.float64, na_value=np.nan) if _numeric(ids) else None
    if values is None or not np.all(np.isfinite(values)) or np.any(values != np.rint(values)):
        raise InputError(
            "scores",
            "persona_id holds values that are not whole numbers.",
            column="persona_id",
            fix="give every customer an integer persona id, -1 when unassigned.",
        )
    confidence = scores["confidence"]
    conf = confidence.to_numpy(dtype=np.float64, na_value=np.nan) if _numeric(confidence) else None
    if conf is None or not np.all((conf >= 0) & (conf <= 1)):  # NaN fails too
        raise InputError(
            "scores",
            "confidence holds values outside [0, 1] (or missing).",
            column="confidence",
            fix="give every customer a confidence in [0, 1], also the unassigned.",
        )
    return values.astype(np.int64), conf


def _numeric(values: pd.Series) -> bool:
    return ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype)


def _checked_reference(reference: Any) -> Mapping[str, Any]:
    keys = ("features", "personas", "mean_confidence", "unassigned_rate", "coverage", "n_customers")
    if not isinstance(reference, Mapping) or reference.get("format") != REFERENCE_FORMAT:
        raise ValueError(
            f"Got reference of type {type(reference).__name__} that is not a drift reference. "
            "Build it once from the training customers with drift_reference(features, scores) "
            "and store it with the model."
        )
    if reference.get("format_version") != FORMAT_VERSION or any(k not in reference for k in keys):
        raise ValueError(
            f"The drift reference is damaged or of another version (format_version="
            f"{reference.get('format_version')!r}, expected {FORMAT_VERSION}, with keys "
            f"{list(keys)}). Rebuild it with drift_reference(features, scores)."
        )
    return reference


def _fingerprint(reference: Mapping[str, Any]) -> str:
    text = json.dumps(reference, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- accumulator


class DriftAccumulator:
    """Counts of tonight's customers in the reference's bins, chunk by chunk.

    Every count is an integer (confidence too: summed in billionths), so the
    report is exactly the same however customers are split into chunks and in
    whatever order chunks are counted or merged.

    Parameters
    ----------
    reference : dict
        From :func:`drift_reference`, as stored (a JSON round trip is fine).

    Examples
    --------
    >>> features = pd.DataFrame({"behaviour__visits": [1.0, 2.0, 3.0, 4.0]})
    >>> scores = pd.DataFrame({"persona_id": [0, 0, 1, 1], "confidence": [0.9] * 4})
    >>> accumulator = DriftAccumulator(drift_reference(features, scores, bins=2))
    >>> accumulator.update(features * 10, scores).report().features["status"].tolist()
    ['major']
    """

    def __init__(self, reference: Mapping[str, Any]) -> None:
        self.reference = _checked_reference(reference)
        self._fingerprint = _fingerprint(self.reference)
        self._columns = list(self.reference["features"])
        self._n = 0
        # Per feature: [missing, bin 0, bin 1, ...].
        self._counts = {
            c: np.zeros(len(s["expected"]) + 1, dtype=np.int64)
            for c, s in self.reference["features"].items()
        }
        self._personas: dict[int, int] = {}
        self._confidence = 0
        self._available = dict.fromkeys(self.reference["coverage"], 0)

    @property
    def n_customers(self) -> int:
        """Customers counted so far."""
        return self._n

    def update(self, features: pd.DataFrame, scores: pd.DataFrame) -> DriftAccumulator:
        """Count one chunk of scored customers; return ``self``.

        ``features`` must hold every tracked column of the reference and its
        ``available__*`` flags (in any order; other columns are ignored);
        ``scores`` the same customers' ``persona_id`` and ``confidence``.
        """
        _check_frames(features, scores, "tonight's")
        values = _feature_values(features, self._columns, "the drift reference tracks")
        flags = [_AVAILABLE + s for s in self._available]
        flags = _feature_values(features, flags, "the drift reference tracks")
        persona_ids, confidence = _scores(scores, "tonight's")
        for j, column in enumerate(self._columns):
            x = values[j]
            missing = np.isnan(x)
            edges = self.reference["features"][column]["edges"]
            counts = self._counts[column]
            counts[0] += np.count_nonzero(missing)
            counts[1:] += np.bincount(_bin_of(x[~missing], edges), minlength=len(counts) - 1)
        for j, signal in enumerate(self._available):
            self._available[signal] += int(np.count_nonzero(flags[j] == 1))
        for persona, count in zip(*np.unique(persona_ids, return_counts=True), strict=True):
            self._personas[int(persona)] = self._personas.get(int(persona), 0) + int(count)
        self._confidence += _confidence_units(confidence)
        self._n += len(features)
        return self

    def merge(self, other: DriftAccumulator) -> DriftAccumulator:
        """Add the counts of ``other`` (chunks counted elsewhere); return ``self``."""
        if not isinstance(other, DriftAccumulator):
            raise TypeError(f"Got {type(other).__name__}, but expected a DriftAccumulator.")
        if other._fingerprint != self._fingerprint:
            raise ValueError(
                "Cannot merge counts made against another drift reference "
                f"({other._fingerprint} vs {self._fingerprint}): count every chunk against "
                "the reference stored with tonight's model."
            )
        for column, counts in other._counts.items():
            self._counts[column] += counts
        for persona, count in other._personas.items():
            self._personas[persona] = self._personas.get(persona, 0) + count
        for signal, count in other._available.items():
            self._available[signal] += count
        self._confidence += other._confidence
        self._n += other._n
        return self

    def to_state(self) -> dict[str, Any]:
        """The counts as JSON-able data, to restore with :meth:`from_state`."""
        return {
            "format": STATE_FORMAT,
            "format_version": FORMAT_VERSION,
            "reference": self._fingerprint,
            "n_customers": self._n,
            "features": {c: counts.tolist() for c, counts in self._counts.items()},
            "personas": {str(p): self._personas[p] for p in sorted(self._personas)},
            "confidence_units": self._confidence,
            "confidence_scale": _CONFIDENCE_UNITS,
            "available": dict(self._available),
        }

    @classmethod
    def from_state(cls, reference: Mapping[str, Any], state: Mapping[str, Any]) -> DriftAccumulator:
        """An accumulator holding the counts of ``state`` (from :meth:`to_state`)."""
        accumulator = cls(reference)
        if not isinstance(state, Mapping) or state.get("format") != STATE_FORMAT:
            raise ValueError(
                "Got a state that is not drift counts: pass what DriftAccumulator.to_state() "
                "returned."
            )
        if state.get("reference") != accumulator._fingerprint:
            raise ValueError(
                f"These drift counts were made against another reference "
                f"({state.get('reference')}, this one is {accumulator._fingerprint}): "
                "restore them with the reference they were counted against, or recount."
            )
        if state.get("confidence_scale") != _CONFIDENCE_UNITS:
            raise ValueError("The drift counts sum confidence on another scale: recount them.")
        for column, counts in state["features"].items():
            accumulator._counts[column] = np.asarray(counts, dtype=np.int64)
        accumulator._personas = {int(p): int(c) for p, c in state["personas"].items()}
        accumulator._available = {s: int(c) for s, c in state["available"].items()}
        accumulator._confidence = int(state["confidence_units"])
        accumulator._n = int(state["n_customers"])
        return accumulator

    def report(self, thresholds: DriftThresholds | None = None) -> DriftReport:
        """Compare the counts with the reference; see :class:`DriftThresholds` for the rules."""
        if self._n == 0:
            raise ValueError("No customers were counted: call update(features, scores) first.")
        return _report(self, thresholds if thresholds is not None else DriftThresholds())


# ---------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class DriftThresholds:
    """When a change is flagged, and when a refit is recommended.

    Attributes
    ----------
    psi_moderate, psi_major : float, default=0.1, 0.25
        A feature's PSI from which it is flagged moderate / major. These are the
        industry rules of thumb (credit scoring): under 0.1 no real change, 0.1 to
        0.25 worth a look, over 0.25 the population has moved.
    major_feature_share : float, default=0.1
        A refit is recommended when at least ``max(1, ceil(share * n_features))``
        features are major: 9 of the 83 default features. One or two major
        features in a wide matrix most often mean an upstream change (a unit, a
        new channel code) to fix rather than a world the personas no longer fit:
        they are flagged, and if they move assignments the persona rule fires.
        Set 0 to refit on any major feature.
    persona_shift : float, default=0.05
        Absolute change of a persona's share of customers (5 points).
    unassigned_increase : float, default=0.05
        Rise of the unassigned rate (5 points): more customers the personas miss.
    confidence_drop : float, default=0.1
        Fall of the mean confidence.
    coverage_change : float, default=0.1
        Absolute change of the share of customers with a signal (survey,
        touchpoints, emotions), either way: it changes which features drive assignment.
    min_customers : int, default=1000
        Below this many customers tonight, nothing is recommended: at 1,000 a
        persona share of 25 % has a sampling error of 1.4 points (a 5-point shift
        is 3.6 of them), while at a few hundred noise alone crosses the thresholds.

    A refit is recommended, given ``min_customers``, when the major-feature rule
    or any persona, unassigned, confidence or coverage threshold is crossed.
    """

    psi_moderate: float = 0.1
    psi_major: float = 0.25
    major_feature_share: float = 0.1
    persona_shift: float = 0.05
    unassigned_increase: float = 0.05
    confidence_drop: float = 0.1
    coverage_change: float = 0.1
    min_customers: int = 1000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ValueError(f"Got {name}={value!r}, but expected a non-negative number.")
        if self.psi_major < self.psi_moderate:
            raise ValueError(
                f"Got psi_moderate={self.psi_moderate} above psi_major={self.psi_major}, but "
                "expected psi_moderate <= psi_major."
            )
        if self.major_feature_share > 1:
            raise ValueError(
                f"Got major_feature_share={self.major_feature_share}, but expected a share "
                "in [0, 1]."
            )

    def major_features_needed(self, n_features: int) -> int:
        """How many major features recommend a refit, out of ``n_features``."""
        return max(1, math.ceil(self.major_feature_share * n_features - 1e-9))


# ---------------------------------------------------------------------- report


@dataclass(eq=False)
class DriftReport:
    """Tonight against the training reference.

    Attributes
    ----------
    n_customers, reference_customers : int
        Customers counted tonight, and in the training reference.
    features : DataFrame
        ``feature``, ``psi``, ``status`` (ok / moderate / major),
        ``missing_reference``, ``missing_current``; by PSI, highest first.
    personas : DataFrame
        ``persona_id``, ``reference_share``, ``current_share``, ``shift``.
    mean_confidence, unassigned_rate : dict
        ``reference``, ``current`` and ``change``.
    coverage : DataFrame
        ``signal``, ``reference``, ``current``, ``change`` (shares of customers).
    flags : list of str
        What drifted and by how much, one sentence each.
    refit_recommended : bool
    verdict : str
        One line: the recommendation and why.
    thresholds : DriftThresholds
    """

    n_customers: int
    reference_customers: int
    features: pd.DataFrame
    personas: pd.DataFrame
    mean_confidence: dict[str, float]
    unassigned_rate: dict[str, float]
    coverage: pd.DataFrame
    flags: list[str]
    refit_recommended: bool
    verdict: str
    thresholds: DriftThresholds = field(default_factory=DriftThresholds)

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-able data."""
        return {
            "format": REPORT_FORMAT,
            "format_version": FORMAT_VERSION,
            "n_customers": self.n_customers,
            "reference_customers": self.reference_customers,
            "refit_recommended": self.refit_recommended,
            "verdict": self.verdict,
            "flags": list(self.flags),
            "features": _records(self.features),
            "personas": _records(self.personas),
            "mean_confidence": dict(self.mean_confidence),
            "unassigned_rate": dict(self.unassigned_rate),
            "coverage": _records(self.coverage),
            "thresholds": asdict(self.thresholds),
        }

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON to ``path`` (atomically); return the path."""
        path = Path(path)
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False)
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
        return path

    def to_html(self, path: str | os.PathLike) -> Path:
        """Write one self-contained HTML page (no script, no external resource); return it."""
        path = Path(path)
        page = _PAGE.format(body=_html_body(self))
        atomic_write(path, lambda f: f.write(page.encode("utf-8")))
        return path

    def __str__(self) -> str:
        lines = [f"Drift over {self.n_customers:,} customers: {self.verdict}"]
        lines += [f"- {flag}" for flag in self.flags[:5]]
        if len(self.flags) > 5:
            lines.append(f"- ... and {len(self.flags) - 5} more (see to_html or to_dict)")
        return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _report(acc: DriftAccumulator, thresholds: DriftThresholds) -> DriftReport:
    reference, n = acc.reference, acc._n
    features = _feature_table(acc, thresholds)
    personas = _persona_table(reference["personas"], acc._personas, n)
    confidence = _change(reference["mean_confidence"], acc._confidence / _CONFIDENCE_UNITS / n)
    unassigned = _change(reference["unassigned_rate"], acc._personas.get(UNASSIGNED, 0) / n)
    coverage = pd.DataFrame(
        [
            {"signal": signal, **_change(share, acc._available[signal] / n)}
            for signal, share in reference["coverage"].items()
        ],
        columns=["signal", "reference", "current", "change"],
    )
    flags, reasons = _feature_findings(features, thresholds)
    for finding in _other_findings(personas, unassigned, confidence, coverage, thresholds):
        flags.append(finding[0].upper() + finding[1:] + ".")
        reasons.append(finding)
    refit = bool(reasons) and n >= thresholds.min_customers
    if n < thresholds.min_customers:
        verdict = (
            f"Too few customers to judge: {n:,} counted, {thresholds.min_customers:,} needed "
            "(min_customers); the flags below may be sampling noise."
        )
    elif refit:
        verdict = "Refit recommended: " + "; ".join(reasons) + "."
    elif flags:
        verdict = f"No refit needed; {len(flags)} flag(s) worth a look."
    else:
        verdict = "No refit needed: tonight's customers look like the training customers."
    return DriftReport(
        n_customers=n,
        reference_customers=int(reference["n_customers"]),
        features=features,
        personas=personas,
        mean_confidence=confidence,
        unassigned_rate=unassigned,
        coverage=coverage,
        flags=flags,
        refit_recommended=refit,
        verdict=verdict,
        thresholds=thresholds,
    )


def _feature_findings(
    features: pd.DataFrame, thresholds: DriftThresholds
) -> tuple[list[str], list[str]]:
    """Flags for major and moderate features; the reason to refit when enough are major."""
    major = features[features["status"] == "major"]
    moderate = features[features["status"] == "moderate"]
    flags = [
        f"{row.feature} drifted: PSI {row.psi:.2f} (major); missing "
        f"{row.missing_reference:.1%} -> {row.missing_current:.1%}."
        for row in major.itertuples()
    ]
    if len(moderate):
        named = ", ".join(f"{row.feature} ({row.psi:.2f})" for row in moderate.itertuples())
        flags.append(f"{len(moderate)} feature(s) shifted moderately (PSI): {named}.")
    needed = thresholds.major_features_needed(len(features))
    reasons = []
    if len(major) >= needed:
        reasons.append(
            f"{len(major)} of {len(features)} features drifted majorly (refit from {needed})"
        )
    return flags, reasons


def _other_findings(personas, unassigned, confidence, coverage, thresholds) -> list[str]:
    """Each crossed persona, unassigned, confidence and coverage threshold, in words."""
    findings = [
        f"persona {row.persona_id} went from {row.reference_share:.1%} to "
        f"{row.current_share:.1%} of customers ({100 * row.shift:+.1f} points)"
        for row in personas[personas["persona_id"] != UNASSIGNED].itertuples()
        if abs(row.shift) >= thresholds.persona_shift
    ]
    if unassigned["change"] >= thresholds.unassigned_increase:
        findings.append(
            f"unassigned customers went from {unassigned['reference']:.1%} to "
            f"{unassigned['current']:.1%} ({100 * unassigned['change']:+.1f} points)"
        )
    if -confidence["change"] >= thresholds.confidence_drop:
        findings.append(
            f"mean confidence fell from {confidence['reference']:.2f} to "
            f"{confidence['current']:.2f} ({confidence['change']:+.2f})"
        )
    findings += [
        f"{row.signal} coverage went from {row.reference:.1%} to {row.current:.1%} of "
        f"customers ({100 * row.change:+.1f} points)"
        for row in coverage.itertuples()
        if abs(row.change) >= thresholds.coverage_change
    ]
    return findings


def _feature_table(acc: DriftAccumulator, thresholds: DriftThresholds) -> pd.DataFrame:
    rows = []
    for column, summary in acc.reference["features"].items():
        missing = summary["missing"]
        expected = np.concatenate([[missing], (1 - missing) * np.asarray(summary["expected"])])
        actual = acc._counts[column] / acc._n
        psi = population_stability_index(expected, actual)
        status = "ok" if psi < thresholds.psi_moderate else "moderate"
        status = "major" if psi >= thresholds.psi_major else status
        rows.append((column, psi, status, missing, float(actual[0])))
    frame = pd.DataFrame(
        rows, columns=["feature", "psi", "status", "missing_reference", "missing_current"]
    )
    # Ties broken by name, so the order never depends on how the reference was stored.
    return frame.sort_values(["psi", "feature"], ascending=[False, True], ignore_index=True)


def _persona_table(reference: Mapping[str, float], counts: dict[int, int], n: int):
    ids = sorted({int(p) for p in reference} | set(counts))
    rows = []
    for p in ids:
        before, now = float(reference.get(str(p), 0.0)), counts.get(p, 0) / n
        rows.append((p, before, now, now - before))
    return pd.DataFrame(rows, columns=["persona_id", "reference_share", "current_share", "shift"])


def _change(reference: float, current: float) -> dict[str, float]:
    return {"reference": float(reference), "current": current, "change": current - reference}


# ---------------------------------------------------------------------- HTML


def _html_body(report: DriftReport) -> str:
    features = report.features
    flagged = features[features["status"] != "ok"]
    # Shares and their changes read as percentages and points; confidence as it is.
    scalars = [
        ("mean confidence", report.mean_confidence, 1, "{:.3f}", "{:+.3f}"),
        ("unassigned rate", report.unassigned_rate, 100, "{:.1f}%", "{:+.1f} points"),
    ]
    scalars += [
        (f"{row.signal} coverage", row._asdict(), 100, "{:.1f}%", "{:+.1f} points")
        for row in report.coverage.itertuples()
    ]
    verdict_class = "refit" if report.refit_recommended else "look" if report.flags else "ok"
    items = "".join(f"<li>{html.escape(flag)}</li>" for flag in report.flags) or "<li>none</li>"
    personas = [
        (p, f"{before:.1%}", f"{now:.1%}", f"{100 * shift:+.1f}")
        for p, before, now, shift in report.personas.itertuples(index=False)
    ]
    measures = [
        (
            name,
            *(shown.format(unit * v[k]) for k in ("reference", "current")),
            change.format(unit * v["change"]),
        )
        for name, v, unit, shown, change in scalars
    ]
    parts = [
        "<h1>Persona drift report</h1>",
        f"<p class='verdict {verdict_class}'>{html.escape(report.verdict)}</p>",
        f"<p class='lead'>{report.n_customers:,} customers tonight against "
        f"{report.reference_customers:,} training customers.</p>",
        "<h2>Flags</h2>",
        f"<ul>{items}</ul>",
        "<h2>Flagged features</h2>",
        _feature_html(flagged) if len(flagged) else "<p>none</p>",
        "<h2>Persona shares</h2>",
        _html_table(["persona", "reference", "tonight", "shift (points)"], personas),
        "<h2>Confidence, unassigned and coverage</h2>",
        _html_table(["measure", "reference", "tonight", "change"], measures),
        "<h2>All features by PSI</h2>",
        _feature_html(features),
        "<h2>Thresholds</h2>",
        _html_table(["threshold", "value"], list(asdict(report.thresholds).items())),
    ]
    return "\n".join(parts)


def _feature_html(frame: pd.DataFrame) -> str:
    rows = [
        (feature, f"{psi:.3f}", status, f"{before:.1%}", f"{now:.1%}")
        for feature, psi, status, before, now in frame.itertuples(index=False)
    ]
    header = ["feature", "PSI", "status", "missing (reference)", "missing (tonight)"]
    return _html_table(header, rows)


def _html_table(header: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Persona drift report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }}
.lead {{ color: #555; }}
.verdict {{ font-size: 1.15em; font-weight: 600; padding: 0.6em 1em; border-radius: 6px; }}
.verdict.refit {{ background: #fde2e1; }}
.verdict.look {{ background: #fff4d6; }}
.verdict.ok {{ background: #e3f4e1; }}
table {{ border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }}
td, th {{ padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: left; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
