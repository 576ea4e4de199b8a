"""Reading input tables: a DataFrame as it is, or a Parquet / CSV path read once and lean."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from persona.errors import InputError

__all__ = ["TableLike", "read_table"]

TableLike = pd.DataFrame | str | os.PathLike


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
    path = table_path(source, table)
    kind = table_format(path, table)
    wanted = None if columns is None else set(columns)
    try:
        if kind == "parquet":
            return _read_parquet(path, wanted)
        usecols = None if wanted is None else (lambda column: column in wanted)
        return pd.read_csv(path, sep="\t" if kind == "tsv" else ",", usecols=usecols)
    except _READ_ERRORS as error:
        raise unreadable(table, path, error) from error


# What readers raise on a damaged, truncated or malformed file: pyarrow's ArrowInvalid
# and pandas' ParserError are ValueErrors, a truncated gzip an EOFError, a bad page or
# stream an OSError.
_READ_ERRORS = (OSError, EOFError, ValueError)


def unreadable(table: str, path: Path | str, error: BaseException) -> InputError:
    """The InputError for a file that could not be read: the table, the file, the cause."""
    cause = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if isinstance(error, PermissionError):
        return InputError(
            table,
            f"could not read '{path}': permission denied.",
            fix="give the job read access to the file.",
        )
    if isinstance(error, UnicodeDecodeError):
        return InputError(
            table,
            f"could not read '{path}': it is not UTF-8 text ({cause}).",
            fix="write the CSV file as UTF-8, or give the table as Parquet.",
        )
    return InputError(
        table,
        f"could not read '{path}': the file is damaged or truncated ({cause}).",
        fix="write the file again from its source (a copy cut short or changed in "
        "transfer reads like this), or leave it out.",
    )


def table_path(source: object, table: str) -> Path:
    """``source`` as an existing path, or a TypeError / FileNotFoundError naming the table."""
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"{table}: expected a pandas DataFrame or a path to a Parquet or CSV file, "
            f"got {type(source).__name__}."
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{table}: no file or folder at '{path}'.")
    return path


def table_format(path: Path, table: str) -> str:
    """``"parquet"`` (a file or a folder of files), ``"csv"`` or ``"tsv"``, by the path's name."""
    name = path.name.lower()
    if path.is_dir() or name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".csv.zip", ".csv.bz2")):
        return "csv"
    if name.endswith((".tsv", ".tsv.gz")):
        return "tsv"
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
