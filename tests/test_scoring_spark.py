"""persona.scoring.spark: the local path's scores and rejects, from Spark DataFrames, locally."""

import dataclasses
import re
import sys

import numpy as np
import pandas as pd
import pytest

import persona
from persona import InputError, score_files
from persona.scoring import score_tables

pytest.importorskip(
    "pyspark", reason="persona.scoring.spark needs pyspark: pip install 'persona-segments[spark]'"
)

from persona.scoring import spark as spark_scoring  # noqa: E402  (after the skip: it is what the module tests)

# PySpark 4.3 warns about pandas 3 when a pandas frame becomes a Spark one (as the
# tests make their inputs) or a UDF is declared. What it converts here works, and
# the results are checked value by value below.
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

SCORED_AT = "2026-11-23T02:00:00Z"
N_CUSTOMERS = 300


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as patch:
        # Workers must run this interpreter, where persona is installed.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("persona-tests")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


@pytest.fixture(scope="module")
def assigner(assigner_path):
    return persona.load_assigner(assigner_path)


@pytest.fixture(scope="module")
def tables(customers):
    """300 whole customers (categoricals and naive timestamps, as generated), two of them
    with a bad row, plus three customers known only by a survey and three only by emotions."""
    ids = np.sort(customers.events["customer_id"].unique())[:N_CUSTOMERS]
    events, survey, emotions = customers.events, customers.survey, customers.emotions
    survey_only = np.setdiff1d(survey["customer_id"], ids)[:3]
    emotions_only = np.setdiff1d(np.setdiff1d(emotions["customer_id"], ids), survey_only)[:3]
    out = {
        "events": _of(events, ids),
        "survey": _of(survey, [*ids, *survey_only]),
        "emotions": _of(emotions, [*ids, *emotions_only]),
    }
    bad = out["events"]
    negative, blank = ids[10], ids[20]
    bad.loc[np.flatnonzero(bad["customer_id"] == negative)[0], "value"] = np.inf
    bad["channel"] = bad["channel"].cat.add_categories([""])
    bad.loc[np.flatnonzero(bad["customer_id"] == blank)[0], "channel"] = ""
    return out, {"survey": survey_only, "emotions": emotions_only, "bad": [negative, blank]}


def _of(table: pd.DataFrame, ids) -> pd.DataFrame:
    return table[table["customer_id"].isin(ids)].reset_index(drop=True)


def _frames(spark, tables):
    return {name: spark.createDataFrame(table) for name, table in tables.items()}


def _collect(frame) -> pd.DataFrame:
    # toArrow, not toPandas: PySpark 4.3's toPandas passes copy= to astype, which pandas 3
    # deprecates (a warning the suite turns into an error).
    table = frame.toArrow().to_pandas()
    return table.sort_values("customer_id", kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def spark_result(spark, tables, assigner):
    data, _ = tables
    result = spark_scoring.score(**_frames(spark, data), assigner=assigner, scored_at=SCORED_AT)
    result.persist()
    yield result, _collect(result.scores), _collect(result.rejects)
    result.unpersist()


@pytest.fixture(scope="module")
def local_files(tables, assigner_path, tmp_path_factory):
    """The local file job on the same data written to Parquet: the reference."""
    data, _ = tables
    folder = tmp_path_factory.mktemp("inputs")
    paths = {}
    for name, table in data.items():
        paths[name] = folder / f"{name}.parquet"
        table.to_parquet(paths[name])
    out = folder / "out"
    score_files(assigner_path, **paths, out=out, scored_at=SCORED_AT)
    scores = pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)
    rejects = pd.read_parquet(out / "_rejects").sort_values("customer_id").reset_index(drop=True)
    return scores, rejects


def _assert_same_scores(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert got.columns.tolist() == expected.columns.tolist()
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    probabilities = [c for c in expected.columns if c.startswith("probability_")]
    assert np.array_equal(got[probabilities].to_numpy(), expected[probabilities].to_numpy())
    assert np.array_equal(got["confidence"].to_numpy(), expected["confidence"].to_numpy())
    for column in ("persona_id", "persona_name", "model_version", "scored_at"):
        assert got[column].tolist() == expected[column].tolist(), column
    for column in ("reasons", "signals_used"):
        assert [list(v) for v in got[column]] == [list(v) for v in expected[column]], column


def _without_counts(reason: str) -> str:
    # "events.value: 1 of 2093 rows are ..." counts the rows of the whole call.
    return re.sub(r"^(\S+: )\d+ of \d+ rows ", r"\1N of M rows ", reason)


def test_scores_equal_the_local_file_job_and_score_tables(spark_result, local_files, tables,
                                                          assigner):  # fmt: skip
    result, scores, _ = spark_result
    _assert_same_scores(scores, local_files[0])
    data, _ = tables
    expected, _, _ = score_tables(assigner, **data, observation_end=result.observation_end,
                                  scored_at=SCORED_AT)  # fmt: skip
    _assert_same_scores(scores, expected.to_pandas())
    assert result.model_version == assigner.model_version


def test_spark_types_match_the_local_columns(spark_result, assigner):
    result, _, _ = spark_result
    types = {f.name: f.dataType.simpleString() for f in result.scores.schema.fields}
    assert types["customer_id"] == "bigint" and types["persona_id"] == "bigint"
    assert types["reasons"] == types["signals_used"] == "array<string>"
    assert types["scored_at"] == "timestamp"
    probabilities = [n for n in types if n.startswith("probability_")]
    assert probabilities == [f"probability_{p}" for p in assigner.persona_ids] + [
        "probability_unassigned"
    ]
    assert result.rejects.columns == ["customer_id", "table", "column", "reason"]


def test_bad_rows_reject_their_customer_with_the_local_reason_and_lose_no_one(
    spark_result, local_files, tables
):
    _, scores, rejects = spark_result
    data, special = tables
    assert sorted(rejects["customer_id"]) == sorted(special["bad"])
    expected = local_files[1]
    for column in ("customer_id", "table", "column"):
        assert rejects[column].tolist() == expected[column].tolist(), column
    assert (
        rejects["reason"].map(_without_counts).tolist()
        == expected["reason"].map(_without_counts).tolist()
    )
    every = set().union(*(set(t["customer_id"]) for t in data.values()))
    scored, rejected = set(scores["customer_id"]), set(rejects["customer_id"])
    assert scored | rejected == every and not scored & rejected


def test_a_group_whose_every_customer_is_rejected(spark, tables, assigner):
    data, special = tables
    bad = _of(data["events"], special["bad"][:1])
    result = spark_scoring.score(spark.createDataFrame(bad), assigner=assigner, buckets=1)
    assert result.scores.count() == 0
    assert _collect(result.rejects)["customer_id"].tolist() == special["bad"][:1]


def test_reject_reasons_do_not_depend_on_the_grouping(spark_result, local_files):
    _, _, rejects = spark_result
    assert rejects["reason"].tolist() == local_files[1]["reason"].tolist()


def test_customers_of_one_table_are_scored(spark_result, tables, spark, assigner):
    _, scores, _ = spark_result
    data, special = tables
    signals = scores.set_index("customer_id")["signals_used"]
    assert all(list(signals[c]) == ["psychographic"] for c in special["survey"])
    assert all(list(signals[c]) == ["emotion"] for c in special["emotions"])
    # A job with one table, no events: no observation end is needed.
    survey = data["survey"]
    alone = spark_scoring.score(survey=spark.createDataFrame(survey), assigner=assigner,
                                scored_at=SCORED_AT, buckets=2)  # fmt: skip
    assert alone.observation_end is None
    expected, _, _ = score_tables(assigner, survey=survey, observation_end=None,
                                  scored_at=SCORED_AT)  # fmt: skip
    _assert_same_scores(_collect(alone.scores), expected.to_pandas())


def test_observation_end_defaults_to_the_latest_touchpoint(spark_result, tables):
    result, _, _ = spark_result
    data, _ = tables
    assert result.observation_end == data["events"]["timestamp"].max()


def test_naive_timestamps_are_wall_time_in_the_session_zone(spark, tables, assigner):
    """Far from UTC (+05:30), naive timestamps still reach persona as they were written."""
    data, _ = tables
    ids = data["events"]["customer_id"].drop_duplicates().iloc[:60]
    few = {name: _of(table, ids) for name, table in data.items()}
    spark.conf.set("spark.sql.session.timeZone", "Asia/Kolkata")
    try:
        result = spark_scoring.score(**_frames(spark, few), assigner=assigner,
                                     scored_at=SCORED_AT, buckets=3)  # fmt: skip
        scores = _collect(result.scores)
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    end = few["events"]["timestamp"].max()
    assert result.observation_end == end
    expected, _, _ = score_tables(assigner, **few, observation_end=end, scored_at=SCORED_AT)
    _assert_same_scores(scores, expected.to_pandas())


def test_an_assigner_fitted_on_a_feature_matrix_cannot_read_tables(spark, tables, assigner):
    data, _ = tables
    matrix_only = dataclasses.replace(assigner, builder=None)
    with pytest.raises(ValueError, match="fitted on a feature matrix"):
        spark_scoring.score(survey=spark.createDataFrame(data["survey"]), assigner=matrix_only)


def test_shape_errors_are_the_local_ones_and_raise_before_any_job(spark, tables, assigner):
    data, _ = tables
    events = spark.createDataFrame(data["events"].head(50))
    with pytest.raises(InputError, match=r"events\.channel: .*missing the required column"):
        spark_scoring.score(events.drop("channel"), assigner=assigner)
    survey = data["survey"].head(5).assign(submitted_at="2026-01-01")
    with pytest.raises(
        InputError, match=r"survey\.submitted_at: .*instrument 'needs-v1' does not know"
    ):
        spark_scoring.score(survey=spark.createDataFrame(survey), assigner=assigner)
    text_ids = data["survey"].head(5).astype({"customer_id": str})
    with pytest.raises(InputError, match=r"survey\.customer_id: holds str ids while events"):
        spark_scoring.score(events, survey=spark.createDataFrame(text_ids), assigner=assigner)
    with pytest.raises(InputError, match=r"events\.timestamp: has timestamps of type string"):
        spark_scoring.score(events.withColumn("timestamp", events["timestamp"].cast("string")),
                            assigner=assigner)  # fmt: skip
    with pytest.raises(ValueError, match="buckets=0"):
        spark_scoring.score(events, assigner=assigner, buckets=0)
