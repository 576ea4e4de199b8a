"""What a market researcher checks about an instrument before trusting personas built on it.

:func:`assess_instrument` gathers, for one survey and its instrument:

- reliability per dimension (alpha and omega total, :func:`scale_reliability`)
  and of the whole instrument read as a bifactor (:func:`omega`);
- the confirmatory fit of the dimension map (:func:`confirmatory_fit`);
- measurement invariance across each demographic column
  (:func:`measurement_invariance`): whether persona needs may be compared
  across its groups;
- how many respondents answered carelessly and were left out of all this.

:class:`persona.PersonaModel` runs it at fit (``model.psychometrics_``) and
the report shows it. Each part that cannot be computed on the data given says
why instead of failing the fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.contract import Instrument, TableLike
from persona.contract._schema import trusted, validate_demographics, validate_survey
from persona.features.measurement import (
    ConfirmatoryFit,
    confirmatory_fit,
    measurement_invariance,
)
from persona.features.reliability import Omega, omega, scale_reliability

__all__ = ["Psychometrics", "assess_instrument"]

_MAX_GROUPS = 8  # more levels than this is an identifier, not a group
_BANDS = 3  # a number (age) is read in three bands of equal counts


@dataclass(frozen=True, eq=False)
class Psychometrics:
    """An instrument's reliability, fit and invariance on one survey.

    Attributes
    ----------
    reliability : DataFrame
        One row per dimension: ``n_items``, ``alpha``, ``omega_total``, ``n``.
    omega : Omega or None
        The whole instrument as a bifactor (one group factor per dimension);
        None with fewer than two dimensions or when it cannot be computed.
    fit : ConfirmatoryFit or None
        The dimension map as a confirmatory model; None when it cannot be
        fitted (see ``notes``).
    invariance : DataFrame
        One row per demographic column: ``groups``, ``level`` (the highest
        of configural, metric, scalar that holds, or "untestable" when the
        dimension map fits poorly even group by group), ``comparable``
        (scalar invariance holds: need scores may be compared across the
        groups; NaN when untestable), ``configural_cfi``, ``metric_p`` and
        ``scalar_p``; or a ``note`` saying why the column was not tested.
    careless : Series or None
        Respondents left out as careless, by sign (see
        :func:`persona.features.careless.careless_counts`).
    notes : tuple of str
        What could not be computed, and why.
    """

    reliability: pd.DataFrame
    omega: Omega | None
    fit: ConfirmatoryFit | None
    invariance: pd.DataFrame
    careless: pd.Series | None
    notes: tuple[str, ...]

    @property
    def not_comparable(self) -> list[str]:
        """Demographic columns across whose groups need scores are not comparable."""
        if self.invariance.empty or "comparable" not in self.invariance:
            return []
        tested = self.invariance["comparable"].dropna()
        return [str(c) for c, ok in tested.items() if not ok]


def assess_instrument(
    survey: TableLike,
    instrument: Instrument,
    demographics: TableLike | None = None,
    *,
    careless: pd.DataFrame | None = None,
) -> Psychometrics:
    """Reliability, confirmatory fit and invariance of an instrument on a survey.

    Parameters
    ----------
    survey : DataFrame or path
        ``customer_id`` and one column per item.
    instrument : Instrument
    demographics : DataFrame or path, optional
        ``customer_id`` and demographic columns; each column of at most
        eight groups (a number: three bands of equal counts) is tested for
        invariance.
    careless : DataFrame, optional
        :func:`~persona.features.careless.careless_respondents` of the
        survey: respondents flagged ``careless`` are left out.

    Returns
    -------
    Psychometrics

    Examples
    --------
    >>> from persona.datasets import load_bfi
    >>> from persona.features.psychometrics import assess_instrument
    >>> bfi = load_bfi()
    >>> checked = assess_instrument(bfi.survey, bfi.instrument, bfi.demographics)
    >>> checked.reliability["alpha"].round(2).to_dict()
    {'agreeableness': 0.7, 'conscientiousness': 0.73, 'extraversion': 0.76, \
'neuroticism': 0.81, 'openness': 0.6}
    >>> checked.invariance["level"].to_dict()
    {'gender': 'untestable', 'education': 'untestable', 'age': 'untestable'}
    """
    table = validate_survey(survey, instrument)
    if careless is not None:
        flagged = careless.index[careless["careless"].to_numpy(bool)]
        table = table[~table["customer_id"].isin(flagged)]
    notes: list[str] = []
    with trusted(table):  # checked once, read by every part
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # scale_reliability's item warnings
            scales = scale_reliability(table, instrument).scales
        reliability = scales[["n_items", "alpha", "omega_total", "n"]]
        whole = _attempt(notes, "omega", lambda: _whole_omega(table, instrument))
        fit = _attempt(notes, "confirmatory fit", lambda: confirmatory_fit(table, instrument))
        invariance = _invariance(table, instrument, demographics, notes)
    counts = None
    if careless is not None:
        from persona.features.careless import careless_counts

        counts = careless_counts(careless)
    return Psychometrics(reliability, whole, fit, invariance, counts, tuple(notes))


def _attempt(notes: list[str], what: str, compute):
    try:
        return compute()
    except (ValueError, np.linalg.LinAlgError) as error:
        notes.append(f"{what}: {str(error).splitlines()[0]}")
        return None


def _whole_omega(table: pd.DataFrame, instrument: Instrument) -> Omega | None:
    dimensions = len(instrument.dimensions)
    if dimensions < 2:
        return None
    return omega(table, instrument, n_factors=dimensions)


def _invariance(
    table: pd.DataFrame, instrument: Instrument, demographics: TableLike | None, notes: list[str]
) -> pd.DataFrame:
    if demographics is None:
        return pd.DataFrame()
    people = validate_demographics(demographics).set_index("customer_id")
    rows = {}
    for column in people.columns:
        groups = _groups(people[column])
        if groups is None:
            rows[column] = {"note": f"more than {_MAX_GROUPS} groups: not a grouping"}
            continue
        groups = groups.reindex(pd.Index(table["customer_id"]))
        try:
            ladder = measurement_invariance(table, instrument, groups)
        except (ValueError, np.linalg.LinAlgError) as error:
            rows[column] = {"note": str(error).splitlines()[0]}
            continue
        steps = ladder.steps
        rows[column] = {
            "groups": len(ladder.groups),
            "level": ladder.level,
            "comparable": ladder.comparable if ladder.level != "untestable" else np.nan,
            "configural_cfi": steps.loc["configural", "cfi"],
            "metric_p": steps.loc["metric", "p_value"],
            "scalar_p": steps.loc["scalar", "p_value"],
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "column"
    return frame


def _groups(values: pd.Series) -> pd.Series | None:
    """A demographic column as groups: its categories, or a number's three bands."""
    numeric = ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype)
    if numeric and values.nunique() > _MAX_GROUPS:
        codes, edges = pd.qcut(values, _BANDS, labels=False, retbins=True, duplicates="drop")
        bands = zip(edges[:-1], edges[1:], strict=True)
        names = np.array([f"{low:g} to {high:g}" for low, high in bands] + [None])
        position = np.where(codes.isna(), len(names) - 1, codes.fillna(0)).astype(int)
        return pd.Series(names[position], index=values.index, dtype=object)
    if values.nunique() > _MAX_GROUPS:
        return None
    return values.astype(object).where(values.notna())
