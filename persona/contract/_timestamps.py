"""Timestamp columns of the input contracts: parsed once, each row placed in time.

:func:`parse_timestamps` checks one timestamp column of one table: datetime64
passes, ISO 8601 text is parsed, text with a UTC offset is read as that
instant in UTC (summer and winter time in one export), and a column that mixes
text with and without an offset refuses the rows of the less common kind
(:data:`MIXED_OFFSETS`, which batch scoring gives too). Each refusal is an
:class:`~persona.errors.InputError` naming the rows. It reads the column it is
given and nothing else; which table has which timestamp column is
:mod:`persona.contract._schema`'s.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.contract._checks import fail
from persona.errors import InputError

__all__ = ["MIXED_OFFSETS", "has_utc_offset", "minority_of", "parse_timestamps"]

# A UTC offset (Z, +01:00, -0500, +01) right after a time of day; a bare date
# ("2026-03-01") ends in what would otherwise read as one.
_OFFSET = r"\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)\s*$"

#: Why rows of a timestamp column that mixes text with and without a UTC offset
#: are refused, by the kind refused: (problem, fix). Batch scoring gives the same reasons.
MIXED_OFFSETS = {
    "naive": (
        "have no UTC offset, while the column's other timestamps carry one, so they "
        "cannot be placed in time.",
        "give every timestamp its UTC offset (e.g. '2026-03-01T09:00:00+01:00', or 'Z' for "
        "UTC), or none at all.",
    ),
    "zoned": (
        "carry a UTC offset, while most of the column's timestamps have none.",
        "give every timestamp its UTC offset (e.g. '2026-03-01T09:00:00+01:00', or 'Z' for "
        "UTC), or none at all.",
    ),
}


def has_utc_offset(values) -> np.ndarray:
    """Where text timestamps carry a UTC offset (False for other text and missing values).

    ``values`` is a pandas Series or a pyarrow array of strings. One pass in
    Arrow's regular-expression kernel, without a loop in Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, type=pa.string(), from_pandas=True)
    found = pc.match_substring_regex(values, _OFFSET).fill_null(False)
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def minority_of(zoned: int, naive: int) -> str | None:
    """Which kind of text timestamps a column of both refuses: the less common one,
    or those without an offset on a tie (they are the ones whose instant is unknown)."""
    if not zoned or not naive:
        return None
    return "zoned" if zoned < naive else "naive"


def parse_timestamps(
    df: pd.DataFrame, table: str, column: str, *, nullable: bool
) -> pd.Series | None:
    """Check a timestamp column; return it parsed when it held text, else None.

    Text with UTC offsets is read in UTC (see validate_events). Offsets differ
    within one export (summer and winter time), and pandas reads a column of
    different offsets as no single zone; converted to UTC, each is the instant
    it says.
    """
    values = df[column]
    text = ptypes.is_string_dtype(values.dtype) and pd.api.types.infer_dtype(
        values, skipna=True
    ) in ("string", "empty")
    zoned = has_utc_offset(values) if text else None
    if zoned is None or not zoned.any():
        return _parse_without_offsets(df, table, column, nullable=nullable)
    as_utc = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    present = values.notna().to_numpy()
    unparseable = present & as_utc.isna().to_numpy()
    if unparseable.any():
        _fail_unparseable(df, table, column, unparseable)
    naive = present & ~zoned
    refused = minority_of(int(zoned.sum()), int(naive.sum()))
    if refused is not None:
        problem, fix = MIXED_OFFSETS[refused]
        fail(table, df, naive if refused == "naive" else zoned, problem, fix, column=column,
             show=(column,))  # fmt: skip
    if not nullable and not present.all():
        fail(
            table,
            df,
            ~present,
            "have no timestamp.",
            f"every row of {table} needs its time: drop or complete the rows without one.",
            column=column,
            show=(column,),
        )
    return as_utc


def _parse_without_offsets(
    df: pd.DataFrame, table: str, column: str, *, nullable: bool
) -> pd.Series | None:
    """A timestamp column without UTC offsets in its text, parsed as pandas reads it."""
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
            _fail_unparseable(df, table, column, unparseable)
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


def _fail_unparseable(df: pd.DataFrame, table: str, column: str, rows) -> None:
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
