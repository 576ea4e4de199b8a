"""An instrument proposed from the answers, for items that come without a dimension map.

:func:`suggest_instrument` (also :meth:`persona.Instrument.suggest`) runs an
exploratory factor analysis the way a researcher would in psych: parallel
analysis for the number of dimensions, minres factors, oblimin rotation; each
item goes to the dimension it loads on most, and an item loading against its
dimension is proposed as reverse-keyed. The user names the dimensions and
confirms; the confirmatory fit of the proposal comes with it.

This module reads a survey table; the factor steps live in
:mod:`persona.features.factor` and the fit in :mod:`persona.features.measurement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona._validate import is_whole
from persona.contract import Instrument, TableLike, read_table
from persona.errors import ConfigError, InputError
from persona.features.factor import minres, oblimin, parallel_analysis
from persona.features.measurement import ConfirmatoryFit, confirmatory_fit
from persona.features.reliability import _check_readable, _cov2cor, _pairwise_cov

__all__ = ["Suggestion", "suggest_instrument"]

_ID = "customer_id"
_SALIENT = 0.3  # a loading a researcher reads as "the item measures this"


@dataclass(frozen=True, eq=False)
class Suggestion:
    """A proposed instrument and the evidence for it.

    Attributes
    ----------
    instrument : Instrument
        Dimensions ``dimension_1`` .. ``dimension_k`` (strongest first),
        each item on the dimension it loads on most, items loading
        negatively marked ``reverse``. Rename the dimensions and check the
        keys before use: ``Instrument.from_dict`` on an edited
        ``instrument.to_dict()``.
    loadings : DataFrame
        The oblimin pattern, items x dimensions, signed as the instrument
        keys them.
    correlations : DataFrame
        The dimensions' correlations.
    n_parallel : int
        The number of dimensions parallel analysis supported.
    weak : tuple of str
        Items that load below 0.3 on every dimension.
    fit : ConfirmatoryFit
        The proposed instrument fitted as a confirmatory model.
    """

    instrument: Instrument
    loadings: pd.DataFrame
    correlations: pd.DataFrame
    n_parallel: int
    weak: tuple[str, ...]
    fit: ConfirmatoryFit

    def __repr__(self) -> str:
        dims = ", ".join(
            f"{d}: {len(self.instrument.items_of(d))} items" for d in self.instrument.dimensions
        )
        return f"Suggestion({dims}; reverse {list(self.instrument.reverse_keyed)}; {self.fit!r})"


def suggest_instrument(
    survey: TableLike,
    n_dimensions: int | None = None,
    *,
    items: Sequence[str] | None = None,
    scale: tuple[int, int] | None = None,
    min_items: int = 3,
    name: str = "suggested",
    random_state: int = 0,
) -> Suggestion:
    """Propose dimensions for survey items that come without a map.

    1. The number of dimensions: ``n_dimensions``, or Horn's parallel
       analysis (:func:`~persona.features.factor.parallel_analysis`);
       while a dimension would hold fewer than ``min_items`` items, one
       dimension fewer is fitted (a dimension of one or two items is not a
       scale, and cannot be fitted on its own).
    2. Minres factors, oblimin-rotated, on the pairwise correlations.
    3. Each item joins the dimension it loads on most; each dimension is
       turned so that its items' loadings sum to a positive number, and the
       items loading negatively are proposed as reverse-keyed.

    Parameters
    ----------
    survey : DataFrame or path
        ``customer_id`` and one column per item (whole-number answers).
    n_dimensions : int, optional
        Fix the number of dimensions instead of asking parallel analysis.
    items : sequence of str, optional
        The item columns; every column but ``customer_id`` by default.
    scale : (int, int), optional
        The answer scale; by default each item's lowest and highest answer.
    min_items : int, default 3
        The fewest items a proposed dimension may hold.
    name : str, default "suggested"
        The proposed instrument's name.
    random_state : int, default 0
        Seeds the random data of parallel analysis.

    Returns
    -------
    Suggestion

    Examples
    --------
    The Big Five items without their map come back as the five traits, with
    psych's reverse keys:

    >>> from persona import Instrument
    >>> from persona.datasets import load_bfi
    >>> suggestion = Instrument.suggest(load_bfi().survey)
    >>> [suggestion.instrument.items_of(d) for d in suggestion.instrument.dimensions]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('N1', 'N2', 'N3', 'N4', 'N5'), ('E1', 'E2', 'E3', 'E4', 'E5'),
     ('C1', 'C2', 'C3', 'C4', 'C5'), ('A1', 'A2', 'A3', 'A4', 'A5'),
     ('O1', 'O2', 'O3', 'O4', 'O5')]
    >>> sorted(suggestion.instrument.reverse_keyed)
    ['A1', 'C4', 'C5', 'E1', 'E2', 'O2', 'O5']
    """
    table = read_table(survey, "survey")
    names = _item_columns(table, items)
    answers = table[names].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cor = _cov2cor(_pairwise_cov(answers))
    _check_readable(cor, names, "Instrument.suggest")
    n_parallel = parallel_analysis(answers, random_state=random_state)
    count = n_parallel if n_dimensions is None else _check_count(n_dimensions, len(names))
    while True:
        pattern, phi = _rotated(cor, count)
        primary = np.abs(pattern).argmax(axis=1)
        sizes = np.bincount(primary, minlength=count)
        if count == 1 or sizes.min() >= min_items or n_dimensions is not None:
            break
        count -= 1
    instrument, loadings, correlations = _proposal(table, names, pattern, phi, scale, name)
    weak = tuple(n for n, row in zip(names, np.abs(pattern), strict=True) if row.max() < _SALIENT)
    return Suggestion(
        instrument=instrument,
        loadings=loadings,
        correlations=correlations,
        n_parallel=n_parallel,
        weak=weak,
        fit=confirmatory_fit(table[[_ID, *names]], instrument),
    )


def _item_columns(table: pd.DataFrame, items: Sequence[str] | None) -> list[str]:
    if _ID not in table.columns:
        raise InputError("survey", "has no customer_id column.", column=_ID,
                         fix="add customer_id, one row per respondent.")  # fmt: skip
    names = [c for c in table.columns if c != _ID] if items is None else list(items)
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise InputError("survey", f"lacks the item column(s) {missing[:5]}.", column=missing[0],
                         fix="name items= after the survey's own columns.")  # fmt: skip
    not_numbers = [n for n in names if not ptypes.is_numeric_dtype(table[n])]
    if not_numbers:
        raise InputError("survey", f"has column(s) that are not numbers: {not_numbers[:5]}.",
                         column=not_numbers[0],
                         fix="pass items= with the answer columns only.")  # fmt: skip
    infinite = [n for n in names if np.isinf(table[n].to_numpy(dtype="float64")).any()]
    if infinite:
        raise InputError("survey", f"has infinite answers in {infinite[:5]}.", column=infinite[0],
                         fix="give whole-number answers, empty where skipped.")  # fmt: skip
    if len(names) < 3:
        raise InputError("survey", f"has {len(names)} item(s), too few to propose dimensions.",
                         fix="give three items or more.")  # fmt: skip
    return names


def _check_count(n_dimensions: object, n_items: int) -> int:
    if not is_whole(n_dimensions):
        raise ConfigError(f"Got n_dimensions={n_dimensions!r}, but expected a whole number.")
    if not 1 <= n_dimensions < n_items:
        raise ConfigError(
            f"Got n_dimensions={n_dimensions}, but expected 1 to {n_items - 1} for {n_items} items."
        )
    return int(n_dimensions)


def _rotated(cor: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Oblimin pattern and correlations, dimensions by sum of squared loadings, strongest first."""
    rotated = oblimin(minres(cor, count))
    pattern, phi = rotated.loadings, rotated.phi
    primary = np.abs(pattern).argmax(axis=1)
    sign = np.array([
        -1.0 if pattern[primary == k, k].sum() < 0 else 1.0 for k in range(count)
    ])  # fmt: skip
    pattern, phi = pattern * sign, phi * np.outer(sign, sign)
    order = np.argsort(-(pattern**2).sum(axis=0), kind="stable")
    return pattern[:, order], phi[np.ix_(order, order)]


def _proposal(
    table: pd.DataFrame,
    names: list[str],
    pattern: np.ndarray,
    phi: np.ndarray,
    scale: tuple[int, int] | None,
    name: str,
) -> tuple[Instrument, pd.DataFrame, pd.DataFrame]:
    dimensions = [f"dimension_{k + 1}" for k in range(pattern.shape[1])]
    primary = np.abs(pattern).argmax(axis=1)
    entries = []
    for k in range(len(dimensions)):
        for i in np.flatnonzero(primary == k):
            column = table[names[i]]
            low, high = scale if scale is not None else (column.min(), column.max())
            entries.append({
                "item": names[i], "dimension": dimensions[k],
                "scale": [int(low), int(high)], "reverse": bool(pattern[i, k] < 0),
            })  # fmt: skip
    instrument = Instrument.from_dict({"name": name, "items": entries})
    loadings = pd.DataFrame(pattern, index=pd.Index(names, name="item"), columns=dimensions)
    correlations = pd.DataFrame(phi, index=dimensions, columns=dimensions)
    return instrument, loadings, correlations
