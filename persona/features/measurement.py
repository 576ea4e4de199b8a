"""Does the instrument measure what it says, and the same thing in every group?

- :func:`confirmatory_fit`: the instrument's dimensions as a confirmatory
  factor model (each item on its own dimension, correlated dimensions),
  with the fit a market researcher reads: chi-square, CFI, TLI, RMSEA with
  its 90 % interval, SRMR and standardised loadings;
- :func:`measurement_invariance`: the same model fitted in several groups
  (age bands, regions, languages) with ever more held equal across them:
  configural (the same items on the same dimensions), metric (equal
  loadings), scalar (equal intercepts), and the chi-square difference at
  each step.

Both are maximum likelihood as lavaan computes it (``cfa`` with its
defaults: the first item of each dimension fixes its scale, sample
covariances with divisor ``n``, chi-square ``n * F_ML``), on the respondents
who answered every item. One small engine (:mod:`persona.features._cfa`)
fits both. semopy (the ``psychometrics`` extra) fits the single-group model
too, but has no equality constraints across groups, and the ladder needs
them; the tests hold the two engines to the same chi-square.

This module reads a survey and an instrument (or a plain dimension map) and
nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from scipy import stats

from persona.contract import Instrument, TableLike, read_table
from persona.errors import ConfigError, PersonaError
from persona.features._cfa import Fit
from persona.features.psychographic import read_answers

__all__ = ["ConfirmatoryFit", "Invariance", "confirmatory_fit", "measurement_invariance"]

_LEVELS = ("configural", "metric", "scalar")
_MIN_CONFIGURAL_CFI = 0.90  # below it the dimension map itself fails, group by group
_CHANCE = 0.001  # items whose correlations are this likely under independence hold no factor
DimensionMap = Mapping[str, Sequence[str]]


@dataclass(frozen=True, eq=False)
class ConfirmatoryFit:
    """The fit of a confirmatory factor model.

    Attributes
    ----------
    chi2, df, p_value : float, int, float
        The likelihood-ratio test against the saturated model.
    cfi, tli : float
        Comparative fit and Tucker-Lewis indices against the independence
        model (>= 0.95 reads as good, >= 0.90 as acceptable).
    rmsea, rmsea_low, rmsea_high : float
        Root mean square error of approximation and its 90 % interval
        (<= 0.06 good, >= 0.10 poor).
    srmr : float
        Standardised root mean square residual of the covariances (<= 0.08).
    n : int
        Respondents who answered every item (the others are left out).
    loadings : DataFrame
        One row per item (index ``item``): ``dimension``, ``loading`` (on
        the item's scale) and ``std_loading`` (both item and dimension
        standardised, lavaan's ``std.all``).
    correlations : DataFrame
        The dimensions' correlations.
    """

    chi2: float
    df: int
    p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_low: float
    rmsea_high: float
    srmr: float
    n: int
    loadings: pd.DataFrame
    correlations: pd.DataFrame

    @property
    def verdict(self) -> str:
        """ "good", "acceptable" or "poor", by CFI and RMSEA (Hu and Bentler's cut-offs)."""
        if self.cfi >= 0.95 and self.rmsea <= 0.06:
            return "good"
        if self.cfi >= 0.90 and self.rmsea <= 0.10:
            return "acceptable"
        return "poor"

    def __repr__(self) -> str:
        return (
            f"ConfirmatoryFit(chi2={self.chi2:.3f}, df={self.df}, cfi={self.cfi:.3f}, "
            f"tli={self.tli:.3f}, rmsea={self.rmsea:.3f} [{self.rmsea_low:.3f}, "
            f"{self.rmsea_high:.3f}], srmr={self.srmr:.3f}, n={self.n}: {self.verdict})"
        )


@dataclass(frozen=True, eq=False)
class Invariance:
    """The configural -> metric -> scalar ladder across groups.

    Attributes
    ----------
    steps : DataFrame
        One row per level (index ``level``): ``chi2``, ``df``, ``cfi``,
        ``rmsea``, and against the level before ``delta_chi2``,
        ``delta_df``, ``p_value`` and ``delta_cfi``.
    groups : Series
        Respondents per group.
    level : str
        The highest level that holds: a step holds when its chi-square
        difference is not significant at ``alpha`` or its CFI drops by no
        more than 0.01 (Cheung and Rensvold); "untestable" when the
        configural model itself fits poorly (CFI < 0.90): the dimension map
        does not hold well enough in any group to ask whether it holds
        equally, and the metric and scalar steps are not fitted (NaN).
    """

    steps: pd.DataFrame
    groups: pd.Series
    level: str

    @property
    def comparable(self) -> bool:
        """Whether the groups' dimension means can be compared (scalar invariance)."""
        return self.level == "scalar"

    def __repr__(self) -> str:
        return f"Invariance(level={self.level!r}, {len(self.groups)} groups; see .steps)"


def confirmatory_fit(survey: TableLike, instrument: Instrument | DimensionMap) -> ConfirmatoryFit:
    """Fit the instrument's dimensions as a confirmatory factor model.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent, one column per item.
    instrument : Instrument or mapping of dimension to items
        With an :class:`~persona.Instrument` the survey is validated and
        reverse-keyed items are turned round; a plain mapping
        (``{"visual": ["x1", "x2", "x3"], ...}``) reads the columns as
        numbers, for test scores or ratings that are not Likert answers.

    Returns
    -------
    ConfirmatoryFit

    Examples
    --------
    Holzinger and Swineford's nine ability tests, three factors (lavaan's
    ``cfa`` prints chi-square 85.306 on 24 df, CFI 0.931, TLI 0.896, RMSEA
    0.092 [0.071, 0.114], SRMR 0.065):

    >>> from semopy.examples import holzinger39
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> confirmatory_fit(holzinger39.get_data(), model)  # doctest: +NORMALIZE_WHITESPACE
    ConfirmatoryFit(chi2=85.306, df=24, cfi=0.931, tli=0.896, rmsea=0.092 [0.071, 0.114],
                    srmr=0.065, n=301: acceptable)
    """
    data, dimensions = _read(survey, instrument)
    fit = Fit.run([data], dimensions, level="configural", means=False)
    return _summary(fit, dimensions, list(data.columns))


def measurement_invariance(
    survey: TableLike,
    instrument: Instrument | DimensionMap,
    groups: pd.Series | Mapping,
    *,
    alpha: float = 0.05,
) -> Invariance:
    """Configural, metric and scalar invariance of the instrument across groups.

    The model of :func:`confirmatory_fit` in every group at once (with
    intercepts): first with everything free per group, then with equal
    loadings, then with equal loadings and intercepts (the dimensions' means
    then free in every group but the first). Each step is tested against
    the one before by the chi-square difference.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent (``customer_id`` for an Instrument, or the
        survey's own index for a mapping), one column per item.
    instrument : Instrument or mapping of dimension to items
        See :func:`confirmatory_fit`.
    groups : Series or mapping
        Each respondent's group, by ``customer_id`` (or survey index).
        Respondents without a group are left out; every group needs more
        respondents than items.
    alpha : float, default 0.05
        Significance of the chi-square difference that rejects a step.

    Returns
    -------
    Invariance

    Examples
    --------
    Holzinger and Swineford across the two schools (lavaan: configural
    115.85 on 48 df, loadings 124.04 on 54, intercepts 164.10 on 60):

    >>> from semopy.examples import holzinger39
    >>> data = holzinger39.get_data()
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> ladder = measurement_invariance(data, model, data["school"])
    >>> steps = ladder.steps[["chi2", "df", "delta_chi2", "p_value"]]
    >>> steps.round(2)  # doctest: +NORMALIZE_WHITESPACE
                  chi2  df  delta_chi2  p_value
    level
    configural  115.85  48         NaN      NaN
    metric      124.04  54        8.19     0.22
    scalar      164.10  60       40.06     0.00
    >>> ladder.level
    'metric'
    """
    data, dimensions = _read(survey, instrument)
    label = _group_labels(data.index, groups)
    kept = label.notna().to_numpy()
    names = sorted(label[kept].unique(), key=str)
    blocks = [data[(label == name).to_numpy()] for name in names]
    small = [str(name) for name, block in zip(names, blocks, strict=True)
             if len(block) <= data.shape[1]]  # fmt: skip
    if len(names) < 2 or small:
        raise ConfigError(
            f"measurement_invariance needs two groups or more, each with more respondents "
            f"than the {data.shape[1]} items; got {len(names)} groups"
            + (f", and too few respondents in {small[:5]}" if small else "")
            + ". Merge small groups or leave them out."
        )
    rows, previous = {}, None
    for level in _LEVELS:
        fit = Fit.run(blocks, dimensions, level=level, means=True)
        row = {"chi2": fit.chi2, "df": fit.df, "cfi": fit.cfi(), "rmsea": fit.rmsea()}
        if previous is not None:
            delta, delta_df = fit.chi2 - previous.chi2, fit.df - previous.df
            row |= {"delta_chi2": delta, "delta_df": delta_df,
                    "p_value": float(stats.chi2.sf(delta, delta_df)),
                    "delta_cfi": row["cfi"] - previous.cfi()}  # fmt: skip
        rows[level], previous = row, fit
        if level == "configural" and row["cfi"] < _MIN_CONFIGURAL_CFI:
            break  # the map fails group by group: nothing to hold equal
    steps = pd.DataFrame.from_dict(rows, orient="index").reindex(list(_LEVELS))
    steps.index.name = "level"
    steps = steps.reindex(columns=["chi2", "df", "cfi", "rmsea", "delta_chi2", "delta_df",
                                   "p_value", "delta_cfi"])  # fmt: skip
    sizes = pd.Series([len(b) for b in blocks], index=pd.Index(names, name="group"), name="n")
    return Invariance(steps=steps, groups=sizes, level=_highest_level(steps, alpha))


def _highest_level(steps: pd.DataFrame, alpha: float) -> str:
    if steps.loc["configural", "cfi"] < _MIN_CONFIGURAL_CFI:
        return "untestable"
    level = "configural"
    for step in _LEVELS[1:]:
        row = steps.loc[step]
        if row["p_value"] < alpha and row["delta_cfi"] < -0.01:
            break
        level = step
    return level


# --------------------------------------------------------------------------- input


def _read(survey: TableLike, instrument: Instrument | DimensionMap) -> tuple[pd.DataFrame, dict]:
    """Complete answers (respondents x items) and the dimension -> items map."""
    if isinstance(instrument, Instrument):
        answers = read_answers(survey, instrument)
        data = pd.DataFrame(answers.keyed(), index=answers.ids, columns=list(instrument.item_names))
        dimensions = {d: list(instrument.items_of(d)) for d in instrument.dimensions}
    elif isinstance(instrument, Mapping):
        dimensions = {str(d): list(items) for d, items in instrument.items()}
        table = read_table(survey, "survey")
        wanted = [item for items in dimensions.values() for item in items]
        twice = sorted({item for item in wanted if wanted.count(item) > 1})
        if twice:
            raise ConfigError(f"items {twice[:5]} are in more than one dimension; give each one.")
        missing = [item for item in wanted if item not in table.columns]
        if missing:
            raise ConfigError(f"items {missing[:5]} are not columns of the survey.")
        not_numbers = [item for item in wanted if not ptypes.is_numeric_dtype(table[item])]
        if not_numbers:
            raise PersonaError(f"items {not_numbers[:5]} are not numbers.")
        data = table[wanted].astype("float64")
        infinite = [item for item in wanted if np.isinf(data[item]).any()]
        if infinite:
            raise PersonaError(f"items {infinite[:5]} hold infinite values; give finite numbers.")
    else:
        raise ConfigError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument or a mapping of dimension to its items."
        )
    thin = [d for d, items in dimensions.items() if len(items) < 2]
    if thin or len(dimensions) < 1:
        raise ConfigError(
            f"a confirmatory model needs two items or more per dimension; {thin[:5]} have one."
        )
    complete = data.dropna()
    if len(complete) <= data.shape[1]:
        raise PersonaError(
            f"only {len(complete)} respondents answered all {data.shape[1]} items; a "
            "confirmatory model needs more respondents than items."
        )
    _check_correlated(complete)
    return complete, dimensions


def _check_correlated(data: pd.DataFrame) -> None:
    """Refuse items no more correlated than chance: there is no common factor to fit."""
    n, items = data.shape
    cov = np.cov(data.to_numpy(), rowvar=False, bias=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        sign, logdet = np.linalg.slogdet(cov)
        chi2 = n * (np.log(np.diag(cov)).sum() - logdet) if sign > 0 else np.inf
    if not np.all(np.diag(cov) > 0):
        constant = list(data.columns[np.diag(cov) <= 0][:5])
        raise PersonaError(f"items {constant} have one answer only: drop them.")
    p_value = stats.chi2.sf(chi2, items * (items - 1) // 2)
    if p_value > _CHANCE:
        raise PersonaError(
            f"the {items} items are no more correlated than chance would make them "
            f"(independence chi-square p = {p_value:.2g} on {n:,} respondents): there is no "
            "common factor to fit."
        )


def _group_labels(index: pd.Index, groups: pd.Series | Mapping) -> pd.Series:
    if isinstance(groups, Mapping):
        groups = pd.Series(groups)
    if not isinstance(groups, pd.Series):
        raise ConfigError(
            f"Got groups of type {type(groups).__name__}, but expected a Series or mapping "
            "of each respondent's group by customer_id."
        )
    if groups.index.has_duplicates:
        raise ConfigError("groups gives more than one group to some respondents.")
    return groups.reindex(index)


# --------------------------------------------------------------------------- result


def _summary(fit: Fit, dimensions: dict, items: list[str]) -> ConfirmatoryFit:
    """The single-group fit as the report a market researcher reads."""
    lam, phi, theta, *_ = fit.matrices(fit.x, 0)
    sigma_sd = np.sqrt(np.diag(lam @ phi @ lam.T + np.diag(theta)))
    factor_sd = np.sqrt(np.diag(phi))
    loading = lam[np.arange(fit.n_items), fit.dimension_of]
    names = list(dimensions)
    low, high = fit.rmsea_interval()
    return ConfirmatoryFit(
        chi2=fit.chi2, df=fit.df, p_value=float(stats.chi2.sf(fit.chi2, fit.df)),
        cfi=fit.cfi(), tli=fit.tli(), rmsea=fit.rmsea(), rmsea_low=low,
        rmsea_high=high, srmr=fit.srmr(), n=int(fit.n.sum()),
        loadings=pd.DataFrame(
            {"dimension": [names[k] for k in fit.dimension_of], "loading": loading,
             "std_loading": loading * factor_sd[fit.dimension_of] / sigma_sd},
            index=pd.Index(items, name="item"),
        ),
        correlations=pd.DataFrame(phi / np.outer(factor_sd, factor_sd), index=names,
                                  columns=names),
    )  # fmt: skip
