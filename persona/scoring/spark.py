"""Scoring on a Spark cluster: the local path's scores, computed where the data lives.

:func:`score` takes the ``events``, ``survey`` and ``emotions`` tables as Spark
DataFrames and returns two lazy Spark DataFrames, the scores and the rejected
customers, with the columns, values and reasons of :func:`persona.score_files`.

How it works: the tables become one DataFrame (each table's columns under a
table prefix, so same-named columns of two tables never meet), grouped by a
hash bucket of ``customer_id``. Every group holds all the rows of many whole
customers, and one Python call per group hands them, table by table, to
:func:`persona.scoring._tables.score_tables`: the function every chunk of the local
job runs. Groups travel as Arrow (``applyInArrow``), converted to pandas the
way the local job reads its chunks, so persona sees the same dtypes.

Needs the ``spark`` extra (``pip install 'persona-segments[spark]'``) on the driver and
on every executor. See ``docs/spark.md`` for running it on a cluster.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from persona._optional import import_optional
from persona._validate import is_whole
from persona.contract import validate_emotions, validate_events, validate_survey
from persona.errors import ConfigError, InputError
from persona.scoring._tables import _stamp, portable_assigner, score_tables

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["SparkScores", "score"]

log = logging.getLogger(__name__)

_ID = "customer_id"
_TABLES = ("events", "survey", "emotions")  # a row's table travels as its position here
_TABLE = "__table"
_BUCKET = "__bucket"
_REJECT = {"table": "__reject_table", "column": "__reject_column", "reason": "__reject_reason"}
# PySpark warns about pandas >= 3 whenever a pandas or Arrow UDF is declared; this
# path never converts through PySpark's pandas code (groups travel as Arrow).
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


@dataclass
class SparkScores:
    """The result of :func:`score`: two lazy Spark DataFrames, and the job's settings.

    Both frames come from one scoring pass. Spark runs it once per action, so
    if you use both (write the scores, then the rejects), call :meth:`persist`
    first and :meth:`unpersist` when done, or the customers are scored twice
    (with the same results).

    Attributes
    ----------
    scores : pyspark.sql.DataFrame
        One row per scored customer, the columns of :func:`persona.score_files`:
        ``customer_id``, ``persona_id``, ``persona_name``, ``confidence``,
        ``probability_<id>`` per persona and ``probability_unassigned``,
        ``reasons``, ``signals_used``, ``model_version``, ``scored_at``. In no
        particular order.
    rejects : pyspark.sql.DataFrame
        One row per customer whose rows break the data contract:
        ``customer_id``, ``table``, ``column``, ``reason``.
    observation_end : pandas.Timestamp
        The end of the touchpoint window every group used (wall time in the
        session time zone).
    scored_at : pandas.Timestamp
        Stamped on every row (UTC).
    model_version : str
    """

    scores: DataFrame
    rejects: DataFrame
    observation_end: pd.Timestamp | None
    scored_at: pd.Timestamp
    model_version: str
    _both: DataFrame = field(repr=False)

    def persist(self, storage_level: Any = None) -> SparkScores:
        """Keep the scoring pass (default ``MEMORY_AND_DISK``) so both frames reuse it."""
        if storage_level is None:
            self._both.persist()
        else:
            self._both.persist(storage_level)
        return self

    def unpersist(self, blocking: bool = False) -> SparkScores:
        """Free what :meth:`persist` kept."""
        self._both.unpersist(blocking)
        return self


def score(
    events: DataFrame | None = None,
    survey: DataFrame | None = None,
    emotions: DataFrame | None = None,
    *,
    assigner: Any,
    observation_end: Any = None,
    top_reasons: int = 3,
    scored_at: Any = None,
    buckets: int | None = None,
) -> SparkScores:
    """Score every customer of Spark DataFrames, with the results of the local path.

    Parameters
    ----------
    events, survey, emotions : pyspark.sql.DataFrame, optional
        The input tables, with the columns of :mod:`persona.contract._schema` (at least
        one table). Timestamps (``TimestampType`` or ``TimestampNTZType``) are
        read as wall time in the session time zone
        (``spark.sql.session.timeZone``): set it to the zone the local job
        would see them in, usually ``UTC``. Rows without a ``customer_id``
        belong to nobody and are left out, as in the local job.
    assigner : PortableAssigner, PersonaModel or path
        What scores: :func:`persona.load_assigner` of an exported assigner
        (small; shipped to the executors with the job), a fitted model, or the
        folder of either.
    observation_end : timestamp, optional
        End of the touchpoint window, shared by every customer; by default the
        latest ``events.timestamp`` (one Spark aggregate). An aware timestamp
        is converted to the session time zone.
    top_reasons : int, default=3
        Features listed in ``reasons``.
    scored_at : timestamp, optional
        Stamped on every row; by default now (UTC, to the second).
    buckets : int, optional
        Groups the customers are hashed into: each group is one call to the
        scorer and must fit in an executor's memory. By default
        ``spark.sql.shuffle.partitions``.

    Returns
    -------
    SparkScores
        ``scores`` and ``rejects``, lazy: nothing runs until you write or
        collect them (:meth:`SparkScores.persist` first to use both).

    Raises
    ------
    InputError
        When a table lacks a required column, holds columns its contract does
        not know, or when customer ids differ in kind between tables.
    ConfigError
        When no table is given, ``top_reasons`` or ``buckets`` is not a whole
        number in range, or the assigner was fitted on a feature matrix (it
        cannot read tables).

    Examples
    --------
    Not run here (it needs a Spark session; ``tests/test_scoring_spark.py`` runs it):

    >>> import persona, persona.scoring.spark
    >>> assigner = persona.load_assigner("assigner/")  # doctest: +SKIP
    >>> events = spark.read.parquet("s3://lake/events/")  # doctest: +SKIP
    >>> result = persona.scoring.spark.score(events, assigner=assigner).persist()  # doctest: +SKIP
    >>> result.scores.write.parquet("s3://lake/personas/scores/")  # doctest: +SKIP
    >>> result.rejects.write.parquet("s3://lake/personas/rejects/")  # doctest: +SKIP
    """
    import_optional("pyspark", extra="spark", purpose="persona.scoring.spark")
    portable = portable_assigner(assigner)  # what the local job ships to its workers too
    tables = {name: frame for name, frame in
              (("events", events), ("survey", survey), ("emotions", emotions))
              if frame is not None}  # fmt: skip
    if not tables:
        raise ConfigError("Got no input: pass at least one of events=, survey=, emotions=.")
    top_reasons = _whole(top_reasons, "top_reasons", low=0)
    if buckets is not None:
        buckets = _whole(buckets, "buckets", low=1)
    for name, frame in tables.items():
        _check_shape(name, frame, portable.builder.instrument)
    id_type = _id_type(tables)
    spark = next(iter(tables.values())).sparkSession
    zone = spark.conf.get("spark.sql.session.timeZone")
    end = _observation_end(tables.get("events"), observation_end, zone)
    job = _Job(
        assigner=portable,
        columns={name: [c for c in frame.columns if c != _ID] for name, frame in tables.items()},
        observation_end=end,
        scored_at=_stamp(scored_at),
        top_reasons=top_reasons,
        schema=_arrow_schema(portable, id_type, _large_types(spark)),
    )
    n_buckets = buckets or _buckets(spark)
    log.info("scoring %s in %d buckets, observation end %s", sorted(tables), n_buckets, end)

    def score_bucket(key, table):  # (key, table): the form Spark cannot mistake
        return _score_bucket(table, job)

    grouped = _one_table(tables, id_type, n_buckets).groupBy(_BUCKET)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        both = grouped.applyInArrow(score_bucket, _spark_schema(job.schema))
    return _split(both, job)


# --------------------------------------------------------------------------- the driver


def _check_shape(name: str, frame: DataFrame, instrument: Any) -> None:
    """Raise the local path's InputError for a table's shape, before any job runs.

    The table's own validator runs on one stand-in row (a valid id, every
    other cell empty): what it says about the shape (a missing or unknown
    column) is the local job's error, word for word; what it says about the
    stand-in row's empty cells is no news and is ignored.
    """
    kind = _id_kind(name, frame.schema[_ID].dataType) if _ID in frame.columns else "int"
    row = [("0" if kind == "str" else 0) if c == _ID else None for c in frame.columns]
    stand_in = pd.DataFrame([row], columns=list(frame.columns), dtype=object)
    validate = {"events": validate_events, "emotions": validate_emotions,
                "survey": lambda t: validate_survey(t, instrument)}[name]  # fmt: skip
    try:
        with warnings.catch_warnings():  # the stand-in survey row answers nothing, by design
            warnings.filterwarnings("ignore", message="survey: .* answer no item at all")
            validate(stand_in)
    except InputError as error:
        if error.positions is None:  # the shape, not a row
            raise


def _id_kind(table: str, kind: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(kind, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
        return "int"
    if isinstance(kind, T.StringType | T.VarcharType | T.CharType):
        return "str"
    raise InputError(
        table, f"holds customer ids of type {kind.simpleString()}, neither integers nor text.",
        column=_ID,
        fix="give customer_id as integers or as text; a double column (ids read from CSV, say) "
        "must be cast first: F.col('customer_id').cast('long').",
    )  # fmt: skip


def _id_type(tables: dict[str, DataFrame]) -> Any:
    """The one Spark type customer ids take in every table: long or string."""
    from pyspark.sql import types as T

    kinds = {name: _id_kind(name, frame.schema[_ID].dataType) for name, frame in tables.items()}
    first = next(iter(kinds))
    for name, kind in kinds.items():
        if kind != kinds[first]:
            raise InputError(
                name, f"holds {kind} ids while {first} holds {kinds[first]} ids.", column=_ID,
                fix="give customer_id the same type in every table, e.g. "
                "F.col('customer_id').cast('string') on both.",
            )  # fmt: skip
    return T.LongType() if kinds[first] == "int" else T.StringType()


def _observation_end(events: DataFrame | None, given: Any, zone: str) -> pd.Timestamp | None:
    """The window's end as naive wall time in the session zone, as the groups see times."""
    if given is not None:
        end = pd.Timestamp(given)
        return end if end.tz is None else end.tz_convert(zone).tz_localize(None)
    if events is None:
        return None
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = events.schema["timestamp"].dataType
    if not isinstance(kind, T.TimestampType | T.TimestampNTZType):
        raise InputError(
            "events", f"has timestamps of type {kind.simpleString()}, so their latest cannot "
            "be computed in Spark.", column="timestamp",
            fix="cast the column (F.to_timestamp('timestamp')) or pass observation_end=.",
        )  # fmt: skip
    # Casting to TIMESTAMP_NTZ gives the session zone's wall time; collecting a
    # TIMESTAMP would give the driver's local zone instead.
    latest = events.select(F.max(F.col("timestamp").cast("timestamp_ntz"))).first()[0]
    if latest is None:
        raise InputError("events", "holds no touchpoint with a timestamp.", column="timestamp",
                         fix="give events with timestamps, or observation_end=.")  # fmt: skip
    return pd.Timestamp(latest)


def _whole(value: Any, name: str, *, low: int) -> int:
    if not is_whole(value) or value < low:
        raise ConfigError(f"Got {name}={value!r}; expected a whole number >= {low}.")
    return int(value)


def _buckets(spark: Any) -> int:
    setting = spark.conf.get("spark.sql.shuffle.partitions")
    return int(setting) if str(setting).isdigit() else 200  # "auto" on some platforms


def _large_types(spark: Any) -> bool:
    """Whether Spark exchanges strings and lists with the UDF as Arrow's large types."""
    return spark.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false") == "true"


def _one_table(tables: dict[str, DataFrame], id_type: Any, n_buckets: int) -> DataFrame:
    """The tables stacked: customer_id, table number, bucket, each table's columns prefixed."""
    from pyspark.sql import functions as F

    stacked = None
    for name, frame in tables.items():
        part = frame.where(F.col(_ID).isNotNull()).select(
            F.col(_ID).cast(id_type).alias(_ID),
            F.lit(_TABLES.index(name)).cast("byte").alias(_TABLE),
            *(F.col(f"`{c}`").alias(_prefixed(name, c)) for c in frame.columns if c != _ID),
        )
        stacked = part if stacked is None else stacked.unionByName(part, allowMissingColumns=True)
    bucket = F.pmod(F.xxhash64(F.col(_ID)), F.lit(n_buckets))
    return stacked.withColumn(_BUCKET, bucket)


def _prefixed(table: str, column: str) -> str:
    return f"__{table}__{column}"


def _arrow_schema(portable: Any, id_type: Any, large: bool) -> pa.Schema:
    """What every group returns: score_tables' columns, then the reject columns."""
    from pyspark.sql import types as T

    text = pa.large_string() if large else pa.string()
    labels = [*(str(int(p)) for p in portable.persona_ids), "unassigned"]
    fields = [
        (_ID, pa.int64() if isinstance(id_type, T.LongType) else text),
        ("persona_id", pa.int64()),
        ("persona_name", text),
        ("confidence", pa.float64()),
        *((f"probability_{label}", pa.float64()) for label in labels),
        ("reasons", pa.list_(text)),
        ("signals_used", pa.list_(text)),
        ("model_version", text),
        ("scored_at", pa.timestamp("us", tz="UTC")),
        *((column, text) for column in _REJECT.values()),
    ]
    return pa.schema(fields)


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    def spark_type(kind: pa.DataType) -> Any:
        if pa.types.is_int64(kind):
            return T.LongType()
        if pa.types.is_float64(kind):
            return T.DoubleType()
        if pa.types.is_timestamp(kind):
            return T.TimestampType()
        if pa.types.is_list(kind):
            return T.ArrayType(spark_type(kind.value_type), containsNull=True)
        return T.StringType()

    return T.StructType([T.StructField(f.name, spark_type(f.type), True) for f in schema])


def _split(both: DataFrame, job: _Job) -> SparkScores:
    from pyspark.sql import functions as F

    reason = F.col(_REJECT["reason"])
    score_columns = [n for n in job.schema.names if n not in _REJECT.values()]
    rejects = both.where(reason.isNotNull()).select(
        _ID, *(F.col(inner).alias(outer) for outer, inner in _REJECT.items())
    )
    return SparkScores(
        scores=both.where(reason.isNull()).select(*score_columns),
        rejects=rejects,
        observation_end=job.observation_end,
        scored_at=job.scored_at,
        model_version=job.assigner.model_version,
        _both=both,
    )


# --------------------------------------------------------------------------- the executors


@dataclass(frozen=True)
class _Job:
    """Everything a group needs, pickled once into the UDF."""

    assigner: Any  # PortableAssigner
    columns: dict[str, list[str]]  # each table's own columns, customer_id aside
    observation_end: pd.Timestamp | None
    scored_at: pd.Timestamp
    top_reasons: int
    schema: pa.Schema


def _score_bucket(table: pa.Table, job: _Job) -> pa.Table:
    """Score the whole customers of one group: its rows, table by table, to score_tables."""
    tables = {}
    which = table.column(_TABLE)
    for name, columns in job.columns.items():
        rows = table.filter(pc.equal(which, _TABLES.index(name)))
        if rows.num_rows:
            arrays = [rows.column(_ID), *(_wall_time(rows.column(_prefixed(name, c)))
                                          for c in columns)]  # fmt: skip
            tables[name] = pa.table(arrays, names=[_ID, *columns]).to_pandas()
    scores, rejects, _ = score_tables(
        job.assigner, **tables, observation_end=job.observation_end,
        scored_at=job.scored_at, top_reasons=job.top_reasons,
    )  # fmt: skip
    return _with_rejects(scores, rejects, job.schema)


def _wall_time(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Spark hands TIMESTAMP as instants in the session zone: persona reads wall time."""
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        return pc.local_timestamp(column)
    return column


def _with_rejects(scores: pa.Table, rejects: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """One table in ``schema``: the scores, then one row per rejected customer."""
    expected = [name for name in schema.names if name not in _REJECT.values()]
    if scores.column_names != expected:
        raise RuntimeError(
            f"score_tables returned the columns {scores.column_names}, but persona.scoring.spark "
            f"declared {expected} to Spark. This is a bug in persona; please report it."
        )
    n = len(rejects)
    scored = dict(zip(expected, scores.columns, strict=True))
    scored |= {
        name: pa.nulls(scores.num_rows, schema.field(name).type) for name in _REJECT.values()
    }
    rejected = {name: pa.nulls(n, schema.field(name).type) for name in schema.names}
    rejected[_ID] = pa.array(rejects[_ID].tolist(), schema.field(_ID).type)
    for column, inner in _REJECT.items():
        values = [None if pd.isna(v) else str(v) for v in rejects[column].tolist()]
        rejected[inner] = pa.array(values, schema.field(inner).type)
    parts = [pa.table(scored).cast(schema), pa.table(rejected, schema=schema)]
    return pa.concat_tables(parts)
