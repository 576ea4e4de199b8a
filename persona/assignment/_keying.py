"""Survey answers keyed for the golden questions, and the tables their scorer reads, checked.

A reverse-keyed answer counts the other way round (``low + high - a``), as in
:func:`persona.features.psychographic.score_scales`: these keyed answers are
what :func:`~persona.assignment._golden.select_golden_questions` chooses
items on and what :class:`~persona.assignment._questions.GoldenQuestions`
scores. The tables (answers, behaviour) are checked here, by
``customer_id``, with errors that name the table and the fix. This module
reads its arguments and returns new frames; it touches nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from persona.assignment._errors import input_error
from persona.contract import Instrument
from persona.errors import ConfigError

__all__ = ["behaviour_table", "check_instrument", "keyed_answers", "keyed_frame"]

_ID = "customer_id"
_SHOWN = 5  # offending customer ids named in an error message


def keyed_answers(
    survey: pd.DataFrame, instrument: Instrument, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """Survey answers keyed so that a high value always means more of the dimension.

    A reverse-keyed answer ``a`` on a ``low..high`` item becomes
    ``low + high - a`` (on 1..5: ``6 - a``), as in
    :func:`persona.features.psychographic.score_scales`; other answers are
    kept. These are the values the golden-questions scorer reads.

    Parameters
    ----------
    survey : DataFrame
        ``customer_id`` (column or index) and the items' raw answers, whole
        numbers on each item's scale, NaN where skipped. Other columns are
        ignored.
    instrument : Instrument
        The items' scales and keys.
    items : sequence of str, optional
        The items to key, in the order wanted; by default every item of the
        instrument.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order, one float64
        column per item.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True}]})
    >>> survey = pd.DataFrame({"customer_id": [1, 2], "thr1": [5, 2], "thr2": [1, None]})
    >>> keyed_answers(survey, instrument).to_dict("list")
    {'thr1': [5.0, 2.0], 'thr2': [5.0, nan]}
    """
    check_instrument(instrument)
    if items is None:
        items = instrument.item_names
    elif isinstance(items, str) or not isinstance(items, Sequence):
        raise ConfigError(f"Got items={items!r}, but expected a list of item names.")
    unknown = [i for i in items if i not in instrument.item_names]
    if unknown:
        raise ConfigError(
            f"Got item(s) {unknown}, but instrument '{instrument.name}' has no such item."
        )
    specs = [instrument.item(i) for i in items]
    return keyed_frame(
        survey,
        tuple(items),
        np.array([s.low for s in specs], dtype="float64"),
        np.array([s.high for s in specs], dtype="float64"),
        np.array([s.reverse for s in specs], dtype=bool),
        "survey",
    )


def check_instrument(instrument: object) -> None:
    """Refuse anything but an :class:`~persona.Instrument`, naming how to build one."""
    if not isinstance(instrument, Instrument):
        raise ConfigError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument (build one with Instrument.from_dict or from_file)."
        )


def keyed_frame(
    frame: object,
    items: tuple[str, ...],
    low: np.ndarray,
    high: np.ndarray,
    reverse: np.ndarray,
    what: str,
) -> pd.DataFrame:
    """The items' answers of ``frame``, checked and keyed, by customer_id."""
    table = _by_customer(frame, what)
    missing = [i for i in items if i not in table.columns]
    if missing:
        raise input_error(
            what,
            f"Got {what} without the item column(s) {missing}; give one column per item "
            "(NaN where skipped).",
            column=missing[0],
        )
    raw = table[list(items)].apply(pd.to_numeric, errors="coerce")
    not_number = (raw.isna() & table[list(items)].notna()).to_numpy()
    values = raw.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        off_scale = ~np.isnan(values) & (
            (values < low) | (values > high) | (values != np.round(values))
        )
    bad = not_number | off_scale
    if bad.any():
        column = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = np.flatnonzero(bad[:, column])[:_SHOWN]
        shown = table[items[column]].iloc[rows].tolist()
        raise input_error(
            what,
            f"Got {what} answers {shown} to item '{items[column]}' (customer_id "
            f"{table.index[rows].tolist()}), but expected whole numbers from "
            f"{low[column]:g} to {high[column]:g}, NaN where skipped.",
            column=items[column],
        )
    keyed = np.where(reverse, low + high - values, values)
    return pd.DataFrame(keyed, index=table.index, columns=list(items), dtype="float64")


def behaviour_table(behaviour: object, columns: tuple[str, ...] | None) -> pd.DataFrame:
    """Behaviour features by customer_id, as float64 (``columns``: those, in that order)."""
    table = _by_customer(behaviour, "behaviour")
    if columns is None:
        if table.shape[1] == 0:
            raise input_error("behaviour", "Got behaviour without any column.")
    else:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise input_error(
                "behaviour",
                f"Got behaviour without the column(s) {missing[:10]} the golden questions "
                "were selected with.",
                column=missing[0],
            )
        table = table[list(columns)]
    try:
        values = table.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise input_error(
            "behaviour", f"Got behaviour columns that are not all numeric: {error}"
        ) from None
    if np.isinf(values).any():
        column = table.columns[np.isinf(values).any(axis=0)][0]
        raise input_error(
            "behaviour",
            f"Got an infinite behaviour value in '{column}'; leave it NaN if unknown.",
            column=str(column),
        )
    return pd.DataFrame(values, index=table.index, columns=table.columns)


def _by_customer(frame: object, what: str) -> pd.DataFrame:
    """``frame`` indexed by ``customer_id`` (from its column or its index), ids unique."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"Got {what} of type {type(frame).__name__}, but expected a DataFrame.")
    if _ID in frame.columns:
        frame = frame.set_index(_ID)
    elif frame.index.name != _ID:
        raise input_error(
            what, f"Got {what} without a '{_ID}' column or index; say whose rows they are."
        )
    duplicated = frame.index.duplicated()
    if duplicated.any():
        shown = list(dict.fromkeys(frame.index[duplicated]))[:_SHOWN]
        raise input_error(
            what, f"Got {what} with repeated customer_id(s) {shown}; give one row each.", column=_ID
        )
    return frame
