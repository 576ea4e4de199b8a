"""Input contracts: what persona accepts, checked once, at the edge.

Every table persona reads (``events``, ``survey``, ``emotions``,
``demographics``) comes through one ``validate_*`` function here. They take a
DataFrame or a path (Parquet file, Parquet folder or CSV), and either return
the table ready for use or raise :class:`InputError`, whose message names the
table, the column, the first offending rows and the fix.

What is valid passes untouched: no row is reordered, dropped or changed. The
only conversion is parsing text that unambiguously means a timestamp or a
number (as a CSV file gives it); the caller's frame is never modified.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.journey import MOMENTS

if TYPE_CHECKING:
    from persona.instrument import Instrument

__all__ = [
    "EMOTIONS",
    "InputError",
    "Inputs",
    "TableLike",
    "read_table",
    "validate_demographics",
    "validate_emotions",
    "validate_events",
    "validate_inputs",
    "validate_survey",
]

#: The eight discrete emotions an emotion reading may score, each in [0, 1].
EMOTIONS: tuple[str, ...] = (
    "joy",
    "trust",
    "fear",
    "surprise",
    "sadness",
    "disgust",
    "anger",
    "anticipation",
)

TableLike = pd.DataFrame | str | os.PathLike

_ID = "customer_id"
_SHOWN_ROWS = 5


class InputError(ValueError):
    """An input table or instrument breaks persona's data contract.

    Attributes
    ----------
    table : str
        The table (``"events"``, ``"survey"``, ``"emotions"``,
        ``"demographics"``, ``"instrument"``).
    column : str or None
        The offending column or field, when there is one.
    rows : list
        Index labels of the first offending rows (at most five).
    fix : str
        What to do about it.
    """

    def __init__(
        self,
        table: str,
        problem: str,
        *,
        column: str | None = None,
        rows: list | None = None,
        shown: str = "",
        fix: str = "",
    ) -> None:
        self.table = table
        self.column = column
        self.problem = problem
        self.rows = list(rows or [])
        self.fix = fix
        where = f"{table}.{column}" if column else table
        lines = [f"{where}: {problem}"]
        if shown:
            lines.append(f"  first offending rows: {shown}")
        if fix:
            lines.append(f"  fix: {fix}")
        super().__init__("\n".join(lines))


def _fail(table: str, df: pd.DataFrame, mask, problem: str, fix: str, column=None, show=()):
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
    raise InputError(
        table,
        f"{n_bad} of {len(df)} rows {problem}",
        column=column,
        rows=labels,
        shown="; ".join(parts),
        fix=fix,
    )


def _short(value: Any) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else text[:37] + "..."


# --------------------------------------------------------------------------- reading


def read_table(
    source: TableLike, table: str, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return ``source`` as a DataFrame: a DataFrame as is, or read from a path.

    Parquet files (``.parquet``, ``.pq``), Parquet folders (a partitioned
    dataset) and CSV files (``.csv``, ``.csv.gz``, ``.tsv``) are read. With
    ``columns``, only those of them the file has are read (a DataFrame is
    returned whole).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"customer_id": [1]})
    >>> read_table(frame, "survey") is frame
    True
    """
    if isinstance(source, pd.DataFrame):
        return source
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"{table}: expected a pandas DataFrame or a path to a Parquet or CSV file, "
            f"got {type(source).__name__}."
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{table}: no file or folder at '{path}'.")
    name = path.name.lower()
    wanted = None if columns is None else set(columns)
    if path.is_dir() or name.endswith((".parquet", ".pq")):
        return _read_parquet(path, wanted)
    usecols = None if wanted is None else (lambda column: column in wanted)
    if name.endswith((".csv", ".csv.gz", ".csv.zip", ".csv.bz2")):
        return pd.read_csv(path, usecols=usecols)
    if name.endswith((".tsv", ".tsv.gz")):
        return pd.read_csv(path, sep="\t", usecols=usecols)
    raise InputError(
        table,
        f"cannot tell the format of '{path}'.",
        fix="give a Parquet file (.parquet), a folder of Parquet files or a CSV file (.csv).",
    )


def _read_parquet(path: Path, wanted: set[str] | None) -> pd.DataFrame:
    """Read Parquet as pandas does, holding the data about once rather than twice.

    Arrow buffers are released as pandas takes them over and what Arrow's
    allocator kept is handed back, so a nightly job reading tens of millions
    of touchpoints does not carry a second copy.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if wanted is None:
        frame = pq.read_table(path).to_pandas(self_destruct=True, split_blocks=True)
        pa.default_memory_pool().release_unused()
        return frame
    # Column by column: the decoding buffers of one column at a time.
    columns = {}
    for name in [c for c in pq.ParquetDataset(path).schema.names if c in wanted]:
        part = pq.read_table(path, columns=[name]).to_pandas(self_destruct=True)
        columns[name] = part[name]
        del part
        pa.default_memory_pool().release_unused()
    return pd.DataFrame(columns, copy=False)


# --------------------------------------------------------------------------- columns


def _check_frame(df: pd.DataFrame, table: str, required: tuple[str, ...]) -> None:
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


def _check_ids(df: pd.DataFrame, table: str, *, unique: bool) -> None:
    ids = df[_ID]
    _check_no_nulls(df, table, _ID, "customer ids")
    kind = _id_kind(ids)
    if kind is None:
        odd = ids.map(lambda v: not isinstance(v, (str, int, np.integer))).to_numpy(dtype=bool)
        if not odd.any():  # integers and strings side by side: show the fewer
            odd = ids.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            odd = odd if odd.sum() <= len(odd) / 2 else ~odd
        mixed = odd
        _fail(
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
            _fail(
                table,
                df,
                dup,
                "repeat a customer_id that must appear once.",
                f"keep one row per customer in {table} (for example the latest answer), "
                "e.g. with .drop_duplicates('customer_id', keep='last').",
                column=_ID,
            )


def _id_kind(ids: pd.Series) -> str | None:
    """'int' or 'str' for a valid id column, None when it mixes or is float."""
    dtype = ids.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _id_kind(pd.Series(dtype.categories))
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


def _check_no_nulls(df: pd.DataFrame, table: str, column: str, what: str) -> None:
    nulls = df[column].isna().to_numpy()
    if nulls.any():
        _fail(
            table,
            df,
            nulls,
            f"have no {column}.",
            f"every row needs its {what}: drop or complete the rows without one.",
            column=column,
            show=(column,),
        )


def _parse_timestamps(
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
        as_utc = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
        unparseable = (values.notna() & as_utc.isna()).to_numpy()
        if unparseable.any():
            _fail(
                table,
                df,
                unparseable,
                "have a timestamp that cannot be parsed.",
                "give ISO 8601 timestamps such as '2026-11-22T10:30:00' (or datetime64 values).",
                column=column,
                show=(column,),
            )
        try:
            parsed = pd.to_datetime(values, format="ISO8601")
        except (ValueError, TypeError):
            _fail_mixed_zones(df, table, column)
    if not nullable:
        missing = parsed.isna().to_numpy()
        if missing.any():
            _fail(
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
    _fail(
        table,
        df,
        df.index.isin(minority),
        f"carry a different time zone from the rest (timestamps mix time zones: {summary}).",
        f"give every timestamp the same zone, or convert them to UTC first with "
        f"pd.to_datetime({table}['{column}'], utc=True).",
        column=column,
        show=(column,),
    )


def _check_labels(
    df: pd.DataFrame,
    table: str,
    column: str,
    *,
    nullable: bool,
    choices: tuple[str, ...] | None = None,
) -> None:
    values = df[column]
    dtype = values.dtype
    categories = pd.Series(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else None
    probe = categories if categories is not None else values
    if not ptypes.is_string_dtype(probe.dtype) or pd.api.types.infer_dtype(
        probe, skipna=True
    ) not in ("string", "empty"):
        not_text = values.map(lambda v: not (isinstance(v, str) or v is None or v != v))
        _fail(
            table,
            df,
            not_text.to_numpy(dtype=bool),
            f"hold a value that is not text (the column is {dtype}).",
            f"{column} holds names such as 'web' or 'purchase': map codes to names first.",
            column=column,
            show=(column,),
        )
    blank = _blank(values)
    if not nullable and blank.any():
        _fail(
            table,
            df,
            blank,
            f"have an empty {column}.",
            f"every row needs its {column}: drop or complete those rows.",
            column=column,
            show=(column,),
        )
    if choices is not None:
        unknown = ~blank & ~values.isin(choices).to_numpy()
        if unknown.any():
            _fail(
                table,
                df,
                unknown,
                f"have a {column} outside {list(choices)}.",
                f"use one of {list(choices)} (case matters), or leave {column} empty to derive it.",
                column=column,
                show=(column,),
            )


def _blank(values: pd.Series) -> np.ndarray:
    """Missing or whitespace-only text, checked once per category for categoricals."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.dtype.categories, dtype=object)
        blank_category = np.append(categories.str.strip().eq("").to_numpy(dtype=bool), True)
        return blank_category[values.cat.codes.to_numpy()]  # code -1 (missing) -> the last
    missing = values.isna().to_numpy()
    empty = values.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    return missing | empty


def _parse_numbers(
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
        parsed = pd.to_numeric(values, errors="coerce")
        unparseable = (values.notna() & parsed.isna()).to_numpy()
        if unparseable.any():
            _fail(
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
        _fail(
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
            _fail(
                table, df, fractional, "are not whole numbers.", fix, column=column, show=(column,)
            )
    outside = np.zeros(len(array), dtype=bool)
    if low is not None:
        outside |= array < low
    if high is not None:
        outside |= array > high
    if outside.any():
        bounds = f"[{_fmt(low)}, {_fmt(high)}]" if high is not None else f">= {_fmt(low)}"
        _fail(
            table,
            df,
            outside,
            f"are outside {bounds}.",
            fix or f"{column} must lie in {bounds}.",
            column=column,
            show=(column,),
        )
    return None if values is original else values


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _with(df: pd.DataFrame, parsed: dict[str, pd.Series | None]) -> pd.DataFrame:
    """``df`` itself when nothing was parsed, else a new frame with the parsed columns."""
    changed = {c: s for c, s in parsed.items() if s is not None}
    return df.assign(**changed) if changed else df


# --------------------------------------------------------------------------- tables

_EVENT_COLUMNS = ("customer_id", "timestamp", "channel", "event_type")


def validate_events(events: TableLike) -> pd.DataFrame:
    """Check an ``events`` table (one row per touchpoint) against its contract.

    Required columns: ``customer_id``, ``timestamp``, ``channel``,
    ``event_type``. Optional: ``device``, ``value`` (money, >= 0; empty where
    the touchpoint has none), ``session_id``, ``moment`` (one of ZMOT, FMOT,
    SMOT, UMOT; empty to derive it from the event type). Other columns pass
    through.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "customer_id": [1, 1], "timestamp": ["2026-01-05T09:00", "2026-01-05T09:04"],
    ...     "channel": ["web", "web"], "event_type": ["search", "purchase"],
    ...     "value": [None, 19.9]})
    >>> validate_events(events)["timestamp"].dt.minute.tolist()
    [0, 4]
    """
    df = read_table(events, "events")
    _check_frame(df, "events", _EVENT_COLUMNS)
    _check_ids(df, "events", unique=False)
    parsed = {"timestamp": _parse_timestamps(df, "events", "timestamp", nullable=False)}
    _check_labels(df, "events", "channel", nullable=False)
    _check_labels(df, "events", "event_type", nullable=False)
    if "device" in df.columns:
        _check_labels(df, "events", "device", nullable=True)
    if "moment" in df.columns:
        _check_labels(df, "events", "moment", nullable=True, choices=MOMENTS)
    if "session_id" in df.columns:
        _check_no_nulls(df, "events", "session_id", "session id (or drop the column)")
    if "value" in df.columns:
        parsed["value"] = _parse_numbers(
            df,
            "events",
            "value",
            low=0.0,
            fix="value is the money of a touchpoint and cannot be negative: record a refund "
            "as a 'return' event with a positive value.",
        )
    return _with(df, parsed)


def validate_survey(survey: TableLike, instrument: Instrument) -> pd.DataFrame:
    """Check a ``survey`` table (one row per respondent) against an instrument.

    ``customer_id`` plus one column per instrument item, each a whole number
    on the item's scale, or empty where the respondent skipped the item.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True}]})
    >>> survey = pd.DataFrame({"customer_id": [1, 2], "thr1": [5, 2], "thr2": [1, None]})
    >>> validate_survey(survey, instrument) is survey
    True
    """
    df = read_table(survey, "survey")
    _check_frame(df, "survey", (_ID,))
    _check_ids(df, "survey", unique=True)
    items = instrument.item_names
    unknown = [c for c in df.columns if c != _ID and c not in items]
    if unknown:
        raise InputError(
            "survey",
            f"has column(s) the instrument '{instrument.name}' does not know: {unknown[:10]}.",
            column=unknown[0],
            fix="drop them (survey.drop(columns=[...])) or add those items to the instrument.",
        )
    missing = [i for i in items if i not in df.columns]
    if missing:
        raise InputError(
            "survey",
            f"lacks item(s) of the instrument '{instrument.name}': {missing[:10]}.",
            column=missing[0],
            fix="add the columns (empty where nobody answered) or use an instrument "
            "without those items.",
        )
    parsed = {}
    for item in items:
        low, high = instrument.scale_of(item)
        parsed[item] = _parse_numbers(
            df,
            "survey",
            item,
            low=low,
            high=high,
            integral=True,
            fix=f"answers to {item} are whole numbers from {low} to {high}; leave a cell empty "
            "where the respondent skipped the item.",
        )
    answered = np.zeros(len(df), dtype=bool)
    for item in items:
        answered |= df[item].notna().to_numpy()  # parsing keeps every non-empty cell
    if not answered.all():
        _fail(
            "survey",
            df,
            ~answered,
            "answer no item at all.",
            "drop respondents without a single answer: they are customers without a survey.",
        )
    return _with(df, parsed)


_SCORE_RANGES = {"valence": (-1.0, 1.0), "arousal": (0.0, 1.0), **{e: (0.0, 1.0) for e in EMOTIONS}}


def validate_emotions(emotions: TableLike) -> pd.DataFrame:
    """Check an ``emotions`` table (one row per reading) against its contract.

    ``customer_id`` plus numeric scores (``valence`` in [-1, 1], ``arousal``
    in [0, 1], any of the eight emotions in [0, 1]) and/or ``text`` to be
    scored. Optional: ``timestamp``, ``event_type``, ``moment``. A cell may be
    empty, but every reading must carry at least one score or a text.

    Examples
    --------
    >>> import pandas as pd
    >>> readings = pd.DataFrame({"customer_id": ["a", "b"], "valence": [0.4, None],
    ...                          "text": [None, "Delivery was late again."]})
    >>> validate_emotions(readings) is readings
    True
    """
    df = read_table(emotions, "emotions")
    _check_frame(df, "emotions", (_ID,))
    signals = [c for c in (*_SCORE_RANGES, "text") if c in df.columns]
    if not signals:
        raise InputError(
            "emotions",
            "has no signal column.",
            fix=f"add scores ({list(_SCORE_RANGES)}) or a 'text' column to score.",
        )
    _check_ids(df, "emotions", unique=False)
    parsed = {}
    if "timestamp" in df.columns:
        parsed["timestamp"] = _parse_timestamps(df, "emotions", "timestamp", nullable=True)
    if "event_type" in df.columns:
        _check_labels(df, "emotions", "event_type", nullable=True)
    if "moment" in df.columns:
        _check_labels(df, "emotions", "moment", nullable=True, choices=MOMENTS)
    has_signal = np.zeros(len(df), dtype=bool)
    for column, (low, high) in _SCORE_RANGES.items():
        if column in df.columns:
            parsed[column] = _parse_numbers(df, "emotions", column, low=low, high=high)
            has_signal |= df[column].notna().to_numpy()
    if "text" in df.columns:
        _check_labels(df, "emotions", "text", nullable=True)
        has_signal |= ~_blank(df["text"])
    if not has_signal.all():
        _fail(
            "emotions",
            df,
            ~has_signal,
            "carry neither a score nor a text.",
            "drop readings without a signal, or give them a valence/arousal/emotion score "
            "or a text.",
        )
    return _with(df, parsed)


def validate_demographics(demographics: TableLike) -> pd.DataFrame:
    """Check a ``demographics`` table: ``customer_id`` (once each) plus any columns.

    Demographics are used to audit that personas are not demographic
    segments; they never enter clustering unless asked explicitly.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"customer_id": [1, 2], "age": [34, 61]})
    >>> validate_demographics(people) is people
    True
    """
    df = read_table(demographics, "demographics")
    _check_frame(df, "demographics", (_ID,))
    _check_ids(df, "demographics", unique=True)
    parsed = {}
    for column in df.columns:
        if column != _ID and ptypes.is_float_dtype(df[column].dtype):
            parsed[column] = _parse_numbers(df, "demographics", column)
    return _with(df, parsed)


@dataclass(frozen=True)
class Inputs:
    """The validated input tables; a modality nobody supplied is ``None``."""

    events: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    emotions: pd.DataFrame | None = None
    demographics: pd.DataFrame | None = None


def validate_inputs(
    events: TableLike | None = None,
    survey: TableLike | None = None,
    emotions: TableLike | None = None,
    demographics: TableLike | None = None,
    *,
    instrument: Instrument | None = None,
) -> Inputs:
    """Validate every table given, then check that they agree with each other.

    Customer ids must be of one kind (all integers or all strings) across
    tables, or joins would silently match nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"customer_id": [1], "timestamp": ["2026-01-05T09:00"],
    ...                        "channel": ["app"], "event_type": ["search"]})
    >>> people = pd.DataFrame({"customer_id": ["1"], "age": [30]})
    >>> validate_inputs(events, demographics=people)
    Traceback (most recent call last):
    ...
    persona.schema.InputError: demographics.customer_id: holds str ids while events holds int ids.
      fix: give customer_id the same type in every table, e.g. .astype(str) on both.
    """
    if survey is not None and instrument is None:
        raise InputError(
            "survey",
            "was given without an instrument, so its items cannot be read.",
            fix="pass instrument=Instrument.from_file('instrument.yaml') (or from_dict).",
        )
    tables = {
        "events": None if events is None else validate_events(events),
        "survey": None if survey is None else validate_survey(survey, instrument),
        "emotions": None if emotions is None else validate_emotions(emotions),
        "demographics": None if demographics is None else validate_demographics(demographics),
    }
    _check_agreement(tables)
    return Inputs(**tables)


def _check_agreement(tables: dict[str, pd.DataFrame | None]) -> None:
    """Tables are joined on customer_id and compared in time: ids and zones must match."""
    kinds = {name: _id_kind(df[_ID]) for name, df in tables.items() if df is not None}
    first = next(iter(kinds), None)
    for name, kind in kinds.items():
        if kind != kinds[first]:
            raise InputError(
                name,
                f"holds {kind} ids while {first} holds {kinds[first]} ids.",
                column=_ID,
                fix="give customer_id the same type in every table, e.g. .astype(str) on both.",
            )
    zones = {
        name: getattr(df["timestamp"].dtype, "tz", None)
        for name, df in tables.items()
        if df is not None and "timestamp" in df.columns
    }
    if len({str(zone) for zone in zones.values()}) > 1:
        described = ", ".join(f"{name} in {zone or 'no time zone'}" for name, zone in zones.items())
        raise InputError(
            list(zones)[-1],
            f"timestamps are {described}, so they cannot be compared.",
            column="timestamp",
            fix="give every table's timestamps the same zone (or none), e.g. "
            "ts.dt.tz_convert('UTC') on aware and ts.dt.tz_localize('UTC') on naive ones.",
        )
