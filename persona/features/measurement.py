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
who answered every item. One small engine fits both. semopy (the
``psychometrics`` extra) fits the single-group model too, but has no
equality constraints across groups, and the ladder needs them; the tests
hold the two engines to the same chi-square.

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
from scipy.optimize import brentq, minimize

from persona.contract._instrument import Instrument
from persona.contract._tables import TableLike, read_table
from persona.features.psychographic import read_answers
from persona.features.reliability import _one_factor_loadings

__all__ = ["ConfirmatoryFit", "Invariance", "confirmatory_fit", "measurement_invariance"]

_LEVELS = ("configural", "metric", "scalar")
_MIN_CONFIGURAL_CFI = 0.90  # below it the dimension map itself fails, group by group
# Steps of the optimiser before a fit is called off. Converging fits take 100 to 600 (9 to 28
# items, 1 to 4 groups); items without common variance run on for ever.
_MAX_STEPS = 3_000
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
    fit = _Fit.run([data], dimensions, level="configural", means=False)
    return fit.summary(dimensions, list(data.columns))


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
        raise ValueError(
            f"measurement_invariance needs two groups or more, each with more respondents "
            f"than the {data.shape[1]} items; got {len(names)} groups"
            + (f", and too few respondents in {small[:5]}" if small else "")
            + ". Merge small groups or leave them out."
        )
    rows, previous = {}, None
    for level in _LEVELS:
        fit = _Fit.run(blocks, dimensions, level=level, means=True)
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
            raise ValueError(f"items {twice[:5]} are in more than one dimension; give each one.")
        missing = [item for item in wanted if item not in table.columns]
        if missing:
            raise ValueError(f"items {missing[:5]} are not columns of the survey.")
        not_numbers = [item for item in wanted if not ptypes.is_numeric_dtype(table[item])]
        if not_numbers:
            raise ValueError(f"items {not_numbers[:5]} are not numbers.")
        data = table[wanted].astype("float64")
        infinite = [item for item in wanted if np.isinf(data[item]).any()]
        if infinite:
            raise ValueError(f"items {infinite[:5]} hold infinite values; give finite numbers.")
    else:
        raise TypeError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument or a mapping of dimension to its items."
        )
    thin = [d for d, items in dimensions.items() if len(items) < 2]
    if thin or len(dimensions) < 1:
        raise ValueError(
            f"a confirmatory model needs two items or more per dimension; {thin[:5]} have one."
        )
    complete = data.dropna()
    if len(complete) <= data.shape[1]:
        raise ValueError(
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
        raise ValueError(f"items {constant} have one answer only: drop them.")
    p_value = stats.chi2.sf(chi2, items * (items - 1) // 2)
    if p_value > _CHANCE:
        raise ValueError(
            f"the {items} items are no more correlated than chance would make them "
            f"(independence chi-square p = {p_value:.2g} on {n:,} respondents): there is no "
            "common factor to fit."
        )


def _group_labels(index: pd.Index, groups: pd.Series | Mapping) -> pd.Series:
    if isinstance(groups, Mapping):
        groups = pd.Series(groups)
    if not isinstance(groups, pd.Series):
        raise TypeError(
            f"Got groups of type {type(groups).__name__}, but expected a Series or mapping "
            "of each respondent's group by customer_id."
        )
    if groups.index.has_duplicates:
        raise ValueError("groups gives more than one group to some respondents.")
    return groups.reindex(index)


# --------------------------------------------------------------------------- engine


@dataclass
class _Layout:
    """Where each group's free parameters sit in the one parameter vector."""

    loading: list[np.ndarray]  # free loadings (non-marker items)
    phi: list[np.ndarray]  # lower triangle of the Cholesky factor of the dimensions' covariances
    theta: list[np.ndarray]  # log residual variances
    nu: list[np.ndarray | None]  # intercepts
    kappa: list[np.ndarray | None]  # dimension means (None: fixed at 0)
    size: int


def _layout(n_groups: int, n_items: int, n_free: int, n_dims: int, level: str,
            means: bool) -> _Layout:  # fmt: skip
    used = 0

    def block(length: int) -> np.ndarray:
        """The next ``length`` positions of the parameter vector."""
        nonlocal used
        used += length
        return np.arange(used - length, used)

    shared_loading = block(n_free) if level in ("metric", "scalar") else None
    shared_nu = block(n_items) if level == "scalar" and means else None
    layout = _Layout([], [], [], [], [], 0)
    for g in range(n_groups):
        layout.loading.append(shared_loading if shared_loading is not None else block(n_free))
        layout.phi.append(block(n_dims * (n_dims + 1) // 2))
        layout.theta.append(block(n_items))
        if means:
            layout.nu.append(shared_nu if shared_nu is not None else block(n_items))
            free_mean = level == "scalar" and g > 0
            layout.kappa.append(block(n_dims) if free_mean else None)
        else:
            layout.nu.append(None)
            layout.kappa.append(None)
    layout.size = used
    return layout


class _Fit:
    """A fitted (multi-group) confirmatory factor model; the ML discrepancy of lavaan."""

    def __init__(self, blocks: list[pd.DataFrame], dimensions: dict, level: str, means: bool):
        items = list(blocks[0].columns)
        self.n_items, self.n_dims = len(items), len(dimensions)
        self.means = means
        self.dimension_of = np.array([
            list(dimensions).index(next(d for d, its in dimensions.items() if item in its))
            for item in items
        ])  # fmt: skip
        self.marker_of = np.array([items.index(its[0]) for its in dimensions.values()])
        self.free = np.setdiff1d(np.arange(self.n_items), self.marker_of)
        self.lower = np.tril_indices(self.n_dims)
        self.n = np.array([len(b) for b in blocks], dtype=float)
        x = [b.to_numpy() for b in blocks]
        self.m = [xi.mean(axis=0) for xi in x]
        self.s = [np.cov(xi, rowvar=False, bias=True) for xi in x]
        self.layout = _layout(len(blocks), self.n_items, len(self.free), self.n_dims, level, means)

    @classmethod
    def run(cls, blocks: list[pd.DataFrame], dimensions: dict, *, level: str,
            means: bool) -> _Fit:  # fmt: skip
        fit = cls(blocks, dimensions, level, means)
        # The discrepancy per respondent (chi2 / n): its scale, and so the tolerances, do not
        # grow with the survey.
        total = fit.n.sum()
        fitted = minimize(
            lambda x: tuple(v / total for v in fit._objective(x)), fit._start(), jac=True,
            method="L-BFGS-B", options={"maxiter": _MAX_STEPS, "ftol": 1e-13, "gtol": 1e-8},
        )  # fmt: skip
        if fitted.nit >= _MAX_STEPS or not np.isfinite(fitted.fun) or fitted.fun >= 1e19:
            raise ValueError(
                f"the {level} confirmatory model did not converge in {_MAX_STEPS:,} steps: some "
                "dimension's items barely correlate (a loading runs off); check the map with "
                "Instrument.suggest, or drop the items that load on nothing."
            )
        fit.x = fitted.x
        fit.chi2 = float(fitted.fun * total)
        moments = fit.n_items * (fit.n_items + 1) // 2 + (fit.n_items if means else 0)
        fit.df = int(len(blocks) * moments - fit.layout.size)
        return fit

    # the model of group g
    def _matrices(self, x: np.ndarray, g: int) -> tuple[np.ndarray, ...]:
        lay = self.layout
        lam = np.zeros((self.n_items, self.n_dims))
        lam[np.arange(self.n_items), self.dimension_of] = 1.0
        lam[self.free, self.dimension_of[self.free]] = x[lay.loading[g]]
        root = np.zeros((self.n_dims, self.n_dims))
        root[self.lower] = x[lay.phi[g]]
        phi = root @ root.T
        theta = np.exp(x[lay.theta[g]])
        nu = x[lay.nu[g]] if lay.nu[g] is not None else None
        kappa = x[lay.kappa[g]] if lay.kappa[g] is not None else np.zeros(self.n_dims)
        return lam, phi, theta, nu, kappa, root

    def _objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``sum_g n_g F_ML`` and its gradient (the chi-square at the optimum)."""
        total, gradient = 0.0, np.zeros_like(x)
        lay = self.layout
        for g, (n, s, m) in enumerate(zip(self.n, self.s, self.m, strict=True)):
            lam, phi, theta, nu, kappa, root = self._matrices(x, g)
            sigma = lam @ phi @ lam.T + np.diag(theta)
            try:
                cholesky = np.linalg.cholesky(sigma)
            except np.linalg.LinAlgError:  # numerically singular: a wall the search backs off
                return 1e20, gradient
            logdet = 2.0 * np.log(np.diag(cholesky)).sum()
            w = np.linalg.inv(sigma)
            d = (m - nu - lam @ kappa) if nu is not None else np.zeros(self.n_items)
            value = logdet + np.trace(s @ w) + d @ w @ d - np.linalg.slogdet(s)[1] - self.n_items
            total += n * value
            a = w - w @ (s + np.outer(d, d)) @ w  # dF / dSigma
            wd = -2.0 * w @ d  # dF / dmu
            d_lam = 2.0 * a @ lam @ phi + np.outer(wd, kappa)
            d_phi = 2.0 * (lam.T @ a @ lam) @ root  # through phi = root @ root.T
            np.add.at(gradient, lay.loading[g], n * d_lam[self.free, self.dimension_of[self.free]])
            np.add.at(gradient, lay.phi[g], n * d_phi[self.lower])
            np.add.at(gradient, lay.theta[g], n * np.diag(a) * theta)  # through exp
            if nu is not None:
                np.add.at(gradient, lay.nu[g], n * wd)
            if lay.kappa[g] is not None:
                np.add.at(gradient, lay.kappa[g], n * lam.T @ wd)
        return float(total), gradient

    def _start(self) -> np.ndarray:
        """Each dimension's one-factor loadings (principal axis), rescaled to its marker."""
        x = np.zeros(self.layout.size)
        for g, (s, m) in enumerate(zip(self.s, self.m, strict=True)):
            sd = np.sqrt(np.diag(s))
            cor = s / np.outer(sd, sd)
            raw = np.zeros(self.n_items)
            for k in range(self.n_dims):
                members = np.flatnonzero(self.dimension_of == k)
                block = cor[np.ix_(members, members)]
                raw[members] = _one_factor_loadings(block, max_iter=200) * sd[members]
            marker_raw = raw[self.marker_of]
            marker_raw = np.where(np.abs(marker_raw) < 1e-3, 1e-3, marker_raw)
            lam = raw / marker_raw[self.dimension_of]
            # dimension covariances: the mean of s_ij / (lam_i lam_j) over their item pairs
            one_hot = np.eye(self.n_dims)[self.dimension_of]
            ratio = s / np.outer(lam, lam)
            phi = (one_hot.T @ ratio @ one_hot) / np.outer(one_hot.sum(0), one_hot.sum(0))
            np.fill_diagonal(phi, marker_raw**2)
            phi = _nearest_positive_definite(phi)
            x[self.layout.loading[g]] = lam[self.free]
            x[self.layout.phi[g]] = np.linalg.cholesky(phi)[self.lower]
            x[self.layout.theta[g]] = np.log(np.maximum(np.diag(s) - raw**2, 0.05 * np.diag(s)))
            if self.layout.nu[g] is not None:
                x[self.layout.nu[g]] = m
        return x

    # fit measures, lavaan's formulas
    def _baseline(self) -> tuple[float, int]:
        chi2 = sum(n * (np.log(np.diag(s)).sum() - np.linalg.slogdet(s)[1])
                   for n, s in zip(self.n, self.s, strict=True))  # fmt: skip
        return float(chi2), len(self.n) * self.n_items * (self.n_items - 1) // 2

    def cfi(self) -> float:
        base_chi2, base_df = self._baseline()
        worst = max(self.chi2 - self.df, base_chi2 - base_df, 0.0)
        return 1.0 - max(self.chi2 - self.df, 0.0) / worst if worst > 0 else 1.0

    def tli(self) -> float:
        base_chi2, base_df = self._baseline()
        base_ratio = base_chi2 / base_df
        return (base_ratio - self.chi2 / self.df) / (base_ratio - 1.0)

    def rmsea(self, chi2: float | None = None) -> float:
        excess = max((self.chi2 if chi2 is None else chi2) - self.df, 0.0)
        return float(np.sqrt(excess / (self.df * self.n.sum())) * np.sqrt(len(self.n)))

    def rmsea_interval(self) -> tuple[float, float]:
        """The 90 % interval from the noncentral chi-square's 5 % and 95 % points."""

        def noncentrality(probability: float) -> float:
            def gap(lam: float) -> float:
                return stats.ncx2.cdf(self.chi2, self.df, lam) - probability

            if gap(1e-10) < 0:  # even a central chi-square puts chi2 below this point
                return 0.0
            upper = max(self.chi2, 1.0)
            while gap(upper) > 0:
                upper *= 2.0
            return brentq(gap, 1e-10, upper, xtol=1e-10)

        def to_rmsea(lam: float) -> float:
            return float(np.sqrt(lam / (self.df * self.n.sum())) * np.sqrt(len(self.n)))

        return to_rmsea(noncentrality(0.95)), to_rmsea(noncentrality(0.05))

    def srmr(self) -> float:
        """Bentler's SRMR: covariance residuals scaled by the observed standard deviations."""
        squares = []
        for g, s in enumerate(self.s):
            lam, phi, theta, *_ = self._matrices(self.x, g)
            sigma = lam @ phi @ lam.T + np.diag(theta)
            sd = np.sqrt(np.diag(s))
            residual = (s - sigma) / np.outer(sd, sd)
            squares.append(np.mean(residual[np.tril_indices(self.n_items)] ** 2))
        return float(np.sqrt(np.average(squares, weights=self.n)))

    def summary(self, dimensions: dict, items: list[str]) -> ConfirmatoryFit:
        lam, phi, theta, *_ = self._matrices(self.x, 0)
        sigma_sd = np.sqrt(np.diag(lam @ phi @ lam.T + np.diag(theta)))
        factor_sd = np.sqrt(np.diag(phi))
        loading = lam[np.arange(self.n_items), self.dimension_of]
        names = list(dimensions)
        low, high = self.rmsea_interval()
        return ConfirmatoryFit(
            chi2=self.chi2, df=self.df, p_value=float(stats.chi2.sf(self.chi2, self.df)),
            cfi=self.cfi(), tli=self.tli(), rmsea=self.rmsea(), rmsea_low=low,
            rmsea_high=high, srmr=self.srmr(), n=int(self.n.sum()),
            loadings=pd.DataFrame(
                {"dimension": [names[k] for k in self.dimension_of], "loading": loading,
                 "std_loading": loading * factor_sd[self.dimension_of] / sigma_sd},
                index=pd.Index(items, name="item"),
            ),
            correlations=pd.DataFrame(phi / np.outer(factor_sd, factor_sd), index=names,
                                      columns=names),
        )  # fmt: skip


def _nearest_positive_definite(matrix: np.ndarray) -> np.ndarray:
    """The matrix with its eigenvalues raised to a small positive floor."""
    values, vectors = np.linalg.eigh(matrix)
    floor = 1e-3 * max(values.max(), 1e-12)
    return (vectors * np.maximum(values, floor)) @ vectors.T
