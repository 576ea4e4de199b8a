"""How a PersonaModel call's arguments become the matrix it models: tables or a ready matrix.

``fit`` and ``predict`` take tables as keywords, a mapping or a ``CustomerData``
carrying them, or a feature matrix. This module turns each into the feature
matrix (sorted by customer at fit), its column groups and, from a survey, which
respondents answered carelessly, with the instrument's psychometrics. It reads
the estimator's parameters and fitted feature step; it sets nothing on it but
what scikit-learn's ``validate_data`` records (``n_features_in_``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import validate_data

from persona._progress import stage
from persona.assignment import Assigner, finite_features, labels_from_proba
from persona.assignment._evidence import evidence_bins, thin_records
from persona.contract._schema import trusted, validate_survey
from persona.drift import drift_reference
from persona.errors import ConfigError, InputError
from persona.features.builder import GROUPS, FeatureBuilder, with_observation_end
from persona.features.careless import (
    CarelessRules,
    careless_counts,
    careless_respondents,
    split_duration,
)
from persona.features.psychometrics import Psychometrics, assess_instrument
from persona.features.touchpoints import journey_settings

__all__ = [
    "TABLES",
    "Training",
    "carries_tables",
    "drift_base",
    "fit_assigner",
    "is_array",
    "scoring_matrix",
    "tables_of",
    "training_matrix",
]

TABLES = ("events", "survey", "emotions")
log = logging.getLogger(__name__)
_DRIFT_SAMPLE = 100_000  # training customers the drift reference summarises, at most


@dataclass
class Training:
    """The training matrix and what was learned on the way to it."""

    frame: pd.DataFrame  # feature columns only, sorted by customer
    groups: dict[str, np.ndarray]  # column positions of each signal
    careless: np.ndarray  # who answered the survey carelessly, by row
    builder: FeatureBuilder | None = None  # None: fitted on a feature matrix
    careless_counts: pd.Series | None = None
    psychometrics: Psychometrics | None = None
    drift_sample: tuple[int, pd.DataFrame] | None = None  # (step, raw features of every step-th)


def training_matrix(estimator: Any, X: Any, tables: dict, demographics: Any = None) -> Training:
    """The training matrix of a ``fit`` call (see :class:`Training`)."""
    if not (carries_tables(X) or X is None):
        frame = validated(estimator, X, reset=True)
        return Training(frame, _groups(frame), np.zeros(len(frame), dtype=bool))
    builder = (
        FeatureBuilder(
            instrument=estimator.instrument,
            journey=None if estimator.journey is None else journey_settings(estimator.journey),
        )
        if estimator.features is None
        else clone(estimator.features)
    )
    inputs = tables_of(X, tables)
    flags = counts = psychometrics = None
    if inputs.get("survey") is not None and builder.instrument is not None:
        # Checked once here; careless, psychometrics and the builder read it trusted.
        rules = careless_rules(estimator)
        survey, durations = split_duration(inputs["survey"], rules)
        inputs["survey"] = validate_survey(survey, builder.instrument)
        with trusted(inputs["survey"]):
            flags = careless_respondents(
                inputs["survey"], builder.instrument, rules, durations=durations
            )
            counts = careless_counts(flags)
            with stage(log, "psychometrics"):
                psychometrics = assess_instrument(
                    inputs["survey"], builder.instrument, demographics, careless=flags
                )
    with trusted(inputs.get("survey")):
        frame, raw = builder._fit_transform(None, inputs, keep_raw=True)
    # Evenly spaced customers, their raw features: the drift reference's base.
    step = max(1, -(-len(raw) // _DRIFT_SAMPLE))
    sample = (step, raw.iloc[::step].copy())
    del raw
    frame = frame.loc[:, ~frame.columns.str.startswith("available__")]
    careless = np.zeros(len(frame), dtype=bool)
    if flags is not None:
        careless = flags["careless"].reindex(frame.index, fill_value=False).to_numpy(bool)
    return Training(frame, _groups(frame), careless, builder, counts, psychometrics, sample)


def _groups(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    groups: dict[str, list[int]] = {}
    for j, column in enumerate(frame.columns):
        prefix = str(column).split("__", 1)[0]
        groups.setdefault(prefix if prefix in GROUPS else "features", []).append(j)
    return {g: np.array(c) for g, c in groups.items()}


def careless_rules(estimator: Any) -> CarelessRules:
    return CarelessRules() if estimator.careless is None else estimator.careless


def scoring_matrix(estimator: Any, X: Any, tables: dict) -> pd.DataFrame:
    """The matrix to score with a fitted model, in its fitted columns."""
    columns = list(estimator.feature_names_out_)
    if carries_tables(X) or X is None:
        if estimator.features_ is None:
            raise ConfigError(
                "This model was fitted on a feature matrix; pass one (X=...) rather than tables."
            )
        tables = dict(tables)
        end = tables.pop("observation_end", None)
        builder = estimator.features_
        builder = builder if end is None else with_observation_end(builder, end)
        found = tables_of(X, tables)
        if found.get("survey") is not None:  # the duration column is careless's, not a need
            found["survey"] = split_duration(found["survey"], careless_rules(estimator))[0]
        return builder.transform(**found)[columns]
    if estimator.features_ is not None and isinstance(X, pd.DataFrame):
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise InputError(
                "feature matrix",
                f"lacks {len(missing)} fitted column(s), first {missing[:5]}",
                fix="build it with model.features_.transform(...).",
            )
        return finite_features(X[columns].astype(np.float64))
    return validated(estimator, X, reset=False)


def validated(estimator: Any, X: Any, *, reset: bool) -> pd.DataFrame:
    """A feature matrix as scikit-learn checks it, indexed by customer."""
    index = X.index if isinstance(X, pd.DataFrame) else None
    if isinstance(X, pd.DataFrame):
        flags = X.columns.astype(str).str.startswith("available__")
        X = X.loc[:, ~flags] if flags.any() else X
    columns = list(X.columns) if isinstance(X, pd.DataFrame) else None
    array = validate_data(
        estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64
    )
    if index is None:
        index = pd.RangeIndex(len(array), name="customer_id")
    elif index.has_duplicates:
        dupes = index[index.duplicated()].unique()[:5].tolist()
        raise InputError(
            "feature matrix",
            f"has duplicated customer ids, first {dupes}",
            fix="one row per customer is expected.",
        )
    frame = pd.DataFrame(
        array, index=index, columns=columns or [f"x{j}" for j in range(array.shape[1])]
    )
    return frame.sort_index() if reset else frame


def is_array(X: Any) -> bool:
    return X is not None and not isinstance(X, pd.DataFrame) and not carries_tables(X)


def carries_tables(X: Any) -> bool:
    if isinstance(X, Mapping):
        return any(name in X for name in TABLES)
    return X is not None and all(hasattr(X, name) for name in TABLES)


def get(X: Any, name: str) -> Any:
    return X.get(name) if isinstance(X, Mapping) else getattr(X, name, None)


def tables_of(X: Any, tables: dict) -> dict:
    found = {} if X is None else {name: get(X, name) for name in TABLES}
    found.update({k: v for k, v in tables.items() if v is not None})
    return found


def fit_assigner(
    estimator: Any,
    frame: pd.DataFrame,
    groups: dict[str, np.ndarray],
    rows: np.ndarray,
    discovered: np.ndarray,
    events: pd.DataFrame | None,
) -> tuple[Assigner, tuple[np.ndarray, np.ndarray] | None]:
    """The assigner of the discovered personas, with a model per evidence bin when the
    touchpoints are known: learned on the discovery customers' whole records and on the
    same records cut to their first touchpoints. Returns it and those cut records with,
    for each, its customer's position among the discovery rows."""
    builder = estimator.features_
    values = frame.to_numpy(dtype=np.float64)[rows]
    evidence = None if events is None else evidence_bins(builder, frame.columns)
    assigner = Assigner(
        groups, max_distance=estimator.max_distance, evidence=evidence, calibrate=True
    )
    if evidence is None:
        return assigner.fit(values, discovered), None
    records, owner = thin_records(builder, events, frame.index[rows], values, groups["behaviour"])
    thin = (records, discovered[owner], owner)
    return assigner.fit(values, discovered, thin=thin), (records, owner)


def drift_base(
    sample: tuple[int, pd.DataFrame] | None, proba: np.ndarray, columns: pd.Index
) -> dict | None:
    """The drift reference of the training customers (persona ids as the assigner numbers
    them; the model publishes them under its own), or None when fitted on a matrix: nightly
    scoring reads tables."""
    if sample is None:
        return None
    step, raw = sample
    rows = proba[::step]
    scores = pd.DataFrame(
        {"persona_id": labels_from_proba(rows), "confidence": rows.max(axis=1)}, index=raw.index
    )
    return drift_reference(raw, scores, columns=list(columns))
