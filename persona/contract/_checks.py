"""Column checks behind the input contracts: each raises InputError naming the rows.

Used by :mod:`persona.contract._schema`, which says which table has which columns; the
functions here know how to check one column of one kind (ids, timestamps,
labels, numbers) and how to show the first offending rows.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.errors import InputError

__all__ = [
    "blank", "check_frame", "check_ids", "check_labels", "check_no_nulls", "fail", "id_kind",
    "parse_numbers", "parse_timestamps", "with_parsed",
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
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}.")
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
    if len(df) == 0:
        raise InputError(
            table,
            "the table is empty (0 rows).",
            fix=f"pass a table with at least one row, or leave {table} out if there is none.",
        )


def check_ids(df: pd.DataFrame, table: str, *, unique: bool) -> None:
    ids = df[_ID]
    check_no_nulls(df, table, _ID, "customer ids")
    kind = id_kind(ids)
    if kind is None:
        odd = ids.map(lambda v: not isinstance(v, (str, int, np.integer))).to_numpy(dtype=bool)
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


def parse_timestamps(
    df: pd.DataFrame, table: str, column: str, *, nullable: bool
) -> pd.Series | None:
    """Check a timestamp column; return it parsed when it held text, else None."""
    values = df[column]
    if ptypes.is_datetime64_any_dtype(values.dtype):
        parsed = values
    elif ptypes.is_numeric_dtype(values.dtype) or ptypes.is_bool_dtype(values.dtype):
        raise InputError(
            table,
            f"holds numbers ({values.dtype}), and a number is no unambiguous timestamp.",
            column=column,
            fix=f"convert it first, e.g. pd.to_datetime({table}['{column}'], unit='s') for "
            "seconds since 1970, or give ISO 8601 strings.",
        )
    else:
        if values.dtype == object:
            # A number or a list among texts is no timestamp (pandas would warn, and will
            # read numbers as epochs): made unparseable here, shown as given below. Text
            # columns read from files are of a string dtype: only a mixed column loops here.
            text = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(values.to_numpy())
            odd = values.notna().to_numpy() & ~text.astype(bool)
            values = values.where(~odd, "not a timestamp")
        as_utc = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
        unparseable = (values.notna() & as_utc.isna()).to_numpy()
        if unparseable.any():
            fail_unparseable_timestamps(df, table, column, unparseable)
        try:
            parsed = pd.to_datetime(values, format="ISO8601")
        except (ValueError, TypeError):
            _fail_mixed_zones(df, table, column)
    if not nullable:
        missing = parsed.isna().to_numpy()
        if missing.any():
            fail(
                table,
                df,
                missing,
                "have no timestamp.",
                f"every row of {table} needs its time: drop or complete the rows without one.",
                column=column,
                show=(column,),
            )
    return None if parsed is values else parsed


_ZONE = re.compile(r"(Z|[+-]\d{2}(?::?\d{2})?)$")


def fail_unparseable_timestamps(df: pd.DataFrame, table: str, column: str, rows) -> None:
    """The contract's error for timestamps that cannot be parsed, naming the rows."""
    fail(
        table,
        df,
        rows,
        "have a timestamp that cannot be parsed.",
        "give ISO 8601 timestamps such as '2026-11-22T10:30:00' (or datetime64 values), or "
        "say the format yours are written in: timestamp_format: '%d/%m/%Y %H:%M' in "
        "persona.yaml, or persona.ReadOptions(timestamp_format=...) in Python.",
        column=column,
        show=(column,),
    )


def _fail_mixed_zones(df: pd.DataFrame, table: str, column: str):
    def zone(value: Any) -> str:
        if isinstance(value, str):
            found = _ZONE.search(value.strip())
            return found.group(1) if found else "no zone"
        tz = getattr(value, "tzinfo", None)
        return str(tz) if tz is not None else "no zone"

    zones = df[column].dropna().map(zone)
    counts = zones.value_counts()
    minority = zones.index[zones != counts.index[0]]
    summary = ", ".join(f"{n} at {z}" for z, n in counts.items())
    fail(
        table,
        df,
        df.index.isin(minority),
        f"carry a different time zone from the rest (timestamps mix time zones: {summary}).",
        f"give every timestamp the same zone, or convert them to UTC first with "
        f"pd.to_datetime({table}['{column}'], utc=True).",
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
        try:
            parsed = pd.to_numeric(values, errors="coerce")
        except OverflowError:  # a Python integer beyond float64: infinite, refused below
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
        values = parsed
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
    outside = np.zeros(len(array), dtype=bool)
    if low is not None:
        outside |= array < low
    if high is not None:
        outside |= array > high
    if outside.any():
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
    return None if values is original else values


def _as_number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _FLOAT_MAX:
        return np.inf if value > 0 else -np.inf
    return value


_FLOAT_MAX = float(np.finfo(np.float64).max)


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def with_parsed(df: pd.DataFrame, parsed: dict[str, pd.Series | None]) -> pd.DataFrame:
    """``df`` itself when nothing was parsed, else a new frame with the parsed columns."""
    changed = {c: s for c, s in parsed.items() if s is not None}
    return df.assign(**changed) if changed else df
