"""Emotion features: how each customer feels, and at which moment (``emotion__*``).

One row per customer from an ``emotions`` table (one row per reading). Text
readings are scored first (:mod:`persona.features.text`), so they flow through
the same features as numeric ones. The features describe level and
variability of valence and arousal, which discrete emotions a customer
shows, the peak-end rule, feelings at each moment of truth, and the trend of
valence over time.

The work is numpy on the whole table at once: one sort by customer and time,
then sums per customer with ``np.bincount``. Nothing loops over customers or
readings in Python, except the scorer over distinct texts.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from persona.contract import DEFAULT_TAXONOMY, EMOTIONS, MOMENTS, TableLike, validate_emotions
from persona.errors import ConfigError
from persona.features.text import EmotionScorer, score_texts

__all__ = ["PRESENT", "TREND_MIN_SPAN", "emotion_features"]

PREFIX = "emotion__"

#: An emotion scored at least this in a reading is *present* in that reading.
PRESENT = 0.5

#: The valence trend needs timed readings at least this far apart.
TREND_MIN_SPAN = pd.Timedelta(days=30)

_TREND_DAYS = 30.0  # the trend is in valence units per this many days

_FEATURES = (
    "valence_mean",
    "arousal_mean",
    "valence_volatility",
    "arousal_volatility",
    *(f"share_{e}" for e in EMOTIONS),
    *(f"mean_{e}" for e in EMOTIONS),
    "valence_peak",
    "valence_end",
    *(f"valence_{m}" for m in MOMENTS),
    *(f"arousal_{m}" for m in MOMENTS),
    "valence_trend",
    "n_readings",
)


def emotion_features(
    emotions: TableLike,
    *,
    scorer: EmotionScorer | None = None,
    taxonomy: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Emotion features per customer, from an ``emotions`` table.

    Parameters
    ----------
    emotions : DataFrame or path
        One row per reading: ``customer_id``, optional ``timestamp``,
        ``event_type`` and/or ``moment``, scores (``valence``, ``arousal``,
        the eight emotions) and/or ``text``; checked with
        :func:`persona.contract._schema.validate_emotions`. An optional ``language``
        column ("en", "it", ...) is passed to the scorer.
    scorer : EmotionScorer, optional
        Scores the readings that have a text and no numeric valence (default
        :class:`~persona.features.text.LexiconScorer`); each distinct text is
        scored once. A scored score fills only the cells the reading left
        empty: a reading with both text and numbers keeps its numbers.
    taxonomy : mapping of str to str, optional
        Event type -> moment of truth (default
        :data:`persona.contract._journey.DEFAULT_TAXONOMY`). A reading's moment is its
        ``moment`` when given, else its event type's; event types outside the
        taxonomy give moment "unknown" and a warning that counts them.

    Returns
    -------
    DataFrame
        One row per customer in ``emotions``, indexed by ``customer_id``
        (sorted), float64 columns:

        - ``emotion__valence_mean``, ``emotion__arousal_mean``: mean over the
          readings that have the score;
        - ``emotion__valence_volatility``, ``emotion__arousal_volatility``:
          standard deviation (ddof=0) over the same readings; NaN with fewer
          than two;
        - ``emotion__share_<emotion>`` for the eight emotions: share of the
          readings that score the emotion in which it is present, i.e.
          scored at least :data:`PRESENT` (0.5);
        - ``emotion__mean_<emotion>``: its mean intensity over those readings;
        - ``emotion__valence_peak``: valence of the most intense reading, the
          one with the largest absolute valence, the earlier one on a tie;
        - ``emotion__valence_end``: valence of the last reading with a valence;
        - ``emotion__valence_<moment>``, ``emotion__arousal_<moment>`` for
          ZMOT, FMOT, SMOT, UMOT: mean at that moment;
        - ``emotion__valence_trend``: least-squares slope of valence over
          time, in valence units per 30 days, over the readings with a
          timestamp; NaN with fewer than two, or when they span less than
          :data:`TREND_MIN_SPAN` (30 days): readings minutes apart in one
          session would otherwise give slopes in the thousands per month;
        - ``emotion__n_readings``: number of readings, whatever they carry.

        A feature is NaN where the customer has no reading to compute it from.

    Notes
    -----
    Time order is timestamp order. Readings without a timestamp come before a
    customer's timed ones, among themselves in the order of the table, the
    only evidence of their sequence: the end is the last timed reading when
    there is one, else the last row. Readings with the same customer and
    time are ordered by their scores, so the result does not depend on the
    order of the rows except among readings without a timestamp.

    Examples
    --------
    >>> import pandas as pd
    >>> readings = pd.DataFrame({
    ...     "customer_id": [1, 1, 2],
    ...     "timestamp": pd.to_datetime(["2026-01-01", "2026-01-31", "2026-01-05"]),
    ...     "event_type": ["search", "purchase", "write_review"],
    ...     "valence": [-0.2, 0.6, None],
    ...     "text": [None, None, "Great service, thank you!"]})
    >>> features = emotion_features(readings)
    >>> features[["emotion__valence_mean", "emotion__valence_trend"]].round(2).loc[1].tolist()
    [0.2, 0.8]
    >>> bool(features.loc[2, "emotion__valence_UMOT"] > 0)
    True
    """
    if scorer is not None and not isinstance(scorer, EmotionScorer):
        raise ConfigError(
            f"Got scorer={scorer!r}, but expected an object with a method "
            "score(texts, languages=None) returning a DataFrame (see EmotionScorer)."
        )
    taxonomy = _checked_taxonomy(taxonomy)
    df = validate_emotions(emotions)

    valence, arousal, discrete = _scores(df, scorer)
    moment = _moments(df, taxonomy)
    customer, ids = _customers(df["customer_id"])
    features = feature_arrays(customer, len(ids), _days(df), valence, arousal, discrete, moment)
    index = pd.Index(ids, name="customer_id")
    return pd.DataFrame({PREFIX + name: features[name] for name in _FEATURES}, index=index)


def feature_arrays(
    customer: np.ndarray,
    n: int,
    days: np.ndarray,
    valence: np.ndarray,
    arousal: np.ndarray,
    discrete: np.ndarray,
    moment: np.ndarray,
) -> dict[str, np.ndarray]:
    """The features of ``n`` customers from their readings as arrays, by feature name.

    ``customer`` numbers each reading's customer 0..n-1; ``days`` are days
    since the epoch (NaN untimed), ``moment`` indexes MOMENTS (-1 none). What
    :func:`emotion_features` computes once it has read the table, and what a
    single record is scored with (:mod:`persona.features.record`).
    """
    order = _time_order(customer, days, valence, arousal, discrete, moment)
    customer, days, valence, arousal = customer[order], days[order], valence[order], arousal[order]
    discrete, moment = discrete[order], moment[order]

    features: dict[str, np.ndarray] = {}
    features["valence_mean"], features["valence_volatility"] = _mean_std(customer, valence, n)
    features["arousal_mean"], features["arousal_volatility"] = _mean_std(customer, arousal, n)
    for j, emotion in enumerate(EMOTIONS):
        share, mean = _share_and_mean(customer, discrete[:, j], n)
        features[f"share_{emotion}"], features[f"mean_{emotion}"] = share, mean
    features["valence_peak"], features["valence_end"] = _peak_end(customer, valence, n)
    for name, scores in (("valence", valence), ("arousal", arousal)):
        for m, mean in enumerate(_moment_means(customer, moment, scores, n)):
            features[f"{name}_{MOMENTS[m]}"] = mean
    features["valence_trend"] = _trend(customer, days, valence, n)
    features["n_readings"] = np.bincount(customer, minlength=n).astype("float64")
    return features


# --------------------------------------------------------------------------- inputs


def _checked_taxonomy(taxonomy: Mapping[str, str] | None) -> Mapping[str, str]:
    if taxonomy is None:
        return DEFAULT_TAXONOMY
    if not isinstance(taxonomy, Mapping):
        raise ConfigError(
            f"Got taxonomy={taxonomy!r}, but expected a mapping of event type to moment, "
            "e.g. {**persona.contract._journey.DEFAULT_TAXONOMY, 'chat_open': 'ZMOT'}."
        )
    unknown = sorted({str(m) for m in taxonomy.values() if m not in MOMENTS})
    if unknown:
        raise ConfigError(f"Got taxonomy moments {unknown}, but expected only {list(MOMENTS)}.")
    return taxonomy


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    """A score column as a float64 copy; all NaN when the table lacks it."""
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return df[name].to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _scores(
    df: pd.DataFrame, scorer: EmotionScorer | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Valence, arousal and the (readings x emotions) matrix, text readings scored."""
    valence, arousal = _column(df, "valence"), _column(df, "arousal")
    discrete = np.column_stack([_column(df, e) for e in EMOTIONS])
    if "text" not in df.columns:
        return valence, arousal, discrete
    rows = np.flatnonzero(np.isnan(valence) & df["text"].notna().to_numpy())
    texts = df["text"].iloc[rows].astype(object)
    written = texts.str.strip().ne("").to_numpy(dtype=bool)
    rows, texts = rows[written], texts[written]
    if len(rows) == 0:
        return valence, arousal, discrete

    if "language" in df.columns:
        languages = df["language"].iloc[rows].astype("string").fillna("").astype(object)
        keys = texts + "\x1f" + languages  # one score per distinct (text, language)
    else:
        languages, keys = None, texts
    # Sorted, so the batch the scorer sees does not depend on the order of the rows.
    code, _ = pd.factorize(keys, sort=True)
    first = np.unique(code, return_index=True)[1]
    given = None if languages is None else [v or None for v in languages.iloc[first]]
    scores = score_texts(texts.iloc[first].tolist(), given, scorer=scorer)

    valence[rows] = scores["valence"].to_numpy()[code]
    # Views into arousal and discrete: filling them fills those arrays.
    fillable = {"arousal": arousal, **{e: discrete[:, j] for j, e in enumerate(EMOTIONS)}}
    for name, target in fillable.items():
        if name in scores.columns:
            own = target[rows]
            target[rows] = np.where(np.isnan(own), scores[name].to_numpy()[code], own)
    return valence, arousal, discrete


def _moments(df: pd.DataFrame, taxonomy: Mapping[str, str]) -> np.ndarray:
    """Moment code per reading (index into MOMENTS), -1 where none or unknown."""
    moment = np.full(len(df), -1, dtype=np.int8)
    if "moment" in df.columns:  # validated: one of MOMENTS or empty
        moment = pd.Categorical(df["moment"], categories=MOMENTS).codes.astype(np.int8)
    if "event_type" not in df.columns:
        return moment
    code, event_types = pd.factorize(df["event_type"])
    event_types = pd.Index(event_types).astype(object)
    mapped = np.array(
        [MOMENTS.index(taxonomy[e]) if e in taxonomy else -1 for e in event_types] + [-1],
        dtype=np.int8,
    )
    listed = np.array([e in taxonomy or not e.strip() for e in event_types] + [True])
    derive = moment < 0
    moment = np.where(derive, mapped[code], moment)  # code -1 (no event type) -> the last
    _warn_unknown(event_types, code[derive & ~listed[code]])
    return moment


def _warn_unknown(event_types: pd.Index, codes: np.ndarray) -> None:
    if len(codes) == 0:
        return
    counts = pd.Series(event_types[codes]).value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    listed = ", ".join(f"'{e}' ({n:,} readings)" for e, n in counts.head(10).items())
    warnings.warn(
        f"emotions: {len(counts)} event type(s) are not in the taxonomy, so {len(codes):,} "
        f"reading(s) count as moment 'unknown': {listed}. Add them to the taxonomy (in "
        "persona.yaml under journey: taxonomy:, or PersonaModel(journey={'taxonomy': "
        "{**persona.DEFAULT_TAXONOMY, 'event_type': 'ZMOT'}})) or give those readings a moment.",
        UserWarning,
        stacklevel=4,
    )


def _customers(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Customer code per reading (0..n-1, in sorted id order) and the ids."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        ids = ids.astype(ids.cat.categories.dtype)
    code, uniques = pd.factorize(ids, sort=True)
    return code, pd.Index(uniques)


def _days(df: pd.DataFrame) -> np.ndarray:
    """Days since the table's first timestamp, NaN for readings without one."""
    if "timestamp" not in df.columns:
        return np.full(len(df), np.nan)
    stamps = df["timestamp"]
    if getattr(stamps.dtype, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    micros = stamps.to_numpy(dtype="datetime64[us]")
    timed = ~np.isnat(micros)
    days = np.full(len(df), np.nan)
    if timed.any():
        # Days since the epoch, not since the batch's first reading: the same
        # reading gets the same number whoever else is scored with it.
        days[timed] = micros[timed].astype(np.int64) / 86_400e6
    return days


def _time_order(customer, days, valence, arousal, discrete, moment) -> np.ndarray:
    """Row order by customer, then time (untimed readings first, in table order),
    then the scores, so that ties do not depend on the order of the rows."""
    n_rows = len(days)
    # Untimed readings get distinct negative times, in table order, below any day count.
    when = np.where(np.isnan(days), np.arange(n_rows) - n_rows - 1.0, days)
    order = np.lexsort((when, customer))  # the last key sorts first
    who, at = customer[order], when[order]
    tied = (who[1:] == who[:-1]) & (at[1:] == at[:-1])
    if not tied.any():
        return order
    # Sorting all rows by a dozen score keys costs seconds on millions of rows:
    # only the runs of readings sharing a customer and a time need them.
    slots = np.flatnonzero(np.r_[tied, False] | np.r_[False, tied])
    run = np.cumsum(np.r_[True, ~tied])[slots]
    rows = order[slots]
    scores = (*(discrete[rows, j] for j in reversed(range(discrete.shape[1]))), moment[rows])
    by_scores = np.lexsort((*scores, arousal[rows], valence[rows], run))
    order[slots] = rows[by_scores]  # runs are contiguous and stay in their slots
    return order


# --------------------------------------------------------------------------- per customer


def _per_customer(customer: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(customer, weights=values, minlength=n)


def _ratio(numerator: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.divide(numerator, count, out=np.full(len(count), np.nan), where=count > 0)


def _mean_std(customer, values, n) -> tuple[np.ndarray, np.ndarray]:
    known = ~np.isnan(values)
    who, x = customer[known], values[known]
    count = np.bincount(who, minlength=n)
    mean = _ratio(_per_customer(who, x, n), count)
    deviation = x - mean[who]  # two passes: no cancellation as in E[x^2] - E[x]^2
    variance = _ratio(_per_customer(who, deviation * deviation, n), count)
    return mean, np.where(count >= 2, np.sqrt(variance), np.nan)


def _share_and_mean(customer, intensity, n) -> tuple[np.ndarray, np.ndarray]:
    known = ~np.isnan(intensity)
    who, x = customer[known], intensity[known]
    count = np.bincount(who, minlength=n)
    present = (x >= PRESENT).astype("float64")
    return _ratio(_per_customer(who, present, n), count), _ratio(_per_customer(who, x, n), count)


def _peak_end(customer, valence, n) -> tuple[np.ndarray, np.ndarray]:
    """Rows are in time order within customer; readings without valence do not count."""
    rows = np.flatnonzero(~np.isnan(valence))
    who, v = customer[rows], valence[rows]
    peak, end = np.full(n, np.nan), np.full(n, np.nan)
    if len(rows) == 0:
        return peak, end
    by_intensity = np.lexsort((rows, -np.abs(v), who))  # strongest first, then earliest
    first = np.r_[True, who[by_intensity][1:] != who[by_intensity][:-1]]
    peak[who[by_intensity][first]] = v[by_intensity][first]
    last = np.r_[who[1:] != who[:-1], True]
    end[who[last]] = v[last]
    return peak, end


def _moment_means(customer, moment, values, n) -> np.ndarray:
    """(moments x customers) means; NaN where a customer has no reading at a moment."""
    known = ~np.isnan(values) & (moment >= 0)
    cell = customer[known] * len(MOMENTS) + moment[known]
    size = n * len(MOMENTS)
    count = np.bincount(cell, minlength=size)
    mean = _ratio(np.bincount(cell, weights=values[known], minlength=size), count)
    return mean.reshape(n, len(MOMENTS)).T


def _trend(customer, days, valence, n) -> np.ndarray:
    """Least-squares slope per customer; rows are in time order within customer."""
    known = ~np.isnan(valence) & ~np.isnan(days)
    who, t, v = customer[known], days[known], valence[known]
    if len(who):  # each customer's times from their own first reading (rows are in time order)
        starts = np.r_[True, who[1:] != who[:-1]]
        t = t - t[starts][np.cumsum(starts) - 1]
    count = np.bincount(who, minlength=n)
    t_mean = _ratio(_per_customer(who, t, n), count)
    v_mean = _ratio(_per_customer(who, v, n), count)
    dt, dv = t - t_mean[who], v - v_mean[who]
    slope = _ratio(_per_customer(who, dt * dv, n), _per_customer(who, dt * dt, n))
    spread = np.zeros(n)
    if len(who):  # first and last time per customer, as rows are sorted by time
        first = np.r_[True, who[1:] != who[:-1]]
        last = np.r_[who[1:] != who[:-1], True]
        spread[who[last]] = t[last] - t[first]
    enough = (count >= 2) & (spread > 0) & (spread >= TREND_MIN_SPAN / pd.Timedelta(days=1))
    return np.where(enough, slope * _TREND_DAYS, np.nan)
