"""Reading input tables: a DataFrame as it is, or a Parquet / CSV path read once and lean.

CSV files come in dialects: a spreadsheet set to Italian writes ``;`` between
fields and ``,`` before decimals, and Excel starts UTF-8 with a byte-order
mark. The dialect is read off the file's first lines (:func:`sniff_csv`) or
given (:class:`ReadOptions`), and so is a timestamp format other than ISO 8601.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from persona.errors import ConfigError, InputError

__all__ = ["ReadOptions", "TableLike", "read_table", "sniff_csv"]

TableLike = pd.DataFrame | str | os.PathLike

_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 1 << 16
# A number written with a decimal comma: "3,5", "-0,25", "1.234,5".
_DECIMAL_COMMA = re.compile(r"^\s*-?\d{1,3}(?:\.\d{3})*,\d+\s*$|^\s*-?\d+,\d+\s*$")


@dataclass(frozen=True)
class ReadOptions:
    """How to read CSV files: their dialect and timestamp format.

    Parameters
    ----------
    delimiter : str, optional
        The field separator (``","``, ``";"``, a tab, ``"|"``). By default it
        is read off the file's header line.
    decimal : str, optional
        ``"."`` or ``","``. By default ``","`` when the separator is not a
        comma and the first lines hold numbers written with a decimal comma.
    encoding : str, default="utf-8"
        The text encoding; a UTF-8 byte-order mark is skipped.
    timestamp_format : str, optional
        A ``strftime`` format for the ``timestamp`` column, such as
        ``"%d/%m/%Y %H:%M"`` for day-first times. By default ISO 8601.

    Examples
    --------
    >>> ReadOptions(delimiter=";", decimal=",", timestamp_format="%d/%m/%Y %H:%M").decimal
    ','
    """

    delimiter: str | None = None
    decimal: str | None = None
    encoding: str = "utf-8"
    timestamp_format: str | None = None

    def __post_init__(self) -> None:
        if self.delimiter is not None and (
            not isinstance(self.delimiter, str) or len(self.delimiter) != 1
        ):
            raise ConfigError(
                f"Got delimiter={self.delimiter!r}, but expected one character, such as ';'."
            )
        if self.decimal not in (None, ".", ","):
            raise ConfigError(f"Got decimal={self.decimal!r}, but expected '.' or ','.")
        if self.decimal is not None and self.decimal == self.delimiter:
            raise ConfigError(
                f"Got delimiter and decimal both {self.decimal!r}: a CSV file cannot use one "
                "character for both."
            )
        if not isinstance(self.encoding, str) or not self.encoding:
            raise ConfigError(f"Got encoding={self.encoding!r}, but expected a name like 'utf-8'.")
        if self.timestamp_format is not None and (
            not isinstance(self.timestamp_format, str) or "%" not in self.timestamp_format
        ):
            raise ConfigError(
                f"Got timestamp_format={self.timestamp_format!r}, but expected a strftime "
                "format such as '%d/%m/%Y %H:%M'."
            )

    def for_file(self, path: Path, kind: str) -> ReadOptions:
        """These options with the delimiter and decimal of the CSV file at ``path`` filled."""
        if kind == "tsv" and self.delimiter is None:
            return replace(self, delimiter="\t", decimal=self.decimal or ".")
        if self.delimiter is not None and self.decimal is not None:
            return self
        found = sniff_csv(path, encoding=self.encoding, delimiter=self.delimiter)
        return replace(self, delimiter=found.delimiter, decimal=self.decimal or found.decimal)

    @property
    def utf8(self) -> bool:
        return self.encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def sniff_csv(
    path: str | os.PathLike, *, encoding: str = "utf-8", delimiter: str | None = None
) -> ReadOptions:
    """The delimiter and decimal mark of a CSV file, read off its first 64 KiB.

    The delimiter is the candidate (``,``, ``;``, tab, ``|``) the header line
    holds most of (a comma for one column). The decimal is ``","`` when the
    delimiter is not a comma and a field of the lines after it is a number
    written with a decimal comma (``3,5``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("customer_id;value\\n1;3,5\\n", encoding="utf-8")
    >>> found = sniff_csv(path)
    >>> found.delimiter, found.decimal
    (';', ',')
    """
    path = Path(path)
    lines = _head(path, encoding).splitlines()[:201]
    lines = [line for line in lines if line.strip()]
    if len(lines) > 1 and not _head_complete(path):
        lines = lines[:-1]  # the last line read may be cut mid-way
    if not lines:
        return ReadOptions(delimiter=delimiter or ",", decimal=".", encoding=encoding)
    if delimiter is None:
        header = lines[0]
        counts = {d: header.count(d) for d in _DELIMITERS}
        delimiter = max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))
        if counts[delimiter] == 0:
            delimiter = ","  # one column
    decimal = "."
    if delimiter != ",":
        fields = (field for line in lines[1:] for field in line.split(delimiter))
        if any(_DECIMAL_COMMA.match(field) for field in fields):
            decimal = ","
    return ReadOptions(delimiter=delimiter, decimal=decimal, encoding=encoding)


def _head(path: Path, encoding: str) -> str:
    """The first 64 KiB of a (possibly compressed) text file, decoded leniently."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            raw = archive.open(members[0]).read(_SNIFF_BYTES) if members else b""
    else:
        opener = gzip.open if name.endswith(".gz") else bz2.open if name.endswith(".bz2") else open
        with opener(path, "rb") as stream:
            raw = stream.read(_SNIFF_BYTES)
    return io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, errors="replace").read()


def _head_complete(path: Path) -> bool:
    """Whether the sniffed head is the whole file (for a plain file, by its size)."""
    name = path.name.lower()
    return not name.endswith((".gz", ".bz2", ".zip")) and path.stat().st_size <= _SNIFF_BYTES


def read_settings(path: Path) -> Any:
    """The plain data of a settings file (instrument, project file, journey): JSON for a
    ``.json`` file, else YAML. A file that does not parse raises ConfigError (a ValueError)
    naming it."""
    import json

    import yaml

    text = path.read_text(encoding="utf-8")
    json_file = path.suffix.lower() == ".json"
    try:
        return json.loads(text) if json_file else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ConfigError(
            f"'{path}' is not valid {'JSON' if json_file else 'YAML'}: {error}"
        ) from error


def read_table(
    source: TableLike,
    table: str,
    *,
    columns: Sequence[str] | None = None,
    options: ReadOptions | None = None,
) -> pd.DataFrame:
    """Return ``source`` as a DataFrame: a DataFrame as is, or read from a path.

    Parquet files (``.parquet``, ``.pq``), Parquet folders (a partitioned
    dataset) and CSV files (``.csv``, ``.csv.gz``, ``.tsv``) are read. With
    ``columns``, only those of them the file has are read (a DataFrame is
    returned whole). A CSV file's dialect is read off its first lines unless
    ``options`` gives it; with ``options.timestamp_format`` its ``timestamp``
    column is parsed by that format, and a row it does not fit is named.

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
    if kind == "parquet":
        try:
            return _read_parquet(path, wanted)
        except _READ_ERRORS as error:
            raise unreadable(table, path, error) from error
    options = (options or ReadOptions()).for_file(path, kind)
    usecols = None if wanted is None else (lambda column: column in wanted)
    try:
        frame = pd.read_csv(
            path,
            sep=options.delimiter,
            decimal=options.decimal,
            encoding="utf-8-sig" if options.utf8 else options.encoding,
            usecols=usecols,
            dtype={"timestamp": str} if options.timestamp_format else None,
        )
    except pd.errors.ParserError as error:
        raise _misread(table, path, options, error) from error
    except _READ_ERRORS as error:
        raise unreadable(table, path, error) from error
    if options.timestamp_format and "timestamp" in frame:
        frame["timestamp"] = _formatted_timestamps(frame, table, options.timestamp_format)
    return frame


def _misread(table: str, path: Path, options: ReadOptions, error: Exception) -> InputError:
    cause = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return InputError(
        table,
        f"could not read '{path}' as CSV with delimiter {options.delimiter!r} and decimal "
        f"{options.decimal!r} ({cause}).",
        fix="say the file's dialect: in persona.yaml, csv: {delimiter: ';', decimal: ','}; in "
        "Python, persona.ReadOptions(delimiter=';', decimal=','); or check the rows it names "
        "for a field holding the delimiter without quotes.",
    )


def _formatted_timestamps(frame: pd.DataFrame, table: str, fmt: str) -> pd.Series:
    from persona.contract._checks import fail

    text = frame["timestamp"]
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    bad = (text.notna() & parsed.isna()).to_numpy()
    if bad.any():
        fail(
            table,
            frame,
            bad,
            f"have a timestamp that does not fit the format {fmt!r}.",
            "correct those rows, or give the format they are written in as timestamp_format "
            "(in persona.yaml, or persona.ReadOptions(timestamp_format=...)).",
            column="timestamp",
            show=("timestamp",),
        )
    return parsed


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
    """``source`` as an existing path, or a ConfigError / FileNotFoundError naming the table."""
    if not isinstance(source, (str, os.PathLike)):
        raise ConfigError(
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
