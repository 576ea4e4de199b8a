"""What drifted, and whether to refit: the comparison of tonight's counts with the reference.

- :class:`DriftThresholds`: when a change is flagged and when a refit is recommended;
- :func:`compare`: the counts of a :class:`~persona.drift.DriftAccumulator`
  against its reference, feature by feature (PSI), persona by persona, and for
  confidence, unassigned customers and signal coverage;
- :class:`DriftReport`: the result, written as JSON for machines and as one
  small self-contained HTML page for people (laid out in :mod:`._page`).

This module computes from the numbers it is given and writes only the files it is asked to.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from persona._manifest import atomic_write
from persona.assignment import UNASSIGNED
from persona.drift._page import drift_page
from persona.drift._reference import (
    CONFIDENCE_UNITS,
    FORMAT_VERSION,
    population_stability_index,
)
from persona.errors import ConfigError

__all__ = ["DriftReport", "DriftThresholds", "compare"]

REPORT_FORMAT = "persona-drift-report"


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
                raise ConfigError(f"Got {name}={value!r}, but expected a non-negative number.")
        if self.psi_major < self.psi_moderate:
            raise ConfigError(
                f"Got psi_moderate={self.psi_moderate} above psi_major={self.psi_major}, but "
                "expected psi_moderate <= psi_major."
            )
        if self.major_feature_share > 1:
            raise ConfigError(
                f"Got major_feature_share={self.major_feature_share}, but expected a share "
                "in [0, 1]."
            )

    def major_features_needed(self, n_features: int) -> int:
        """How many major features recommend a refit, out of ``n_features``."""
        return max(1, math.ceil(self.major_feature_share * n_features - 1e-9))


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
        page = drift_page(self)
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


def compare(
    reference: Mapping[str, Any],
    *,
    n: int,
    feature_counts: Mapping[str, np.ndarray],
    personas: Mapping[int, int],
    confidence_units: int,
    available: Mapping[str, int],
    thresholds: DriftThresholds,
) -> DriftReport:
    """Tonight's counts (``n`` customers) against the reference, judged by ``thresholds``.

    ``feature_counts`` holds per feature ``[missing, bin 0, bin 1, ...]``;
    ``personas`` customers by persona id; ``confidence_units`` the confidences'
    sum in billionths; ``available`` customers with each signal.
    """
    features = _feature_table(reference["features"], feature_counts, n, thresholds)
    shares = _persona_table(reference["personas"], personas, n)
    confidence = _change(reference["mean_confidence"], confidence_units / CONFIDENCE_UNITS / n)
    unassigned = _change(reference["unassigned_rate"], personas.get(UNASSIGNED, 0) / n)
    coverage = pd.DataFrame(
        [
            {"signal": signal, **_change(share, available[signal] / n)}
            for signal, share in reference["coverage"].items()
        ],
        columns=["signal", "reference", "current", "change"],
    )
    flags, reasons = _feature_findings(features, thresholds)
    for finding in _other_findings(shares, unassigned, confidence, coverage, thresholds):
        flags.append(finding[0].upper() + finding[1:] + ".")
        reasons.append(finding)
    refit = bool(reasons) and n >= thresholds.min_customers
    return DriftReport(
        n_customers=n,
        reference_customers=int(reference["n_customers"]),
        features=features,
        personas=shares,
        mean_confidence=confidence,
        unassigned_rate=unassigned,
        coverage=coverage,
        flags=flags,
        refit_recommended=refit,
        verdict=_verdict(n, flags, reasons, thresholds),
        thresholds=thresholds,
    )


def _verdict(n: int, flags: list[str], reasons: list[str], thresholds: DriftThresholds) -> str:
    """One line: too few customers to judge, refit and why, or no refit."""
    if n < thresholds.min_customers:
        return (
            f"Too few customers to judge: {n:,} counted, {thresholds.min_customers:,} needed "
            "(min_customers); the flags below may be sampling noise."
        )
    if reasons:
        return "Refit recommended: " + "; ".join(reasons) + "."
    if flags:
        return f"No refit needed; {len(flags)} flag(s) worth a look."
    return "No refit needed: tonight's customers look like the training customers."


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


def _feature_table(
    reference: Mapping[str, Any],
    counts: Mapping[str, np.ndarray],
    n: int,
    thresholds: DriftThresholds,
) -> pd.DataFrame:
    rows = []
    for column, summary in reference.items():
        missing = summary["missing"]
        expected = np.concatenate([[missing], (1 - missing) * np.asarray(summary["expected"])])
        actual = counts[column] / n
        psi = population_stability_index(expected, actual)
        status = "ok" if psi < thresholds.psi_moderate else "moderate"
        status = "major" if psi >= thresholds.psi_major else status
        rows.append((column, psi, status, missing, float(actual[0])))
    frame = pd.DataFrame(
        rows, columns=["feature", "psi", "status", "missing_reference", "missing_current"]
    )
    # Ties broken by name, so the order never depends on how the reference was stored.
    return frame.sort_values(["psi", "feature"], ascending=[False, True], ignore_index=True)


def _persona_table(
    reference: Mapping[str, float], counts: Mapping[int, int], n: int
) -> pd.DataFrame:
    ids = sorted({int(p) for p in reference} | set(counts))
    rows = []
    for p in ids:
        before, now = float(reference.get(str(p), 0.0)), counts.get(p, 0) / n
        rows.append((p, before, now, now - before))
    return pd.DataFrame(rows, columns=["persona_id", "reference_share", "current_share", "shift"])


def _change(reference: float, current: float) -> dict[str, float]:
    return {"reference": float(reference), "current": current, "change": current - reference}
