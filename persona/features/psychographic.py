"""Psychographic features: what customers say they need, read from a Likert survey.

A ``survey`` (one row per respondent, one column per item) and its
:class:`~persona.Instrument` become:

- a score per need / desire dimension and respondent (:func:`score_scales`);
- how each respondent answered rather than what: straight-lining,
  acquiescence, answered share (:func:`response_style`);
- the model-ready ``psychographic__*`` block (:func:`psychographic_features`).

The survey is validated once, on entry, with
:func:`persona.contract._schema.validate_survey`. Everything else works on whole arrays:
loops run over dimensions and items, never over respondents. This module reads
the survey and the instrument only; the other modalities live elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from persona.contract import Instrument, TableLike, validate_survey
from persona.errors import ConfigError

__all__ = [
    "psychographic_features",
    "response_style",
    "score_scales",
]

_ID = "customer_id"
_PREFIX = "psychographic__"
_MIN_STRAIGHT_ITEMS = 3  # fewer identical answers say nothing about a style


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True, eq=False)
class _Answers:
    """A validated survey as arrays in instrument item order (NaN = skipped)."""

    ids: pd.Index
    raw: np.ndarray  # (respondents, items) float64
    low: np.ndarray  # (items,) each item's own scale
    high: np.ndarray
    sign: np.ndarray  # -1.0 for reverse-keyed items, +1.0 otherwise
    columns: dict[str, np.ndarray]  # dimension -> item positions

    @property
    def answered(self) -> np.ndarray:
        return ~np.isnan(self.raw)

    def agreement(self) -> np.ndarray:
        """Raw answers on [-1, 1] per item scale: -1 = lowest box, +1 = highest."""
        return 2.0 * (self.raw - self.low) / (self.high - self.low) - 1.0

    def acquiescence(self) -> np.ndarray:
        """Mean raw agreement over the answered items, before any reverse keying."""
        answered = self.answered
        total = np.where(answered, self.agreement(), 0.0).sum(axis=1)
        return total / answered.sum(axis=1)  # validation guarantees one answer at least

    def keyed(self, *, ipsatize: bool = False) -> np.ndarray:
        """Answers keyed so that high means more of the dimension, in scale units."""
        keyed = np.where(self.sign < 0, self.low + self.high - self.raw, self.raw)
        if ipsatize:
            # keyed = midpoint + half_range * sign * agreement, so taking the
            # respondent's mean agreement out of the raw answer before keying
            # is the same as taking sign * half_range * mean out after it.
            half_range = (self.high - self.low) / 2.0
            keyed = keyed - self.sign * half_range * self.acquiescence()[:, None]
        return keyed

    def scale_of(self, dimension: str) -> tuple[float, float] | None:
        """``(low, high)`` shared by the dimension's items; None when they differ."""
        cols = self.columns[dimension]
        low, high = self.low[cols], self.high[cols]
        if (low == low[0]).all() and (high == high[0]).all():
            return float(low[0]), float(high[0])
        return None


def read_answers(survey: TableLike, instrument: Instrument) -> _Answers:
    if not isinstance(instrument, Instrument):
        raise ConfigError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument (build one with Instrument.from_dict or from_file)."
        )
    table = validate_survey(survey, instrument)
    items = list(instrument.item_names)
    positions = {name: i for i, name in enumerate(items)}
    return _Answers(
        ids=pd.Index(table[_ID], name=_ID),
        raw=table[items].to_numpy(dtype="float64", na_value=np.nan),
        low=np.array([item.low for item in instrument], dtype="float64"),
        high=np.array([item.high for item in instrument], dtype="float64"),
        sign=np.array([-1.0 if item.reverse else 1.0 for item in instrument]),
        columns={
            dimension: np.array([positions[i] for i in instrument.items_of(dimension)])
            for dimension in instrument.dimensions
        },
    )


def _check_share(max_missing_share: object) -> None:
    if (
        isinstance(max_missing_share, bool)
        or not isinstance(max_missing_share, Real)
        or not 0.0 <= float(max_missing_share) < 1.0
    ):
        raise ConfigError(
            f"Got max_missing_share={max_missing_share!r}, but expected a number in [0, 1)."
        )


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"Got {name}={value!r}, but expected True or False.")


# --------------------------------------------------------------------------- scores


def score_scales(
    survey: TableLike,
    instrument: Instrument,
    *,
    max_missing_share: float = 0.5,
    ipsatize: bool = False,
) -> pd.DataFrame:
    """Score every need / desire dimension for every respondent.

    A dimension's score is the mean of its keyed items: a reverse-keyed
    answer counts as ``low + high - answer`` on the item's own scale, so a
    high score always means more of the dimension. Skipped items are prorated
    (the mean runs over the answered items) as long as the respondent skipped
    no more than ``max_missing_share`` of the dimension's items; beyond that
    the score is NaN.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item of
        ``instrument``, NaN where skipped. Checked with
        :func:`persona.contract._schema.validate_survey` before anything is computed.
    instrument : Instrument
        Which item measures which dimension, on which scale, with which key.
    max_missing_share : float, default 0.5
        Largest share of a dimension's items a respondent may skip and still
        get a score, in [0, 1): with 0.5, a respondent who skipped 1 or 2 of
        4 items is scored on the rest, one who skipped 3 gets NaN; with 0 a
        single skip gives NaN.
    ipsatize : bool, default False
        Correct for acquiescence (agreeing whatever an item says) before
        scoring. Each respondent's raw answers, on [-1, 1] per item scale,
        are centred on their own mean over all answered items of the
        instrument, *then* reverse-keyed around the scale midpoint and
        averaged. Centring before keying is what removes yes-saying: it
        lowers a yes-sayer's agreement with a forward item and raises their
        keyed answer to a reverse item alike. Centring after keying would
        instead remove the respondent's overall trait level and leave the
        style in. The correction is exact only on a balanced instrument (as
        many reverse as forward items): otherwise the mean raw answer also
        carries content, part of which is removed too. Ipsatized scores are
        relative, a straight-liner lands on every midpoint, and a score may
        leave ``[low, high]`` by up to half the scale's range.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order, one float64
        column per dimension in instrument order, in the units of the
        dimension's scale (a 1..5 dimension scores from 1 to 5). A dimension
        whose items mix scales is scored on [0, 1] instead, each keyed answer
        mapped to ``(answer - low) / (high - low)`` on its own scale first.

    See Also
    --------
    psychographic_features : the scores on [0, 1] with response-style columns.
    scale_reliability : whether the items of a dimension hang together.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> from persona.features.psychographic import score_scales
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
    ...     {"item": "dis1", "dimension": "discovery", "scale": [1, 7]}]})
    >>> survey = pd.DataFrame({"customer_id": [1, 2], "thr1": [5, 2],
    ...                        "thr2": [2, None], "dis1": [7, 3]})
    >>> score_scales(survey, instrument).to_dict("index")
    {1: {'thrift': 4.5, 'discovery': 7.0}, 2: {'thrift': 2.0, 'discovery': 3.0}}
    >>> score_scales(survey, instrument, max_missing_share=0.0).loc[2, "thrift"]
    np.float64(nan)
    """
    _check_share(max_missing_share)
    _check_flag("ipsatize", ipsatize)
    answers = read_answers(survey, instrument)
    return _scores(answers, instrument, float(max_missing_share), bool(ipsatize))


def _scores(
    answers: _Answers, instrument: Instrument, max_missing_share: float, ipsatize: bool
) -> pd.DataFrame:
    scores = _score_arrays(answers, instrument, max_missing_share, ipsatize)
    return pd.DataFrame(scores, index=answers.ids, dtype="float64")


def _score_arrays(
    answers: _Answers, instrument: Instrument, max_missing_share: float, ipsatize: bool
) -> dict[str, np.ndarray]:
    keyed = answers.keyed(ipsatize=ipsatize)
    scores = {}
    for dimension in instrument.dimensions:
        cols = answers.columns[dimension]
        block = keyed[:, cols]
        if answers.scale_of(dimension) is None:  # mixed scales: compare on [0, 1]
            block = (block - answers.low[cols]) / (answers.high[cols] - answers.low[cols])
        scores[dimension] = _prorated_mean(block, max_missing_share)
    return scores


def _prorated_mean(block: np.ndarray, max_missing_share: float) -> np.ndarray:
    """Row means over answered cells; NaN where too many cells were skipped."""
    answered = ~np.isnan(block)
    n_answered = answered.sum(axis=1)
    n_items = block.shape[1]
    # The tolerance keeps e.g. 1 skip of 3 items within a share of 1/3.
    allowed = (n_items - n_answered <= max_missing_share * n_items + 1e-9) & (n_answered > 0)
    total = np.where(answered, block, 0.0).sum(axis=1)
    mean = total / np.maximum(n_answered, 1)
    return np.where(allowed, mean, np.nan)


# --------------------------------------------------------------------------- response style


def response_style(survey: TableLike, instrument: Instrument) -> pd.DataFrame:
    """How each respondent answered, whatever the items asked.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item,
        checked with :func:`persona.contract._schema.validate_survey`.
    instrument : Instrument
        The items' scales (keys are not used: style is read on raw answers).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order, float64:

        - ``straightlining``: 1.0 when the respondent gave the same raw
          answer to every item they answered and answered at least three,
          else 0.0. Raw answers are compared as given, also across items of
          different scales: ticking "3" everywhere is one habit, even if 3
          is the midpoint of a 1..5 item and below it on a 1..7 item.
        - ``acquiescence``: mean agreement over the answered items before
          reverse keying, each answer mapped to [-1, 1] on its own scale as
          ``2 * (answer - low) / (high - low) - 1``. Positive means a
          tendency to agree; on an instrument whose items are keyed both
          ways it separates yes-saying from content, because content pulls
          forward and reverse items in opposite directions.
        - ``answered_share``: share of the instrument's items answered.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> from persona.features.psychographic import response_style
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": f"q{i}", "dimension": "thrift", "scale": [1, 5], "reverse": i == 4}
    ...     for i in range(1, 5)]})
    >>> survey = pd.DataFrame({"customer_id": ["a", "b"], "q1": [4, 5], "q2": [4, 4],
    ...                        "q3": [4, 3], "q4": [4, None]})
    >>> response_style(survey, instrument).to_dict("index")
    {'a': {'straightlining': 1.0, 'acquiescence': 0.5, 'answered_share': 1.0}, \
'b': {'straightlining': 0.0, 'acquiescence': 0.5, 'answered_share': 0.75}}
    """
    return _style(read_answers(survey, instrument))


def _style(answers: _Answers) -> pd.DataFrame:
    return pd.DataFrame(_style_arrays(answers), index=answers.ids)


def _style_arrays(answers: _Answers) -> dict[str, np.ndarray]:
    answered = answers.answered
    n_answered = answered.sum(axis=1)
    lowest = np.where(answered, answers.raw, np.inf).min(axis=1)
    highest = np.where(answered, answers.raw, -np.inf).max(axis=1)
    straight = (n_answered >= _MIN_STRAIGHT_ITEMS) & (lowest == highest)
    return {
        "straightlining": straight.astype("float64"),
        "acquiescence": answers.acquiescence(),
        "answered_share": n_answered / answers.raw.shape[1],
    }


# --------------------------------------------------------------------------- features


def psychographic_features(
    survey: TableLike,
    instrument: Instrument,
    *,
    max_missing_share: float = 0.5,
    ipsatize: bool = False,
) -> pd.DataFrame:
    """The model-ready psychographic block: one row per respondent.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item,
        checked with :func:`persona.contract._schema.validate_survey`.
    instrument : Instrument
        The survey's instrument.
    max_missing_share : float, default 0.5
        As in :func:`score_scales`.
    ipsatize : bool, default False
        As in :func:`score_scales`.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order, float64:

        - ``psychographic__<dimension>`` per dimension, in instrument order:
          the :func:`score_scales` score rescaled to [0, 1] as
          ``(score - low) / (high - low)`` with the dimension's scale, so that
          dimensions measured on 1..5 and 1..7 items are comparable (a
          mixed-scale dimension is on [0, 1] already). NaN where the
          respondent skipped too many of its items; ipsatized scores may
          leave [0, 1] by up to 0.5;
        - ``response__acquiescence`` and ``response__straightlining`` from
          :func:`response_style`: how the respondent answered, not what they
          need, so the feature builder keeps them out of the persona space.

        Customers without a survey do not appear; the feature builder adds
        them with NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> from persona.features.psychographic import psychographic_features
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
    ...     {"item": "dis1", "dimension": "discovery", "scale": [1, 7]}]})
    >>> survey = pd.DataFrame({"customer_id": [7], "thr1": [4], "thr2": [2], "dis1": [4]})
    >>> psychographic_features(survey, instrument).loc[7].to_dict()
    {'psychographic__thrift': 0.75, 'psychographic__discovery': 0.5, \
'response__acquiescence': 0.0, 'response__straightlining': 0.0}
    """
    _check_share(max_missing_share)
    _check_flag("ipsatize", ipsatize)
    answers = read_answers(survey, instrument)
    features = feature_arrays(answers, instrument, float(max_missing_share), bool(ipsatize))
    return pd.DataFrame(features, index=answers.ids, dtype="float64")


def feature_arrays(
    answers: _Answers, instrument: Instrument, max_missing_share: float, ipsatize: bool
) -> dict[str, np.ndarray]:
    """The psychographic block's columns by name, from answers already read and checked.

    What :func:`psychographic_features` computes once it has read the table,
    and what a single record is scored with (:mod:`persona.features.record`).
    """
    scores = _score_arrays(answers, instrument, max_missing_share, ipsatize)
    style = _style_arrays(answers)
    features = {}
    for dimension in instrument.dimensions:
        low, high = answers.scale_of(dimension) or (0.0, 1.0)
        features[f"{_PREFIX}{dimension}"] = (scores[dimension] - low) / (high - low)
    features["response__acquiescence"] = style["acquiescence"]
    features["response__straightlining"] = style["straightlining"]
    return features
