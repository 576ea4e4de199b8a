"""Psychographic features: what customers say they need, read from a Likert survey.

A ``survey`` (one row per respondent, one column per item) and its
:class:`~persona.Instrument` become:

- a score per need / desire dimension and respondent (:func:`score_scales`);
- how reliable each dimension's scale is, Cronbach's alpha and McDonald's
  omega with item detail, as R's ``psych::alpha`` reports them
  (:func:`scale_reliability`);
- how each respondent answered rather than what: straight-lining,
  acquiescence, answered share (:func:`response_style`);
- the model-ready ``psychographic__*`` block (:func:`psychographic_features`).

The survey is validated once, on entry, with
:func:`persona.schema.validate_survey`. Everything else works on whole arrays:
loops run over dimensions and items, never over respondents. This module reads
the survey and the instrument only; the other modalities live elsewhere.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from persona.instrument import Instrument
from persona.schema import TableLike, validate_survey

__all__ = [
    "Reliability",
    "psychographic_features",
    "response_style",
    "scale_reliability",
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


def _read_answers(survey: TableLike, instrument: Instrument) -> _Answers:
    if not isinstance(instrument, Instrument):
        raise TypeError(
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
        raise ValueError(
            f"Got max_missing_share={max_missing_share!r}, but expected a number in [0, 1)."
        )


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Got {name}={value!r}, but expected True or False.")


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
        :func:`persona.schema.validate_survey` before anything is computed.
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
    answers = _read_answers(survey, instrument)
    return _scores(answers, instrument, float(max_missing_share), bool(ipsatize))


def _scores(
    answers: _Answers, instrument: Instrument, max_missing_share: float, ipsatize: bool
) -> pd.DataFrame:
    keyed = answers.keyed(ipsatize=ipsatize)
    scores = {}
    for dimension in instrument.dimensions:
        cols = answers.columns[dimension]
        block = keyed[:, cols]
        if answers.scale_of(dimension) is None:  # mixed scales: compare on [0, 1]
            block = (block - answers.low[cols]) / (answers.high[cols] - answers.low[cols])
        scores[dimension] = _prorated_mean(block, max_missing_share)
    return pd.DataFrame(scores, index=answers.ids, dtype="float64")


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
        checked with :func:`persona.schema.validate_survey`.
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
    return _style(_read_answers(survey, instrument))


def _style(answers: _Answers) -> pd.DataFrame:
    answered = answers.answered
    n_answered = answered.sum(axis=1)
    lowest = np.where(answered, answers.raw, np.inf).min(axis=1)
    highest = np.where(answered, answers.raw, -np.inf).max(axis=1)
    straight = (n_answered >= _MIN_STRAIGHT_ITEMS) & (lowest == highest)
    return pd.DataFrame(
        {
            "straightlining": straight.astype("float64"),
            "acquiescence": answers.acquiescence(),
            "answered_share": n_answered / answers.raw.shape[1],
        },
        index=answers.ids,
    )


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
        checked with :func:`persona.schema.validate_survey`.
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
    answers = _read_answers(survey, instrument)
    scores = _scores(answers, instrument, float(max_missing_share), bool(ipsatize))
    style = _style(answers)
    features = {}
    for dimension in instrument.dimensions:
        low, high = answers.scale_of(dimension) or (0.0, 1.0)
        features[f"{_PREFIX}{dimension}"] = (scores[dimension] - low) / (high - low)
    features["response__acquiescence"] = style["acquiescence"]
    features["response__straightlining"] = style["straightlining"]
    return pd.DataFrame(features, index=answers.ids, dtype="float64")


# --------------------------------------------------------------------------- reliability


@dataclass(frozen=True, eq=False)
class Reliability:
    """How reliably an instrument's scales measure their dimensions.

    Attributes
    ----------
    scales : DataFrame
        One row per dimension (index ``dimension``, instrument order):
        ``n_items``; ``alpha`` (Cronbach's raw alpha, from covariances);
        ``std_alpha`` (from correlations, as if items were standardized);
        ``omega_total`` (McDonald's omega from a one-factor model);
        ``average_r`` (mean inter-item correlation); ``n`` (respondents who
        answered at least one of its items).
    items : DataFrame
        One row per item (index ``(dimension, item)``): ``n`` (respondents
        who answered it); ``item_total_r`` (corrected item-total
        correlation: the keyed item against the sum of the *other* items,
        psych's ``r.drop``); ``raw_item_total_r`` (the keyed item against the
        respondent's mean of all the dimension's answered items, itself
        included, psych's ``raw.r``); ``alpha_if_dropped`` and
        ``std_alpha_if_dropped`` (the dimension's alphas without the item).
    """

    scales: pd.DataFrame
    items: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Reliability({len(self.scales)} dimensions, {len(self.items)} items; "
            "see .scales and .items)"
        )


def scale_reliability(survey: TableLike, instrument: Instrument) -> Reliability:
    """Cronbach's alpha, McDonald's omega and item statistics per dimension.

    Everything is computed on the keyed answers (reverse-keyed items turned
    round on their own scale), from the pairwise-complete covariance matrix
    ``C`` of each dimension's ``k`` items, exactly as R's ``psych::alpha``
    does:

    - ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))``;
    - ``std_alpha = k / (k - 1) * (1 - k / sum(R))`` with ``R`` the
      correlation matrix of ``C`` (``cov2cor``), equal to
      ``k * average_r / (1 + (k - 1) * average_r)``;
    - ``item_total_r`` of item ``i``: ``(sum(C[:, i]) - C[i, i]) /
      sqrt(C[i, i] * sum(C without row and column i))``, psych's ``r.drop``;
    - the alphas if an item is dropped: the same formulas on ``C`` and ``R``
      without the item.

    ``omega_total = (sum(l))**2 / ((sum(l))**2 + sum(1 - l**2))`` with ``l``
    the loadings of one factor fitted to ``R`` by minimum residual (minres,
    as psych's ``omega`` and ``fa`` do), found by iterated principal axis
    from squared multiple correlations: its fixed point is the minres
    solution. This is the model-implied omega; psych's ``omega.tot`` divides
    by ``sum(R)`` instead, which agrees when one factor fits.

    A dimension with one item has NaN alphas, omega and ``item_total_r``;
    with two items omega is NaN (one factor is not identified from one
    correlation) and so are the alphas if an item is dropped. An item
    without variance makes the correlation-based statistics of its
    dimension NaN.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item,
        checked with :func:`persona.schema.validate_survey`.
    instrument : Instrument
        Which item measures which dimension, on which scale, with which key.

    Returns
    -------
    Reliability
        ``.scales`` (one row per dimension) and ``.items`` (one row per
        item); see :class:`Reliability`.

    Warns
    -----
    UserWarning
        For every item whose corrected item-total correlation is negative:
        an item that runs against the rest of its scale is most often a
        reverse-keyed item not marked ``reverse`` in the instrument.

    Examples
    --------
    >>> from persona.datasets import load_bfi
    >>> from persona.features.psychographic import scale_reliability
    >>> bfi = load_bfi()
    >>> reliability = scale_reliability(bfi.survey, bfi.instrument)
    >>> reliability.scales.loc["neuroticism", ["alpha", "std_alpha", "average_r"]].round(3)
    alpha        0.814
    std_alpha    0.815
    average_r    0.468
    Name: neuroticism, dtype: float64
    >>> reliability.items.loc[("agreeableness", "A1"), "item_total_r"].round(2)
    np.float64(0.31)
    """
    answers = _read_answers(survey, instrument)
    keyed = pd.DataFrame(answers.keyed(), columns=list(instrument.item_names))
    scale_rows, item_frames = [], []
    for dimension in instrument.dimensions:
        block = keyed[list(instrument.items_of(dimension))]
        scale_row, item_frame = _dimension_reliability(block)
        scale_rows.append(scale_row)
        item_frames.append(item_frame)
        for item, r in item_frame["item_total_r"].items():
            if r < 0:
                warnings.warn(
                    f"item '{item}' correlates negatively ({r:.2f}) with the rest of "
                    f"'{dimension}': is a reverse key missing in the instrument?",
                    UserWarning,
                    stacklevel=2,
                )
    scales = pd.DataFrame(scale_rows, index=pd.Index(instrument.dimensions, name="dimension"))
    scales = scales.astype({"n_items": "int64", "n": "int64"})
    items = pd.concat(item_frames, keys=list(instrument.dimensions), names=["dimension", "item"])
    return Reliability(scales=scales, items=items)


def _dimension_reliability(block: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Scale row and item rows of one dimension, from its keyed answers."""
    keyed = block.to_numpy(dtype="float64")
    n_items = keyed.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = _pairwise_cov(keyed)
        cor = _cov2cor(cov)
        alpha, std_alpha, average_r = _alpha(cov, cor)
        scale_row = {
            "n_items": n_items,
            "alpha": alpha,
            "std_alpha": std_alpha,
            "omega_total": _omega_total(cor) if n_items >= 3 else np.nan,
            "average_r": average_r,
            "n": int((~np.isnan(keyed)).any(axis=1).sum()),
        }
        items = _item_statistics(keyed, cov, cor)
    items.index = pd.Index(block.columns, name="item")
    return scale_row, items


def _item_statistics(keyed: np.ndarray, cov: np.ndarray, cor: np.ndarray) -> pd.DataFrame:
    """psych's r.drop, raw.r and alphas if dropped, one row per item."""
    n_items = keyed.shape[1]
    diagonal = np.diag(cov)
    column = cov.sum(axis=0)
    rest = cov.sum() - 2.0 * column + diagonal  # sum of cov without row and column i
    item_total_r = (column - diagonal) / np.sqrt(diagonal * rest)
    if n_items < 2:
        item_total_r = np.full(n_items, np.nan)
    dropped = [
        _alpha(np.delete(np.delete(cov, i, 0), i, 1), np.delete(np.delete(cor, i, 0), i, 1))
        for i in range(n_items)
    ]
    # psych's raw.r: the item against the respondent's mean of the answered items.
    answered = ~np.isnan(keyed)
    n_answered = answered.sum(axis=1)
    mean_answer = np.where(answered, keyed, 0.0).sum(axis=1) / n_answered
    return pd.DataFrame(
        {
            "n": answered.sum(axis=0).astype("int64"),
            "item_total_r": item_total_r,
            "raw_item_total_r": _pairwise_cor_with(keyed, mean_answer),
            "alpha_if_dropped": [d[0] for d in dropped],
            "std_alpha_if_dropped": [d[1] for d in dropped],
        }
    )


def _pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariances over the rows where both items were answered (R's use="pairwise").

    ddof 1; NaN for a pair answered together by fewer than two respondents.
    """
    n_items = x.shape[1]
    answered = ~np.isnan(x)
    cov = np.full((n_items, n_items), np.nan)
    for i in range(n_items):
        for j in range(i, n_items):
            both = answered[:, i] & answered[:, j]
            n_both = int(both.sum())
            if n_both < 2:
                continue
            xi, xj = x[both, i], x[both, j]
            cov[i, j] = cov[j, i] = ((xi - xi.mean()) * (xj - xj.mean())).sum() / (n_both - 1)
    return cov


def _pairwise_cor_with(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Correlation of each column of ``x`` with ``y`` over the rows where both exist."""
    both = ~np.isnan(x) & ~np.isnan(y)[:, None]
    n_both = both.sum(axis=0)
    x_mean = np.where(both, x, 0.0).sum(axis=0) / n_both
    y_mean = np.where(both, y[:, None], 0.0).sum(axis=0) / n_both
    dx = np.where(both, x - x_mean, 0.0)
    dy = np.where(both, y[:, None] - y_mean, 0.0)
    r = (dx * dy).sum(axis=0) / np.sqrt((dx**2).sum(axis=0) * (dy**2).sum(axis=0))
    return np.where(n_both >= 2, r, np.nan)


def _cov2cor(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    np.fill_diagonal(cor, np.where(sd > 0, 1.0, np.nan))
    return cor


def _alpha(cov: np.ndarray, cor: np.ndarray) -> tuple[float, float, float]:
    """Raw alpha, standardized alpha and mean inter-item correlation (psych's alpha.1)."""
    k = cov.shape[0]
    if k < 2:
        return np.nan, np.nan, np.nan
    factor = k / (k - 1)
    raw = factor * (1.0 - np.trace(cov) / cov.sum())
    std = factor * (1.0 - k / cor.sum())
    average_r = (cor.sum() - k) / (k * (k - 1))
    return float(raw), float(std), float(average_r)


def _omega_total(cor: np.ndarray) -> float:
    """McDonald's omega total from a one-factor minres fit of a correlation matrix."""
    if not np.isfinite(cor).all():
        return np.nan
    loadings = _one_factor_loadings(cor)
    common = loadings.sum() ** 2
    return float(common / (common + (1.0 - loadings**2).sum()))


def _one_factor_loadings(
    cor: np.ndarray, *, tol: float = 1e-10, max_iter: int = 10_000
) -> np.ndarray:
    """Loadings of one common factor, by iterated principal axis factoring.

    At a fixed point, ``sum_{j != i} r_ij l_j = l_i sum_{j != i} l_j**2`` for
    every item: the stationarity condition of minres (least squares on the
    off-diagonal residuals ``r_ij - l_i l_j``), so the result is psych's
    ``fa(fm="minres")`` solution. Communalities are capped at 1 (a Heywood
    case would otherwise run away). Sign: the loadings sum to >= 0.
    """
    try:
        communality = 1.0 - 1.0 / np.diag(np.linalg.inv(cor))  # squared multiple correlations
    except np.linalg.LinAlgError:
        communality = np.abs(cor - np.eye(len(cor))).max(axis=0)  # singular: largest |r|
    communality = np.clip(communality, 0.0, 1.0)
    reduced = cor.copy()
    for _ in range(max_iter):
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
        updated = np.minimum(loadings**2, 1.0)
        converged = np.abs(updated - communality).max() < tol
        communality = updated
        if converged:
            break
    return loadings if loadings.sum() >= 0 else -loadings
