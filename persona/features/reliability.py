"""Scale reliability: do a dimension's items measure one thing, and how well?

Cronbach's alpha (raw and standardised), McDonald's omega total, average
inter-item correlation and item detail (item-total correlations, alpha if an
item is dropped), computed the way R's ``psych::alpha`` does on the keyed
items; a warning names an item that runs against its scale (a reverse key is
likely missing from the instrument).

:func:`omega` reads several dimensions' items at once, as ``psych::omega``
does: a Schmid-Leiman bifactor solution gives omega hierarchical (how much of
the total score a general factor carries), its asymptotic value, omega total,
alpha, Guttman's lambda 6 and the omegas of each group factor.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from persona._validate import is_whole
from persona.contract import Instrument, TableLike
from persona.errors import ConfigError, PersonaError
from persona.features.factor import minres, oblimin, smc, varimax
from persona.features.psychographic import read_answers

__all__ = ["Omega", "Reliability", "omega", "scale_reliability"]


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
        checked with :func:`persona.contract._schema.validate_survey`.
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
    >>> from persona.features.reliability import scale_reliability
    >>> bfi = load_bfi()
    >>> reliability = scale_reliability(bfi.survey, bfi.instrument)
    >>> reliability.scales.loc["neuroticism", ["alpha", "std_alpha", "average_r"]].round(3)
    alpha        0.814
    std_alpha    0.815
    average_r    0.468
    Name: neuroticism, dtype: float64
    >>> float(reliability.items.loc[("agreeableness", "A1"), "item_total_r"].round(2))
    0.31
    """
    answers = read_answers(survey, instrument)
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


# --------------------------------------------------------------------------- omega


@dataclass(frozen=True, eq=False)
class Omega:
    """A Schmid-Leiman bifactor reading of a set of items, as ``psych::omega`` prints it.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical: the share of the total score's variance that the
        general factor carries, ``sum(g)**2 / sum(R)``.
    omega_h_asymptotic : float
        Omega hierarchical of a test lengthened without end:
        ``sum(g)**2 / (sum(R) - sum(u2))`` (psych's ``omega.lim``).
    omega_total : float
        The share of the total score's variance that all common factors
        carry, ``(sum(R) - sum(u2)) / sum(R)``.
    alpha : float
        Standardised alpha of the flipped items (``psych::omega``'s alpha).
    g6 : float
        Guttman's lambda 6, ``(sum(R) + sum(smc) - k) / sum(R)``.
    loadings : DataFrame
        One row per item (index ``item``): ``g``, one column per group
        factor, ``h2`` (communality), ``u2`` (uniqueness) and ``p2`` (the
        share of the communality from ``g``).
    groups : DataFrame
        One row for ``g`` and one per group factor (index ``factor``):
        ``total``, ``general`` and ``group`` omegas over the items that load
        most on that group factor, and ``dimension``, the instrument
        dimension most of those items belong to.
    flipped : tuple of str
        Items turned round because they load negatively on ``g`` (after the
        instrument's own reverse keys).
    """

    omega_h: float
    omega_h_asymptotic: float
    omega_total: float
    alpha: float
    g6: float
    loadings: pd.DataFrame
    groups: pd.DataFrame
    flipped: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"Omega(omega_h={self.omega_h:.2f}, omega_h_asymptotic={self.omega_h_asymptotic:.2f}, "
            f"omega_total={self.omega_total:.2f}, alpha={self.alpha:.2f}, g6={self.g6:.2f}; "
            f"{len(self.loadings)} items, {len(self.groups) - 1} group factors)"
        )


def omega(
    survey: TableLike,
    instrument: Instrument,
    *,
    items: list[str] | tuple[str, ...] | None = None,
    n_factors: int = 3,
) -> Omega:
    """Omega hierarchical and omega total of a set of items, computed as ``psych::omega``.

    The steps of ``psych::omega`` with its defaults (``fm="minres"``,
    ``rotate="oblimin"``, ``flip=TRUE``), on the pairwise correlations of
    the keyed answers:

    1. ``n_factors`` minres factors, varimax-rotated, then oblimin-rotated
       (:mod:`persona.features.factor`): the pattern ``F`` and factor
       correlations ``Phi``;
    2. the general factor: the one-factor minres loadings ``a`` of ``Phi``
       (with two group factors, ``sqrt(|phi_12|)`` for both, psych's
       ``option="equal"``); items load ``g = F @ a`` on it and
       ``F * sqrt(1 - a**2)`` on the group factors (Schmid-Leiman);
    3. items loading negatively on ``g`` are flipped, and the omegas are
       read off the flipped correlation matrix ``R`` (see :class:`Omega`).
       ``h2`` is the communality of the unrotated solution.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item.
    instrument : Instrument
        Scales and reverse keys of the items.
    items : sequence of str, optional
        The items to read together; all the instrument's items by default.
    n_factors : int, default 3
        Group factors, psych's ``nfactors``.

    Returns
    -------
    Omega

    Examples
    --------
    The first 15 Big Five items (agreeableness, conscientiousness,
    extraversion), as ``psych::omega(bfi[, 1:15])`` prints them:

    >>> from persona.datasets import load_bfi
    >>> from persona.features.reliability import omega
    >>> bfi = load_bfi()
    >>> result = omega(bfi.survey, bfi.instrument, items=bfi.instrument.item_names[:15])
    >>> result  # doctest: +NORMALIZE_WHITESPACE
    Omega(omega_h=0.54, omega_h_asymptotic=0.64, omega_total=0.85, alpha=0.81, g6=0.83;
          15 items, 3 group factors)
    """
    names = list(instrument.item_names if items is None else items)
    unknown = [name for name in names if name not in instrument.item_names]
    if unknown:
        raise ConfigError(
            f"items {unknown[:5]} are not in the instrument '{instrument.name}'; "
            f"its items are {list(instrument.item_names)[:10]}."
        )
    if not is_whole(n_factors) or n_factors < 1:
        raise ConfigError(f"Got n_factors={n_factors!r}, but expected a whole number >= 1.")
    answers = read_answers(survey, instrument)
    positions = [instrument.item_names.index(name) for name in names]
    with np.errstate(divide="ignore", invalid="ignore"):
        cor = _cov2cor(_pairwise_cov(answers.keyed()[:, positions]))
    _check_readable(cor, names, "omega")
    general, group, h2 = _schmid_leiman(cor, n_factors)
    key = np.where(general < 0, -1.0, 1.0)
    cor, general, group = cor * np.outer(key, key), general * key, group * key[:, None]
    return _omega_from(cor, general, group, h2, names, key, instrument)


def _schmid_leiman(cor: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """General loadings, group loadings and communalities (psych's ``schmid``)."""
    unrotated = minres(cor, n_factors)
    rotated = oblimin(varimax(unrotated).loadings)
    phi = rotated.phi
    if n_factors == 1:
        general_of_factor = np.ones(1)
    elif n_factors == 2:
        root = np.sqrt(abs(phi[0, 1]))
        general_of_factor = np.array([root, np.sign(phi[0, 1]) * root])
    else:
        general_of_factor = minres(phi, 1).ravel()
    general = rotated.loadings @ general_of_factor
    group = rotated.loadings * np.sqrt(np.clip(1.0 - general_of_factor**2, 0.0, None))
    return general, group, (unrotated**2).sum(axis=1)


def _omega_from(
    cor: np.ndarray,
    general: np.ndarray,
    group: np.ndarray,
    h2: np.ndarray,
    names: list[str],
    key: np.ndarray,
    instrument: Instrument,
) -> Omega:
    n_items, n_factors = group.shape
    total, uniqueness = cor.sum(), (1.0 - h2).sum()
    common = total - uniqueness
    general_square = general.sum() ** 2
    factors = [f"F{k + 1}*" for k in range(n_factors)]
    loadings = pd.DataFrame(group, index=pd.Index(names, name="item"), columns=factors)
    loadings.insert(0, "g", general)
    loadings["h2"], loadings["u2"], loadings["p2"] = h2, 1.0 - h2, general**2 / h2
    dimension_of = {name: instrument.item(name).dimension for name in names}
    rows = {"g": {"total": common / total, "general": general_square / total,
                  "group": np.nan, "dimension": None}}  # fmt: skip
    strongest = np.abs(group).argmax(axis=1)
    grouped = 0.0
    for k, factor in enumerate(factors):
        members = np.flatnonzero(strongest == k)
        if len(members) == 0:
            rows[factor] = {"total": np.nan, "general": np.nan, "group": np.nan, "dimension": None}
            continue
        block = cor[np.ix_(members, members)].sum()
        own, shared = group[members, k].sum() ** 2, general[members].sum() ** 2
        grouped += own
        labels = pd.Series([dimension_of[names[i]] for i in members])
        rows[factor] = {"total": (own + shared) / block, "general": shared / block,
                        "group": own / block, "dimension": labels.mode().iloc[0]}  # fmt: skip
    rows["g"]["group"] = grouped / total
    groups = pd.DataFrame.from_dict(rows, orient="index")
    groups.index.name = "factor"
    return Omega(
        omega_h=float(general_square / total),
        omega_h_asymptotic=float(general_square / common),
        omega_total=float(common / total),
        alpha=float((total - n_items) / total * n_items / (n_items - 1)),
        g6=float((total + smc(cor).sum() - n_items) / total),
        loadings=loadings,
        groups=groups,
        flipped=tuple(name for name, k in zip(names, key, strict=True) if k < 0),
    )


def _check_readable(cor: np.ndarray, names: list[str], what: str) -> None:
    """Name the items whose correlations cannot be read: no variance, or no pair answered."""
    if np.isfinite(cor).all():
        return
    constant = ~np.isfinite(np.diag(cor))
    unreadable_pairs = (~np.isfinite(cor)).sum(axis=0)
    culprits = constant if constant.any() else unreadable_pairs == unreadable_pairs.max()
    unreadable = [names[i] for i in np.flatnonzero(culprits)]
    raise PersonaError(
        f"{what} cannot read items {unreadable[:5]}: each needs answers that vary, and "
        "answers beside every other item from two respondents or more; drop those items."
    )
