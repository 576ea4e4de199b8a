"""Tonight's customers counted against the drift reference, chunk by chunk, in bounded memory.

:class:`DriftAccumulator` keeps only integer counts (per feature bin, per
persona, per signal, and confidence in billionths), so chunks may be counted in
parallel, merged in any order and saved with :meth:`~DriftAccumulator.to_state`
for a resumed job, and the report is the same whichever way. The comparison
itself is :func:`persona.drift._report.compare`.

This module reads the frames and states it is given and touches nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from persona.drift._inputs import check_frames, check_scores, feature_values
from persona.drift._reference import (
    AVAILABLE,
    CONFIDENCE_UNITS,
    FORMAT_VERSION,
    bin_of,
    checked_reference,
    confidence_units,
    fingerprint,
)
from persona.drift._report import DriftReport, DriftThresholds, compare
from persona.errors import ArtifactError, ConfigError

__all__ = ["DriftAccumulator"]

STATE_FORMAT = "persona-drift-counts"


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
    >>> from persona.drift import drift_reference
    >>> features = pd.DataFrame({"behaviour__visits": [1.0, 2.0, 3.0, 4.0]})
    >>> scores = pd.DataFrame({"persona_id": [0, 0, 1, 1], "confidence": [0.9] * 4})
    >>> accumulator = DriftAccumulator(drift_reference(features, scores, bins=2))
    >>> accumulator.update(features * 10, scores).report().features["status"].tolist()
    ['major']
    """

    def __init__(self, reference: Mapping[str, Any]) -> None:
        self.reference = checked_reference(reference)
        self._fingerprint = fingerprint(self.reference)
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
        check_frames(features, scores, "tonight's")
        values = feature_values(features, self._columns, "the drift reference tracks")
        flags = [AVAILABLE + s for s in self._available]
        flags = feature_values(features, flags, "the drift reference tracks")
        persona_ids, confidence = check_scores(scores, "tonight's")
        for j, column in enumerate(self._columns):
            x = values[j]
            missing = np.isnan(x)
            edges = self.reference["features"][column]["edges"]
            counts = self._counts[column]
            counts[0] += np.count_nonzero(missing)
            counts[1:] += np.bincount(bin_of(x[~missing], edges), minlength=len(counts) - 1)
        for j, signal in enumerate(self._available):
            self._available[signal] += int(np.count_nonzero(flags[j] == 1))
        for persona, count in zip(*np.unique(persona_ids, return_counts=True), strict=True):
            self._personas[int(persona)] = self._personas.get(int(persona), 0) + int(count)
        self._confidence += confidence_units(confidence)
        self._n += len(features)
        return self

    def merge(self, other: DriftAccumulator) -> DriftAccumulator:
        """Add the counts of ``other`` (chunks counted elsewhere); return ``self``."""
        if not isinstance(other, DriftAccumulator):
            raise ConfigError(f"Got {type(other).__name__}, but expected a DriftAccumulator.")
        if other._fingerprint != self._fingerprint:
            raise ArtifactError(
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
            "confidence_scale": CONFIDENCE_UNITS,
            "available": dict(self._available),
        }

    @classmethod
    def from_state(cls, reference: Mapping[str, Any], state: Mapping[str, Any]) -> DriftAccumulator:
        """An accumulator holding the counts of ``state`` (from :meth:`to_state`)."""
        accumulator = cls(reference)
        if not isinstance(state, Mapping) or state.get("format") != STATE_FORMAT:
            raise ArtifactError(
                "Got a state that is not drift counts: pass what DriftAccumulator.to_state() "
                "returned."
            )
        if state.get("reference") != accumulator._fingerprint:
            raise ArtifactError(
                f"These drift counts were made against another reference "
                f"({state.get('reference')}, this one is {accumulator._fingerprint}): "
                "restore them with the reference they were counted against, or recount."
            )
        if state.get("confidence_scale") != CONFIDENCE_UNITS:
            raise ArtifactError("The drift counts sum confidence on another scale: recount them.")
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
            raise ConfigError("No customers were counted: call update(features, scores) first.")
        return compare(
            self.reference,
            n=self._n,
            feature_counts=self._counts,
            personas=self._personas,
            confidence_units=self._confidence,
            available=self._available,
            thresholds=thresholds if thresholds is not None else DriftThresholds(),
        )
