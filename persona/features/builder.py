"""FeatureBuilder: the three signals joined into one scaled, weighted customer matrix.

It calls the plain feature functions of each modality, joins them on
``customer_id`` (every customer of any table gets a row), learns at ``fit``
the schema (columns, channels, devices) and a robust scaling, and weighs each
group so that it counts by its weight, not by how many columns it has.
Missing signals stay missing: a customer without a survey gets NaN in the
psychographic group and ``available__psychographic = 0``. Demographics never
enter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from persona.contract import Instrument
from persona.contract._schema import TableLike, trusted, validate_inputs
from persona.errors import ConfigError
from persona.features.emotions import emotion_features
from persona.features.psychographic import psychographic_features
from persona.features.text import EmotionScorer
from persona.features.touchpoints import (
    JourneySettings,
    behaviour_features,
    journey_settings,
    warn_unmatched_types,
)

__all__ = ["GROUPS", "FeatureBuilder", "RowScaling", "with_observation_end"]

#: The feature groups, in column order.
GROUPS: tuple[str, ...] = ("psychographic", "behaviour", "emotion")
_DEFAULT_WEIGHTS = {"psychographic": 2.0, "behaviour": 1.0, "emotion": 1.0}

# Counts, money and durations have long right tails: they are scaled on a log
# scale so that a few big spenders do not stretch everyone else into a point.
_LOG_SCALED = {
    "behaviour__" + name
    for name in (
        "touchpoints", "sessions", "session_touchpoints", "session_minutes",
        "days_between_sessions", "purchases", "total_spend", "frequency", "recency", "T",
        "monetary_value", "support_per_purchase", "return_rate",
    )
} | {"emotion__n_readings"}  # fmt: skip


@dataclass(frozen=True, eq=False)
class RowScaling:
    """The builder's scaling in numpy, for :meth:`FeatureBuilder.scale_rows`: built with the
    scaling it copies (at fit, from saved state, on unpickling), never while scaling."""

    heavy: np.ndarray  # positions of the log-scaled columns
    center: np.ndarray
    scale: np.ndarray
    factors: np.ndarray  # each column's group weight / sqrt(columns in the group)

    @classmethod
    def of(cls, builder: FeatureBuilder) -> RowScaling:
        columns = builder._feature_columns()
        factors = np.concatenate(
            [
                np.full(len(names), builder.weights_[group] / np.sqrt(len(names)))
                for group, names in builder.feature_names_in_groups_.items()
                if names
            ]
        )
        return cls(
            np.flatnonzero([c in _LOG_SCALED for c in columns]),
            builder.center_[columns].to_numpy(),
            builder.scale_[columns].to_numpy(),
            factors,
        )


class FeatureBuilder(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Build the customer feature matrix from touchpoints, survey and emotion readings.

    The output is always a pandas DataFrame indexed by ``customer_id`` (so
    ``set_output`` has nothing to change), and tables may be passed as keywords.

    Parameters
    ----------
    instrument : Instrument, optional
        The survey instrument; needed when a survey is given.
    weights : mapping of str to float, optional
        Weight of each group (``psychographic``, ``behaviour``, ``emotion``).
        Each scaled column of a group with ``k`` columns is multiplied by
        ``weight / sqrt(k)``, so a group's share of a Euclidean distance
        follows its weight. Default: psychographic 2, behaviour 1, emotion 1
        (needs and desires lead).
    observation_end : timestamp, optional
        End of the observation window for touchpoint features. By default the
        latest touchpoint of the data being transformed; pass it explicitly
        when scoring in batches.
    journey : JourneySettings or mapping, optional
        How to read the journey in your own vocabulary: the taxonomy (event
        type -> moment of truth), which event types are purchases, support
        contacts and returns, the session rule and windows. A mapping is taken
        as JourneySettings' keywords.
    scorer : EmotionScorer, optional
        Scores emotion readings that come as text (default: the lexicon scorer).
    max_missing_share : float, default=0.5
        Share of a dimension's items a respondent may skip and still be scored.
    ipsatize : bool, default=False
        Centre each respondent's answers on their own mean (corrects acquiescence).

    Attributes
    ----------
    feature_names_in_groups_ : dict of str to list of str
        The raw feature columns of each group, fixed at fit.
    center_, scale_ : Series
        The robust scaling (median and interquartile range) learned at fit.
    observation_end_ : Timestamp or None
        The observation end used at fit.
    row_scaling_ : RowScaling
        ``center_``, ``scale_`` and the weights in numpy, for :meth:`scale_rows`.

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> data = make_customers(n_customers=300, random_state=0)
    >>> builder = FeatureBuilder(instrument=data.instrument)
    >>> X = builder.fit_transform(events=data.events, survey=data.survey,
    ...                           emotions=data.emotions)
    >>> X.shape[0] == 300 and X.index.is_monotonic_increasing
    True
    >>> int(X["available__psychographic"].sum())
    90
    """

    def __init__(
        self,
        instrument: Instrument | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        observation_end: pd.Timestamp | str | None = None,
        journey: JourneySettings | None = None,
        scorer: EmotionScorer | None = None,
        max_missing_share: float = 0.5,
        ipsatize: bool = False,
    ) -> None:
        self.instrument = instrument
        self.weights = weights
        self.observation_end = observation_end
        self.journey = journey
        self.scorer = scorer
        self.max_missing_share = max_missing_share
        self.ipsatize = ipsatize

    # ----------------------------------------------------------------- estimator API

    def fit(self, X: Any = None, y: Any = None, **tables: TableLike | None) -> FeatureBuilder:
        """Learn the schema and the scaling from the given tables."""
        self._fit_transform(X, tables)
        return self

    def fit_transform(self, X: Any = None, y: Any = None, **tables: TableLike | None):
        """Fit, then return the scaled, weighted matrix of the same tables."""
        return self._fit_transform(X, tables)

    def transform(self, X: Any = None, **tables: TableLike | None) -> pd.DataFrame:
        """The scaled, weighted feature matrix, one row per customer, sorted by id."""
        check_is_fitted(self, "scale_")
        return self._scale(self.compute(X, **tables))

    def compute(self, X: Any = None, **tables: TableLike | None) -> pd.DataFrame:
        """The raw (unscaled) features in the fitted schema, with availability flags.

        Also carries the survey's response style (``response__*``), which
        describes how a customer answered and never enters the matrix.
        """
        check_is_fitted(self, "scale_")
        return self._raw(_tables(X, tables), self.feature_names_in_groups_)

    def inverse_transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Raw feature values back from the scaled, weighted matrix (its feature columns).

        Undoes the weighting, the robust scaling and the log scale of counts and
        money, so profiles and explanations can speak in the features' own
        units. A group weighted 0 carries no information and comes back NaN.
        """
        check_is_fitted(self, "scale_")
        columns = [c for c in self._feature_columns() if c in X.columns]
        values = X[columns].astype(np.float64).copy()
        for group, names in self.feature_names_in_groups_.items():
            present = [c for c in names if c in values.columns]
            if present:
                factor = self.weights_[group] / np.sqrt(len(names))
                values[present] = values[present] / factor if factor > 0 else np.nan
        raw = values * self.scale_[columns] + self.center_[columns]
        heavy = [c for c in columns if c in _LOG_SCALED]
        raw[heavy] = np.expm1(raw[heavy])
        return raw

    def scale_rows(self, raw: np.ndarray) -> np.ndarray:
        """The weighted matrix from raw feature values in the fitted column order, in numpy.

        The same arithmetic as :meth:`transform`, without pandas: what a
        service needs to score a record whose features a feature store holds.
        """
        scaling = self.__dict__.get("row_scaling_")
        if scaling is None:  # unfitted, or fitted numbers set by hand: prepared, not kept
            check_is_fitted(self, "scale_")
            scaling = RowScaling.of(self)
        values = np.array(raw, dtype=np.float64)  # a copy: the log scale is applied in place
        heavy = scaling.heavy
        at = heavy if values.ndim == 1 else (..., heavy)  # a record: plain indexing, faster
        values[at] = np.log1p(np.maximum(values[at], 0.0))
        with np.errstate(over="ignore"):  # 1e308 / a spread under 1: inf, held by the assigner
            return (values - scaling.center) / scaling.scale * scaling.factors

    def to_state(self) -> dict[str, Any]:
        """The fitted builder as plain JSON-able data (see :meth:`from_state`)."""
        check_is_fitted(self, "scale_")
        if self.scorer is not None and type(self.scorer).__name__ != "LexiconScorer":
            raise ConfigError(
                f"Got a custom emotion scorer ({type(self.scorer).__name__}), which cannot be "
                "written as data: score text readings upstream and pass scores instead."
            )
        journey = None
        if self.journey is not None:
            settings = journey_settings(self.journey)
            journey = {
                k: (str(v) if isinstance(v, pd.Timedelta) else v) for k, v in vars(settings).items()
            }
            journey["taxonomy"] = dict(settings.taxonomy)
        columns = self._feature_columns()
        end = getattr(self, "observation_end_", None)
        return {
            "instrument": None if self.instrument is None else self.instrument.to_dict(),
            "weights": dict(self.weights_),
            "observation_end": None if self.observation_end is None else str(self.observation_end),
            "fitted_observation_end": None if end is None else str(end),
            "journey": journey,
            "max_missing_share": self.max_missing_share,
            "ipsatize": self.ipsatize,
            "groups": {g: list(c) for g, c in self.feature_names_in_groups_.items()},
            "center": [float(v) for v in self.center_[columns]],
            "scale": [float(v) for v in self.scale_[columns]],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FeatureBuilder:
        """A fitted builder back from :meth:`to_state`'s data."""
        journey = None
        if state["journey"] is not None:
            settings = dict(state["journey"])
            for key in ("purchase_types", "support_types", "return_types"):
                settings[key] = tuple(settings[key])
            journey = JourneySettings(**settings)
        instrument = state["instrument"]
        builder = cls(
            instrument=None if instrument is None else Instrument.from_dict(instrument),
            weights=state["weights"],
            observation_end=state["observation_end"],
            journey=journey,
            max_missing_share=state["max_missing_share"],
            ipsatize=state["ipsatize"],
        )
        builder.feature_names_in_groups_ = {g: list(c) for g, c in state["groups"].items()}
        columns = builder._feature_columns()
        builder.center_ = pd.Series(state["center"], index=columns, dtype=np.float64)
        builder.scale_ = pd.Series(state["scale"], index=columns, dtype=np.float64)
        builder.weights_ = dict(state["weights"])
        builder.n_features_in_ = len(columns)
        end = state["fitted_observation_end"]
        builder.observation_end_ = None if end is None else pd.Timestamp(end)
        builder.row_scaling_ = RowScaling.of(builder)
        return builder

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "scale_")
        return np.array(self._output_columns(), dtype=object)

    # ----------------------------------------------------------------- internals

    def _fit_transform(self, X: Any, tables: dict, *, keep_raw: bool = False) -> Any:
        weights = self._checked_weights()
        inputs = _tables(X, tables)
        if inputs.get("survey") is not None and self.instrument is None:
            raise ConfigError(
                "Got a survey but instrument=None: pass FeatureBuilder(instrument=...) so the "
                "items can be scored."
            )
        raw = self._raw(inputs, schema=None)
        self.feature_names_in_groups_ = {
            g: [c for c in raw.columns if c.startswith(g + "__")] for g in GROUPS
        }
        columns = self._feature_columns()
        values = _log_scaled(raw[columns])
        center = values.median()
        spread = values.quantile(0.75) - values.quantile(0.25)
        flat = spread.index[~(spread > 0)]  # half the customers or more share one value
        # Over sorted values: a sum in customer order would move with re-keyed ids, by the last
        # bit, and that is enough to move UMAP.
        fallback = pd.DataFrame(np.sort(values[flat].to_numpy(), axis=0), columns=flat).std(ddof=0)
        spread = spread.where(spread > 0, fallback).where(lambda s: s > 0, 1.0).fillna(1.0)
        self.center_ = center.fillna(0.0)
        self.scale_ = spread
        self.weights_ = weights
        self.n_features_in_ = len(columns)
        self.row_scaling_ = RowScaling.of(self)
        scaled = self._scale(raw)
        return (scaled, raw) if keep_raw else scaled

    def _raw(self, inputs: dict, schema: dict | None) -> pd.DataFrame:
        checked = validate_inputs(
            inputs.get("events"), inputs.get("survey"), inputs.get("emotions"),
            instrument=self.instrument,
        )  # fmt: skip
        blocks = {}
        settings = journey_settings(self.journey)  # read once: it may be a file
        # Validated once above, together: the feature functions need not check again.
        with trusted(checked.events, checked.survey, checked.emotions):
            if checked.survey is not None:
                blocks["psychographic"] = psychographic_features(
                    checked.survey,
                    self.instrument,
                    max_missing_share=self.max_missing_share,
                    ipsatize=self.ipsatize,
                )
            if checked.events is not None:
                levels = {} if schema is None else _levels_of(schema["behaviour"])
                blocks["behaviour"] = behaviour_features(
                    checked.events,
                    observation_end=self.observation_end,
                    settings=settings,
                    **levels,
                )
                if schema is None:
                    warn_unmatched_types(checked.events["event_type"], settings)
                    self.observation_end_ = (
                        pd.Timestamp(self.observation_end)
                        if self.observation_end is not None
                        else checked.events["timestamp"].max()
                    )
            if checked.emotions is not None:
                taxonomy = None if self.journey is None else settings.taxonomy
                blocks["emotion"] = emotion_features(
                    checked.emotions, scorer=self.scorer, taxonomy=taxonomy
                )
        if not blocks:
            raise ConfigError("Got no table: pass at least one of events, survey, emotions.")
        customers = _union_index([b.index for b in blocks.values()])
        parts = []
        for group in GROUPS:
            block = blocks.get(group)
            if schema is not None:
                # The fitted columns, plus diagnostics that never enter the matrix.
                extra = [] if block is None else [c for c in block if c.startswith("response__")]
                columns = schema[group] + extra
                block = (
                    pd.DataFrame(index=customers, columns=columns, dtype=np.float64)
                    if block is None
                    else block.reindex(columns=columns)
                )
            elif block is None:
                continue
            parts.append(block.reindex(customers))
        # A customer has a signal when at least one of its features could be
        # computed: a respondent whose every scale was skipped has no survey signal.
        flags = pd.DataFrame(
            {
                f"available__{g}": _has_values(blocks[g], g, customers)
                if g in blocks
                else np.zeros(len(customers))
                for g in GROUPS
            },
            index=customers,
        )
        return pd.concat([*parts, flags], axis=1)

    def _scale(self, raw: pd.DataFrame) -> pd.DataFrame:
        columns = self._feature_columns()
        with np.errstate(over="ignore"):  # as in scale_rows: the assigner holds inf at its limit
            scaled = (_log_scaled(raw[columns]) - self.center_) / self.scale_
            for group, names in self.feature_names_in_groups_.items():
                if names:
                    scaled[names] *= self.weights_[group] / np.sqrt(len(names))
        flags = raw[[f"available__{g}" for g in GROUPS]]
        return pd.concat([scaled, flags], axis=1)

    def _feature_columns(self) -> list[str]:
        return [c for g in GROUPS for c in self.feature_names_in_groups_[g]]

    def _output_columns(self) -> list[str]:
        return self._feature_columns() + [f"available__{g}" for g in GROUPS]

    def _checked_weights(self) -> dict[str, float]:
        weights = dict(_DEFAULT_WEIGHTS if self.weights is None else self.weights)
        unknown = sorted(set(weights) - set(GROUPS))
        if unknown:
            raise ConfigError(f"Got weights for {unknown}, but the groups are {list(GROUPS)}.")
        for group in GROUPS:
            weights.setdefault(group, _DEFAULT_WEIGHTS[group])
            value = weights[group]
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
                raise ConfigError(
                    f"Got weights[{group!r}]={value!r}, but expected a finite number >= 0."
                )
        return weights


def with_observation_end(builder: FeatureBuilder, end: Any) -> FeatureBuilder:
    """A copy of a fitted builder whose touchpoint window ends at ``end``."""
    import copy

    moved = copy.copy(builder)
    moved.observation_end = pd.Timestamp(end)
    return moved


def _tables(X: Any, tables: dict) -> dict[str, TableLike | None]:
    """The tables, given as keywords, as a mapping ``X`` or as an object with attributes."""
    names = ("events", "survey", "emotions")
    unknown = sorted(set(tables) - set(names))
    if unknown:
        raise ConfigError(
            f"Got unexpected table(s) {unknown}; FeatureBuilder takes {list(names)} "
            "(demographics never enter the features)."
        )
    if X is None:
        return dict(tables)
    if isinstance(X, Mapping):
        found = {n: X.get(n) for n in names}
    elif all(hasattr(X, n) for n in names):
        found = {n: getattr(X, n) for n in names}
    else:
        raise ConfigError(
            f"Got X of type {type(X).__name__}; pass the tables as keywords "
            "(events=..., survey=..., emotions=...) or as a mapping with those keys."
        )
    return {**found, **{k: v for k, v in tables.items() if v is not None}}


def _levels_of(behaviour_columns: list[str]) -> dict[str, list[str]]:
    """The channels, devices and event types whose share columns the fitted schema has."""
    return {
        f"{kind}s" if kind != "event" else "event_types": [
            c.removeprefix(f"behaviour__share_{kind}_")
            for c in behaviour_columns
            if c.startswith(f"behaviour__share_{kind}_")
        ]
        for kind in ("channel", "device", "event")
    }


def _has_values(block: pd.DataFrame, group: str, customers: pd.Index) -> np.ndarray:
    features = block[[c for c in block.columns if c.startswith(group + "__")]]
    return features.notna().any(axis=1).reindex(customers, fill_value=False).to_numpy(np.float64)


def _union_index(indexes: list[pd.Index]) -> pd.Index:
    customers = indexes[0]
    for index in indexes[1:]:
        customers = customers.union(index)
    return customers.sort_values().rename("customer_id")


def _log_scaled(frame: pd.DataFrame) -> pd.DataFrame:
    heavy = [c for c in frame.columns if c in _LOG_SCALED]
    if not heavy:
        return frame
    return frame.assign(**{c: np.log1p(frame[c].clip(lower=0)) for c in heavy})
