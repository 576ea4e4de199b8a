"""Column checks behind the input contracts: each raises InputError naming the rows.

Used by :mod:`persona.contract._schema`, which says which table has which columns; the
functions here know how to check a table's shape and one column of one kind (ids,
labels, numbers) and how to show the first offending rows. Timestamp columns are
:mod:`persona.contract._timestamps`'. They read the frame they are given and nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona._validate import is_whole
from persona.errors import ConfigError, InputError

__all__ = [
    "blank", "check_frame", "check_ids", "check_labels", "check_no_nulls", "fail", "id_kind",
    "parse_numbers", "with_parsed",
]  # fmt: skip

_ID = "customer_id"
_SHOWN_ROWS = 5


def fail(table: str, df: pd.DataFrame, mask, problem: str, fix: str, column=None, show=()):
    """Raise InputError for the rows of ``df`` where ``mask`` holds."""
    mask = np.asarray(mask, dtype=bool)
    n_bad = int(mask.sum())
    positions = np.flatnonzero(mask)[:_SHOWN_ROWS]
    labels = df.index[positions].tolist()
    shown = {c: df[c].iloc[positions].tolist() for c in dict.fromkeys((_ID, *show)) if c in df}
    parts = []
    for i, label in enumerate(labels):
        values = ", ".join(f"{c}={_short(v[i])}" for c, v in shown.items())
        parts.append(f"row {label!r} ({values})" if values else f"row {label!r}")
    error = InputError(
        table,
        f"{n_bad} of {len(df)} rows {problem}",
        column=column,
        rows=labels,
        shown="; ".join(parts),
        fix=fix,
    )
    error.positions = np.flatnonzero(mask)  # every offending row: batch scoring rejects them
    error.phrase = problem  # what is wrong with them, without counts
    raise error


def _short(value: Any) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_frame(df: pd.DataFrame, table: str, required: tuple[str, ...]) -> None:
    """A DataFrame with rows, unique column names and the ``required`` columns.

    A table without rows is refused as empty before its columns are asked
    for: an empty list or an empty frame has no columns either, and "the
    table is empty" is what is wrong with it, not its columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise ConfigError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}.")
    if len(df) == 0:
        shape = "0 rows" if len(df.columns) else "0 rows and no columns"
        raise InputError(
            table,
            f"the table is empty ({shape}).",
            fix=f"pass a table with at least one row, or leave {table} out if there is none.",
        )
    dupes = df.columns[df.columns.duplicated()].unique().tolist()
    if dupes:
        raise InputError(
            table,
            f"the table has duplicated column names {dupes}.",
            fix="give every column a unique name.",
        )
    missing = [c for c in required if c not in df.columns]
    if missing:
        hint = ""
        if _ID in missing and _ID in (df.index.names or []):
            hint = " customer_id is the index here: call .reset_index() first."
        raise InputError(
            table,
            f"the table is missing the required column(s) {missing}; it has "
            f"{list(df.columns)[:20]}.",
            column=missing[0],
            fix=f"add or rename the column(s) so that {list(required)} are present.{hint}",
        )


def check_ids(df: pd.DataFrame, table: str, *, unique: bool) -> None:
    """Customer ids: all integers or all strings, none missing, once each when ``unique``.

    True/false ids are named first: bool is an int to Python, so the kind
    check would find no odd row among them.
    """
    ids = df[_ID]
    flags = _booleans(ids)
    if flags is not None and flags.any():
        fail(
            table,
            df,
            flags,
            f"have a true/false customer_id (the column is {ids.dtype}).",
            "customer ids are integers or strings; a true/false column is most often a flag "
            "read in place of the id: give the id column.",
            column=_ID,
        )
    check_no_nulls(df, table, _ID, "customer ids")
    kind = id_kind(ids)
    if kind is None:
        odd = ids.map(lambda v: not (isinstance(v, str) or is_whole(v))).to_numpy(dtype=bool)
        if not odd.any():  # integers and strings side by side: show the fewer
            odd = ids.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            odd = odd if odd.sum() <= len(odd) / 2 else ~odd
        mixed = odd
        fail(
            table,
            df,
            mixed,
            f"have a customer_id that is not like the others (the column is {ids.dtype}).",
            "customer ids must be all integers or all strings: cast the column with "
            ".astype('int64') or .astype(str).",
            column=_ID,
        )
    if unique:
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            fail(
                table,
                df,
                dup,
                "repeat a customer_id that must appear once.",
                f"keep one row per customer in {table} (for example the latest answer), "
                "e.g. with .drop_duplicates('customer_id', keep='last').",
                column=_ID,
            )


def _booleans(ids: pd.Series) -> np.ndarray | None:
    """Where ids are True/False; None when the column cannot hold any."""
    if ptypes.is_bool_dtype(ids.dtype):
        return ids.notna().to_numpy(dtype=bool)
    if ids.dtype != object:
        return None
    kind = pd.api.types.infer_dtype(ids, skipna=True)
    if kind == "boolean":
        return ids.notna().to_numpy(dtype=bool)
    if kind in ("mixed", "mixed-integer"):  # an invalid column: one pass to name the rows
        return ids.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    return None


def id_kind(ids: pd.Series) -> str | None:
    """'int' or 'str' for a valid id column, None when it mixes or is float."""
    dtype = ids.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return id_kind(pd.Series(dtype.categories))
    if ptypes.is_bool_dtype(dtype):
        return None
    if ptypes.is_integer_dtype(dtype):
        return "int"
    if ptypes.is_string_dtype(dtype):
        inferred = pd.api.types.infer_dtype(ids, skipna=True)
        if inferred in ("string", "empty"):
            return "str"
        if inferred == "integer":
            return "int"
    return None


def check_no_nulls(df: pd.DataFrame, table: str, column: str, what: str) -> None:
    nulls = df[column].isna().to_numpy()
    if nulls.any():
        fail(
            table,
            df,
            nulls,
            f"have no {column}.",
            f"every row needs its {what}: drop or complete the rows without one.",
            column=column,
            show=(column,),
        )


def check_labels(
    df: pd.DataFrame,
    table: str,
    column: str,
    *,
    nullable: bool,
    choices: tuple[str, ...] | None = None,
) -> None:
    values = df[column]
    dtype = values.dtype
    if nullable and values.isna().all():
        return  # an optional column left empty (NaN reads as float): nothing to check
    categories = pd.Series(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else None
    probe = categories if categories is not None else values
    if not ptypes.is_string_dtype(probe.dtype) or pd.api.types.infer_dtype(
        probe, skipna=True
    ) not in ("string", "empty"):
        not_text = values.map(lambda v: not (isinstance(v, str) or v is None or v != v))
        fail(
            table,
            df,
            not_text.to_numpy(dtype=bool),
            f"hold a value that is not text (the column is {dtype}).",
            f"{column} holds names such as 'web' or 'purchase': map codes to names first.",
            column=column,
            show=(column,),
        )
    empty = blank(values)
    if not nullable and empty.any():
        fail(
            table,
            df,
            empty,
            f"have an empty {column}.",
            f"every row needs its {column}: drop or complete those rows.",
            column=column,
            show=(column,),
        )
    if choices is not None:
        unknown = ~empty & ~values.isin(choices).to_numpy()
        if unknown.any():
            fail(
                table,
                df,
                unknown,
                f"have a {column} outside {list(choices)}.",
                f"use one of {list(choices)} (case matters), or leave {column} empty to derive it.",
                column=column,
                show=(column,),
            )


def blank(values: pd.Series) -> np.ndarray:
    """Missing or whitespace-only text, checked once per category for categoricals."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.dtype.categories, dtype=object)
        blank_category = np.append(categories.str.strip().eq("").to_numpy(dtype=bool), True)
        return blank_category[values.cat.codes.to_numpy()]  # code -1 (missing) -> the last
    missing = values.isna().to_numpy()
    if missing.all():  # includes a column of NaN only, which pandas reads as float
        return missing
    empty = values.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    return missing | empty


def parse_numbers(
    df: pd.DataFrame,
    table: str,
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    integral: bool = False,
    fix: str = "",
) -> pd.Series | None:
    """Check a numeric column; return it parsed when it held text, else None."""
    values = df[column]
    original = values
    if ptypes.is_bool_dtype(values.dtype):
        raise InputError(
            table,
            "holds true/false values where numbers are expected.",
            column=column,
            fix="convert the column to numbers that mean what they say.",
        )
    if not ptypes.is_numeric_dtype(values.dtype):
        values = _parsed_numbers(df, table, column)
    array = values.to_numpy(dtype="float64", na_value=np.nan)
    infinite = np.isinf(array)
    if infinite.any():
        fail(
            table,
            df,
            infinite,
            "are infinite.",
            f"replace inf with a finite value, or leave the cell empty (NaN) if {column} "
            "is unknown there.",
            column=column,
            show=(column,),
        )
    if integral:
        fractional = ~np.isnan(array) & (array != np.round(array))
        if fractional.any():
            fail(
                table, df, fractional, "are not whole numbers.", fix, column=column, show=(column,)
            )
    _check_range(df, table, column, array, low, high, fix)
    return None if values is original else values


def _parsed_numbers(df: pd.DataFrame, table: str, column: str) -> pd.Series:
    """A column of text (as a CSV file gives it) read as numbers, or the rows that are not."""
    values = df[column]
    try:
        parsed = pd.to_numeric(values, errors="coerce")
    except OverflowError:  # a Python integer beyond float64: infinite, refused after
        parsed = pd.to_numeric(values.map(_as_number), errors="coerce")
    unparseable = (values.notna() & parsed.isna()).to_numpy()
    if unparseable.any():
        fail(
            table,
            df,
            unparseable,
            "have a value that is not a number.",
            f"{column} must hold numbers (use '.' as the decimal mark); "
            "leave a cell empty where there is no value.",
            column=column,
            show=(column,),
        )
    return parsed


def _check_range(
    df: pd.DataFrame,
    table: str,
    column: str,
    array: np.ndarray,
    low: float | None,
    high: float | None,
    fix: str,
) -> None:
    """Refuse the rows of ``array`` outside [low, high] (either bound may be None)."""
    outside = np.zeros(len(array), dtype=bool)
    if low is not None:
        outside |= array < low
    if high is not None:
        outside |= array > high
    if not outside.any():
        return
    if low is not None and high is not None:
        bounds = f"[{_fmt(low)}, {_fmt(high)}]"
        problem = f"are outside {bounds}."
    elif high is None:
        bounds, problem = f">= {_fmt(low)}", f"are below {_fmt(low)}."
    else:
        bounds, problem = f"<= {_fmt(high)}", f"are above {_fmt(high)}."
    fail(
        table,
        df,
        outside,
        problem,
        fix or f"{column} must lie in {bounds}.",
        column=column,
        show=(column,),
    )


def _as_number(value: Any) -> Any:
    if is_whole(value) and abs(value) > _FLOAT_MAX:
        return np.inf if value > 0 else -np.inf
    return value


_FLOAT_MAX = float(np.finfo(np.float64).max)


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def with_parsed(df: pd.DataFrame, parsed: dict[str, pd.Series | None]) -> pd.DataFrame:
    """``df`` itself when nothing was parsed, else a new frame with the parsed columns."""
    changed = {c: s for c, s in parsed.items() if s is not None}
    return df.assign(**changed) if changed else df
