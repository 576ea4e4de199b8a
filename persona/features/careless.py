"""Careless respondents: answers given without reading the items.

A respondent who ticks one box down the page, clicks at random or races
through the survey says nothing about their needs, and a persona built on
their answers is a persona of answer styles. :func:`careless_respondents`
reads five signs, each with its threshold in :class:`CarelessRules`:

- **long-string**: the longest run of one raw answer over consecutive items,
  as a share of the items answered (straight-lining is a run of 1.0);
- **Mahalanobis distance** of the keyed answers from the respondents' centre,
  against the chi-square distribution: answers no coherent reader gives;
- **even-odd consistency**: each dimension's even and odd items scored
  apart, correlated over the dimensions and lengthened by Spearman-Brown; a
  reader's two halves agree, a random clicker's do not;
- **within-dimension scatter**: how far a respondent's answers to one
  dimension's items stray from each other, against how far the base's
  answers stray (a mean square ratio); it catches patterns drawn down the
  page (1, 2, 3, 4, 5, 4, ...), which no distance from the centre sees;
- **response time**, when a duration column is given: seconds per answered
  item.

Distance, even-odd and scatter read the keyed answers with each respondent's
lean to agree taken out (ipsatized): yes-saying is an answer style, not
carelessness, and without this a strong yes-sayer on an instrument keyed both
ways looks inconsistent.

Flagged respondents take no part in discovering personas; they still get a
persona from their other signals (:class:`persona.PersonaModel` does both).
Loops run over items and dimensions, never over respondents.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from persona.contract import Instrument, TableLike, read_table
from persona.errors import ConfigError, PersonaError
from persona.features.psychographic import _Answers, read_answers
from persona.features.reliability import _pairwise_cov

__all__ = ["CarelessRules", "careless_counts", "careless_respondents", "split_duration"]

_MIN_ITEMS = 3  # fewer answers say nothing about a style
_SCATTER_ITEMS = 3  # a dimension's items needed to read scatter within it


@dataclass(frozen=True)
class CarelessRules:
    """Thresholds that flag a respondent as careless; each sign can be switched off with None.

    Parameters
    ----------
    max_longstring : float or None, default 0.8
        Flag when one raw answer runs over at least this share of the
        answered items (1.0 flags straight-liners only).
    mahalanobis_p : float or None, default 0.001
        Flag when the answers' squared Mahalanobis distance is this
        improbable under the chi-square with one degree per item.
    min_even_odd : float or None, default -0.5
        Flag when the even-odd consistency is below this: the two halves of
        the survey run against each other (a random clicker scatters around
        0, a reader is near 1; respondents whose needs differ little across
        dimensions fall below 0 by chance, so the default asks for more).
        Needs three dimensions of two items or more.
    max_scatter : float or None, default 3.5
        Flag when the respondent's answers within dimensions scatter at
        least this many times as much as the base's typical respondent's
        (dimensions of three items or more).
    min_seconds_per_item : float or None, default 2.0
        Flag when the survey took less than this per answered item (needs
        ``duration_column``).
    duration_column : str or None, default None
        The survey column with each respondent's completion time in
        seconds; it is read here and dropped before the answers are.
    """

    max_longstring: float | None = 0.8
    mahalanobis_p: float | None = 0.001
    min_even_odd: float | None = -0.5
    max_scatter: float | None = 3.5
    min_seconds_per_item: float | None = 2.0
    duration_column: str | None = None

    def __post_init__(self) -> None:
        for name, low, high in (("max_longstring", 0.0, 1.0), ("mahalanobis_p", 0.0, 1.0),
                                ("min_even_odd", -1.0, 1.0), ("max_scatter", 1.0, np.inf),
                                ("min_seconds_per_item", 0.0, np.inf)):  # fmt: skip
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, Real) or not low <= value <= high:
                raise ConfigError(
                    f"Got {name}={value!r}, but expected None or a number in [{low}, {high}]."
                )
        if self.duration_column is not None and not isinstance(self.duration_column, str):
            raise ConfigError(
                f"Got duration_column={self.duration_column!r}, but expected a column name."
            )


def careless_respondents(
    survey: TableLike,
    instrument: Instrument,
    rules: CarelessRules | None = None,
    *,
    durations: pd.Series | None = None,
) -> pd.DataFrame:
    """Which respondents answered carelessly, and by which sign.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id``, one column per item, and
        the duration column when ``rules.duration_column`` names one.
    instrument : Instrument
        The items' dimensions, scales and keys.
    rules : CarelessRules, optional
        The thresholds; the defaults when None.
    durations : Series, optional
        Completion times in seconds by ``customer_id``, given apart from
        the survey (then ``rules.duration_column`` is not looked for).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order: the measures
        ``longstring``, ``mahalanobis_p``, ``even_odd``, ``scatter`` and
        ``seconds_per_item`` (NaN where not measurable), a boolean column per
        sign (``by_longstring``, ``by_mahalanobis``, ``by_even_odd``,
        ``by_scatter``, ``by_speed``) and ``careless``, any of them.

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> from persona.features.careless import careless_respondents
    >>> data = make_customers(n_customers=2000, random_state=0)
    >>> survey = data.survey.copy()
    >>> survey.loc[:9, list(data.instrument.item_names)] = 3  # ten straight-liners
    >>> flags = careless_respondents(survey, data.instrument)
    >>> bool(flags["by_longstring"].iloc[:10].all())
    True
    >>> first = flags.iloc[0]
    >>> float(first["longstring"]), bool(first["careless"])
    (1.0, True)
    """
    rules = CarelessRules() if rules is None else rules
    if not isinstance(rules, CarelessRules):
        raise ConfigError(f"Got rules of type {type(rules).__name__}, but expected CarelessRules.")
    if durations is None and rules.duration_column is not None:
        table = read_table(survey, "survey")
        if rules.duration_column not in table.columns:
            raise ConfigError(
                f"survey: has no duration column '{rules.duration_column}' "
                "(CarelessRules.duration_column); add it in seconds, or leave duration_column "
                "unset."
            )
        survey, durations = split_duration(table, rules)
    answers = read_answers(survey, instrument)
    measures = {
        "longstring": _longstring(answers),
        "mahalanobis_p": _mahalanobis_p(answers, ipsatize=True),
        "even_odd": _even_odd(answers, instrument, ipsatize=True),
        "scatter": _scatter(answers, instrument),
        "seconds_per_item": np.full(len(answers.ids), np.nan),
    }
    if durations is not None:
        seconds = durations.reindex(answers.ids).to_numpy(dtype="float64")
        measures["seconds_per_item"] = seconds / answers.answered.sum(axis=1)
    flags = {
        "by_longstring": _at_least(measures["longstring"], rules.max_longstring),
        "by_mahalanobis": _below(measures["mahalanobis_p"], rules.mahalanobis_p),
        "by_even_odd": _below(measures["even_odd"], rules.min_even_odd),
        "by_scatter": _at_least(measures["scatter"], rules.max_scatter),
        "by_speed": _below(measures["seconds_per_item"], rules.min_seconds_per_item),
    }
    frame = pd.DataFrame({**measures, **flags}, index=answers.ids)
    frame["careless"] = frame[list(flags)].any(axis=1)
    return frame


def careless_counts(flags: pd.DataFrame) -> pd.Series:
    """Respondents flagged by each sign, in all, and out of how many.

    Examples
    --------
    >>> flags = pd.DataFrame({"by_longstring": [True, False], "by_speed": [False, False],
    ...                       "careless": [True, False]})
    >>> careless_counts(flags).to_dict()
    {'longstring': 1, 'speed': 0, 'careless': 1, 'respondents': 2}
    """
    signs = [c for c in flags.columns if c.startswith("by_")]
    counts = {c.removeprefix("by_"): int(flags[c].sum()) for c in signs}
    counts |= {"careless": int(flags["careless"].sum()), "respondents": len(flags)}
    return pd.Series(counts, name="respondents", dtype="int64")


def split_duration(survey: TableLike, rules: CarelessRules) -> tuple[TableLike, pd.Series | None]:
    """The survey without ``rules.duration_column``, and the durations by ``customer_id``.

    The survey comes back as given (and no durations) when the rules name no
    column, or, at scoring, when the table does not carry it.
    """
    column = rules.duration_column
    if column is None:
        return survey, None
    table = read_table(survey, "survey")
    if column not in table.columns:
        return table, None
    seconds = pd.to_numeric(table[column], errors="coerce")
    bad = table.index[seconds.isna() & table[column].notna() | (seconds < 0)]
    if len(bad):
        raise PersonaError(
            f"survey.{column}: durations must be seconds >= 0; first offending rows "
            f"{list(bad[:5])}."
        )
    durations = pd.Series(seconds.to_numpy(), index=table["customer_id"], name=column)
    return table.drop(columns=column), durations


def _below(values: np.ndarray, threshold: float | None) -> np.ndarray:
    """``values < threshold``; a NaN measure or a rule switched off flags nobody."""
    if threshold is None:
        return np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        return values < threshold


def _at_least(values: np.ndarray, threshold: float | None) -> np.ndarray:
    if threshold is None:
        return np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        return values >= threshold


def _longstring(answers: _Answers) -> np.ndarray:
    """Longest run of one raw answer over consecutive answered items, as a share of them."""
    raw = answers.raw
    n_rows, n_items = raw.shape
    answered = answers.answered
    n_answered = answered.sum(axis=1)
    # Carry the last answer over skipped items so a skip neither breaks nor extends a run.
    filled = pd.DataFrame(raw).ffill(axis=1).to_numpy()
    run = np.zeros(n_rows)
    longest = np.zeros(n_rows)
    previous = np.full(n_rows, np.nan)
    for j in range(n_items):
        same = filled[:, j] == previous
        run = np.where(answered[:, j], np.where(same, run + 1, 1), run)
        longest = np.maximum(longest, run)
        previous = filled[:, j]
    share = longest / np.maximum(n_answered, 1)
    return np.where(n_answered >= _MIN_ITEMS, share, np.nan)


def _mahalanobis_p(answers: _Answers, ipsatize: bool = False) -> np.ndarray:
    """Upper-tail chi-square probability of each respondent's squared Mahalanobis distance.

    Skipped answers take their item's mean (they add no distance), and the
    degrees of freedom are the items answered. The centre and covariance are
    the respondents' own (pairwise); a singular covariance uses its
    pseudo-inverse.
    """
    keyed = answers.keyed(ipsatize=ipsatize)
    answered = answers.answered
    mean = np.nanmean(keyed, axis=0)
    centred = np.where(answered, keyed - mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = _pairwise_cov(keyed)
    if not np.isfinite(cov).all():
        return np.full(len(keyed), np.nan)
    distance = np.einsum("ij,jk,ik->i", centred, np.linalg.pinv(cov), centred)
    n_answered = answered.sum(axis=1)
    p = stats.chi2.sf(distance, np.maximum(n_answered, 1))
    return np.where(n_answered >= _MIN_ITEMS, p, np.nan)


def _even_odd(answers: _Answers, instrument: Instrument, ipsatize: bool = False) -> np.ndarray:
    """Spearman-Brown-lengthened correlation of odd-item and even-item dimension scores."""
    keyed = answers.keyed(ipsatize=ipsatize)
    halves = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-skipped half is NaN, as meant
        for dimension in instrument.dimensions:
            columns = answers.columns[dimension]
            if len(columns) >= 2:
                halves.append((np.nanmean(keyed[:, columns[0::2]], axis=1),
                               np.nanmean(keyed[:, columns[1::2]], axis=1)))  # fmt: skip
    if len(halves) < 3:
        return np.full(len(keyed), np.nan)
    odd = np.column_stack([h[0] for h in halves])
    even = np.column_stack([h[1] for h in halves])
    both = ~np.isnan(odd) & ~np.isnan(even)
    count = both.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        odd, even = _row_centred(odd, both, count), _row_centred(even, both, count)
        r = (odd * even).sum(axis=1) / np.sqrt((odd**2).sum(axis=1) * (even**2).sum(axis=1))
        # Spearman-Brown lengthens agreement only; a negative r is kept as it is.
        lengthened = np.where(r > 0, 2.0 * r / (1.0 + r), r)
    return np.where(count >= 3, lengthened, np.nan)


def _row_centred(values: np.ndarray, kept: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Each row minus its mean over the kept cells; 0 elsewhere."""
    kept_values = np.where(kept, values, 0.0)
    return np.where(kept, values - kept_values.sum(axis=1, keepdims=True) / count[:, None], 0.0)


def _scatter(answers: _Answers, instrument: Instrument) -> np.ndarray:
    """Mean square of each answer's distance from its dimension's mean, against the base's.

    Read on the ipsatized keyed answers (a yes-sayer's lean taken out: it is
    a style, not carelessness) of the dimensions with three items or more
    (two items scatter too much by chance to tell anything). Each answer's
    squared deviation from the respondent's mean over the dimension's
    answered items is divided by that item's typical squared deviation,
    estimated over the respondents whose scatter is not in the top tenth (so
    careless respondents do not set the yardstick), and averaged with one
    degree of freedom less per dimension.
    """
    keyed = answers.keyed(ipsatize=True)
    deviation = np.full(keyed.shape, np.nan)
    freedom = np.zeros(len(keyed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a dimension all skipped is NaN
        for dimension in instrument.dimensions:
            columns = answers.columns[dimension]
            if len(columns) < _SCATTER_ITEMS:
                continue
            block = keyed[:, columns]
            deviation[:, columns] = block - np.nanmean(block, axis=1, keepdims=True)
            freedom += np.maximum((~np.isnan(block)).sum(axis=1) - 1, 0)
        if not freedom.any():
            return np.full(len(keyed), np.nan)
        squared = deviation**2
        first = np.nansum(squared / np.nanmean(squared, axis=0), axis=1) / freedom
        typical = first <= np.nanquantile(first, 0.9)
        yardstick = np.nanmean(squared[typical], axis=0)
        ratio = np.nansum(squared / yardstick, axis=1) / freedom
    return np.where(freedom >= 2, ratio, np.nan)
