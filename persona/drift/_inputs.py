"""What a chunk of customers must look like before drift counts it: checked at the edge.

``features`` (a DataFrame by customer id, numeric and finite where present) and
``scores`` (``persona_id`` whole, ``confidence`` in [0, 1]) of the same
customers, once for the training reference and once per chunk tonight. Each
rule names the table, the column and the fix.

This module only reads the frames it is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.errors import ConfigError, InputError

__all__ = ["check_frames", "check_scores", "feature_values"]


def check_frames(features: Any, scores: Any, which: str) -> None:
    """Two DataFrames of the same customers, each once; ``which`` is "training" or "tonight's"."""
    if not isinstance(features, pd.DataFrame):
        raise ConfigError(
            f"features: expected a pandas DataFrame indexed by customer_id, got "
            f"{type(features).__name__}. Wrap an array as pd.DataFrame(values, "
            "index=customer_ids, columns=feature_names)."
        )
    if not isinstance(scores, pd.DataFrame):
        raise ConfigError(
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


def feature_values(features: pd.DataFrame, columns: list[str], which: str) -> list[np.ndarray]:
    """Each of ``columns`` as a float64 array, NaN where missing; ``which`` names the columns."""
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


def check_scores(scores: pd.DataFrame, which: str) -> tuple[np.ndarray, np.ndarray]:
    """The persona ids (int64) and confidences (float64) of ``scores``, checked."""
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
