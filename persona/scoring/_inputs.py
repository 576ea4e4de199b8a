"""The job's input tables: where they are, and how they are read, batch by batch.

A :class:`_Source` is one input table (a Parquet file or folder, a CSV file or
an in-memory frame) as every pass of :func:`persona.score_files` reads it: an
Arrow dataset, one record batch at a time, its customer ids as one type, its
required columns checked, and reading errors named by table and file.

It reads the inputs and never writes; what it finds wrong is an InputError.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv  # noqa: F401  (pa.csv: tab-separated inputs)
import pyarrow.dataset as ds

from persona.contract import REQUIRED_COLUMNS, ReadOptions
from persona.contract._tables import table_format, table_path, unreadable
from persona.errors import InputError

_ID = "customer_id"
_BATCH_ROWS = 1_000_000  # input rows read at once while planning and partitioning


@dataclass(frozen=True)
class _Source:
    name: str
    path: Path | None  # None for an in-memory table
    frame: pd.DataFrame | None
    kind: str  # "parquet", "csv", "tsv" or "frame"
    options: ReadOptions | None = None  # a CSV file's dialect, filled

    def dataset(self) -> ds.Dataset:
        if self.frame is not None:
            return ds.dataset(pa.Table.from_pandas(self.frame, preserve_index=False))
        kind: Any = self.kind
        if self.kind in ("csv", "tsv"):
            options = self.options
            # Timestamps stay text, for the contract to read by one rule in every chunk
            # (UTC offsets, and columns mixing rows with and without one): Arrow would
            # guess a type from the first rows, and fail on a later row of the other kind.
            # A format given is one rule already: Arrow parses by it.
            stamps: dict[str, Any] = {"column_types": {"timestamp": pa.string()}}
            if options.timestamp_format:
                stamps = {"column_types": {"timestamp": pa.timestamp("us")},
                          "timestamp_parsers": [options.timestamp_format]}  # fmt: skip
            kind = ds.CsvFileFormat(
                parse_options=pa.csv.ParseOptions(delimiter=options.delimiter),
                convert_options=pa.csv.ConvertOptions(decimal_point=options.decimal, **stamps),
                read_options=pa.csv.ReadOptions(encoding=options.encoding),
            )
        try:
            return ds.dataset(self.path, format=kind)
        except (pa.ArrowInvalid, OSError) as error:  # a file without its footer, say
            raise unreadable(self.name, self.path, error) from error

    def identity(self) -> Any:
        if self.frame is not None:
            hashed = pd.util.hash_pandas_object(self.frame, index=False).to_numpy()
            return hashlib.sha256(hashed.tobytes()).hexdigest()
        files = [self.path] if self.path.is_file() else sorted(
            p for p in self.path.rglob("*") if p.is_file()
        )  # fmt: skip
        read = [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
        return read if self.options is None else [*read, repr(self.options)]


def _source(name: str, value: Any, options: ReadOptions | None) -> _Source:
    if isinstance(value, pd.DataFrame):
        return _Source(name, None, value, "frame")
    path = table_path(value, name)
    kind = table_format(path, name)
    if path.name.lower().endswith(".zip"):
        raise InputError(
            name, f"'{path}' is a zip archive, which cannot be read in batches.",
            fix="give it as .csv.gz, or as Parquet.",
        )  # fmt: skip
    if kind == "parquet":
        return _Source(name, path, None, kind)
    return _Source(name, path, None, kind, (options or ReadOptions()).for_file(path, kind))


def _check_columns(dataset: ds.Dataset, name: str) -> None:
    columns = dataset.schema.names
    absent = [c for c in REQUIRED_COLUMNS[name] if c not in columns]
    if not absent:
        return
    if not columns or dataset.count_rows() == 0:  # an empty frame, an empty file
        shape = "0 rows" if columns else "0 rows and no columns"
        raise InputError(
            name, f"the table is empty ({shape}).",
            fix=f"pass a table with at least one row, or leave {name} out if there is none.",
        )  # fmt: skip
    raise InputError(
        name, f"lacks the column(s) {absent}.", column=absent[0],
        fix=f"{name} needs {list(REQUIRED_COLUMNS[name])}; see persona.contract._schema.",
    )  # fmt: skip


def _batches(dataset: ds.Dataset, name: str, **options: Any):
    """The dataset's record batches, file by file, so that an error names its file."""
    if isinstance(dataset, ds.FileSystemDataset):
        # Each file read to the dataset's schema, as the dataset itself reads them.
        parts = [(f.path, f, {"schema": dataset.schema}) for f in dataset.get_fragments()]
    else:
        parts = [(None, dataset, {})]
    for path, part, schema in parts:
        try:
            yield from part.to_batches(**schema, **options)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
                OSError) as error:  # fmt: skip
            raise _read_error(name, path, error) from error


def _read_error(name: str, path: str | None, error: Exception) -> InputError:
    """A reading error, named: a column whose values change type, or a damaged file."""
    cause = (str(error).strip().splitlines() or [type(error).__name__])[0]
    typed = isinstance(error, pa.ArrowTypeError | pa.ArrowNotImplementedError) or any(
        word in cause for word in ("conversion error", "cast", "Cast")
    )
    where = f" ('{path}')" if path else ""
    if "to timestamp" in cause:  # a value that does not fit the timestamp format given
        return InputError(
            name, f"could not be read in batches{where}: {cause}", column="timestamp",
            fix="every timestamp of the file must fit the timestamp_format given: correct "
            "the value it names, or give the format the file is written in.",
        )  # fmt: skip
    if typed or path is None:
        return InputError(
            name, f"could not be read in batches{where}: {cause}",
            fix="a CSV column's type is guessed from its first rows, and the files of a "
            "folder must agree on their columns' types: give a Parquet file, or make the "
            "column's values alike (numbers, or quoted text) throughout.",
        )  # fmt: skip
    return unreadable(name, path, error)


def _ids_of(batch: pa.RecordBatch | pa.Table, table: str = "input") -> pa.Array:
    """The customer ids as one array: text, or integers as int64 whatever their width.

    One integer type across tables and files: uint64 beside int64 would otherwise
    meet as floats, and ids above 2**53 would merge.
    """
    column = batch.column(_ID)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_integer(column.type) and column.type != pa.int64():
        try:
            column = column.cast(pa.int64())  # safe: refuses what does not fit
        except pa.ArrowInvalid as error:
            raise InputError(
                table, f"holds customer ids that do not fit a 64-bit signed integer ({error}).",
                column=_ID, fix="give such ids as text (customer_id.astype(str)) in every table.",
            ) from error  # fmt: skip
    if pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    return column


def _with_ids(batch: Any, table: str) -> Any:
    """``batch`` with its ids as :func:`_ids_of` reads them."""
    ids = _ids_of(batch, table)
    if batch.column(_ID).type == ids.type:
        return batch
    at = batch.schema.get_field_index(_ID)
    return batch.set_column(at, _ID, ids)


def _id_kind(kind: pa.DataType, table: str) -> str:
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "str"
    raise InputError(
        table, f"holds customer ids of type {kind}, neither integers nor text.", column=_ID,
        fix="give customer_id as integers or as text; a float column (ids with gaps read from "
        "CSV, say) must be cast to integers first.",
    )  # fmt: skip
