"""Input contracts: every broken table fails with the table, column, rows and fix."""

import numpy as np
import pandas as pd
import pytest

from persona import (
    InputError,
    Instrument,
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_inputs,
    validate_survey,
)


@pytest.fixture
def events():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2", "c3"],
            "timestamp": pd.to_datetime(
                ["2026-03-01 09:00", "2026-03-01 09:05", "2026-03-02 18:30", "2026-03-04 12:00"]
            ),
            "channel": ["web", "web", "app", "store"],
            "event_type": ["search", "purchase", "product_view", "purchase"],
            "device": ["desktop", "desktop", "mobile", None],
            "value": [np.nan, 25.0, np.nan, 80.5],
        }
    )


@pytest.fixture
def instrument():
    return Instrument.from_dict(
        {
            "name": "needs-mini",
            "items": [
                {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
                {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
                {"item": "nov1", "dimension": "discovery", "scale": [1, 7]},
            ],
        }
    )


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "thr1": [5.0, 2.0, np.nan],
            "thr2": [1.0, 4.0, 3.0],
            "nov1": [7.0, 1.0, 4.0],
        }
    )


@pytest.fixture
def emotions():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c2"],
            "timestamp": pd.to_datetime(["2026-03-01 09:06", "2026-03-02 18:40", None]),
            "valence": [0.8, -0.4, np.nan],
            "arousal": [0.6, 0.9, np.nan],
            "joy": [0.9, np.nan, np.nan],
            "text": [None, None, "The parcel arrived broken."],
        }
    )


def raises(match_all, call, *args, **kwargs):
    """Call and check that InputError's message contains every given fragment."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    for fragment in match_all:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    return caught.value


# ------------------------------------------------------------------ valid input


def test_valid_tables_pass_untouched(events, survey, emotions, instrument):
    before = events.copy(), survey.copy(), emotions.copy()
    assert validate_events(events) is events
    assert validate_survey(survey, instrument) is survey
    assert validate_emotions(emotions) is emotions
    for original, kept in zip(before, (events, survey, emotions), strict=True):
        pd.testing.assert_frame_equal(original, kept)


def test_text_timestamps_and_numbers_are_parsed_without_touching_the_input(events):
    raw = events.astype({"timestamp": str, "value": str}).replace({"value": {"nan": None}})
    raw_copy = raw.copy()
    parsed = validate_events(raw)
    pd.testing.assert_frame_equal(raw, raw_copy)  # caller's frame untouched
    assert parsed["timestamp"].tolist() == events["timestamp"].tolist()
    np.testing.assert_array_equal(parsed["value"], events["value"])
    assert parsed.index.equals(events.index) and list(parsed.columns) == list(events.columns)


def test_paths_to_parquet_and_csv_are_read(tmp_path, events):
    events.to_parquet(tmp_path / "events.parquet")
    events.to_csv(tmp_path / "events.csv", index=False)
    from_parquet = validate_events(tmp_path / "events.parquet")
    from_csv = validate_events(str(tmp_path / "events.csv"))
    pd.testing.assert_frame_equal(from_parquet, events)
    assert from_csv["timestamp"].tolist() == events["timestamp"].tolist()
    assert from_csv["customer_id"].tolist() == events["customer_id"].tolist()


def test_unknown_file_format_and_missing_file(tmp_path):
    (tmp_path / "events.xlsx").write_text("x")
    xlsx = tmp_path / "events.xlsx"
    raises(["events", "cannot tell the format", "Parquet"], validate_events, xlsx)
    with pytest.raises(FileNotFoundError, match="events: no file or folder at"):
        validate_events(tmp_path / "nothing.parquet")
    with pytest.raises(TypeError, match="events: expected a pandas DataFrame"):
        validate_events([1, 2, 3])


def test_a_damaged_file_names_the_table_and_the_file(tmp_path, events):
    events.to_parquet(tmp_path / "events.parquet")
    whole = (tmp_path / "events.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    raises([f"events: could not read '{tmp_path / 'cut.parquet'}': the file is damaged or "
            "truncated (", "fix: write the file again"], validate_events,
           tmp_path / "cut.parquet")  # fmt: skip
    big = pd.concat([events] * 2_000, ignore_index=True)
    big.to_csv(tmp_path / "events.csv.gz", index=False)
    packed = (tmp_path / "events.csv.gz").read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(packed[: len(packed) // 2])
    raises(["events: could not read", "cut.csv.gz': the file is damaged or truncated"],
           validate_events, tmp_path / "cut.csv.gz")  # fmt: skip


# ------------------------------------------------------------------ events


def test_missing_required_column(events):
    error = raises(
        ["events.channel", "the table is missing the required column(s) ['channel']", "fix:"],
        validate_events,
        events.drop(columns="channel"),
    )
    assert error.table == "events" and error.column == "channel"


def test_customer_id_as_index_gets_a_hint(survey, instrument):
    raises(["reset_index()"], validate_survey, survey.set_index("customer_id"), instrument)


def test_empty_table(events, survey, instrument):
    raises(["events: the table is empty (0 rows)"], validate_events, events.iloc[:0])
    # no rows and no columns (an empty list, say): empty, not "missing columns"
    raises(["events: the table is empty (0 rows and no columns)"], validate_events, pd.DataFrame())
    error = raises(["events: the table is empty (0 rows)", "leave events out"], validate_events,
                   events[["customer_id"]].iloc[:0])  # fmt: skip
    assert "missing" not in str(error)
    raises(["survey: the table is empty"], validate_survey, pd.DataFrame(), instrument)
    raises(["emotions: the table is empty"], validate_emotions, pd.DataFrame({"valence": []}))


def test_null_customer_id_names_the_rows(events):
    events.loc[2, "customer_id"] = None
    error = raises(
        ["events.customer_id", "1 of 4 rows have no customer_id", "row 2"],
        validate_events,
        events,
    )
    assert error.rows == [2]


def test_mixed_id_types_and_float_ids(events):
    events["customer_id"] = pd.Series(["c1", 7, "c2", "c3"], dtype=object)
    raises(["events.customer_id", "row 1", "all integers or all strings"], validate_events, events)
    events["customer_id"] = [1.0, 1.0, 2.0, 3.0]
    raises(["events.customer_id", "float64"], validate_events, events)


def test_true_false_ids_are_counted_and_named(events):
    flags = events.assign(customer_id=[True, False, True, True])
    raises(
        ["events.customer_id: 4 of 4 rows have a true/false customer_id (the column is bool)",
         "row 0 (customer_id=True)", "row 3 (customer_id=True)", "give the id column"],
        validate_events,
        flags,
    )  # fmt: skip
    mixed = events.assign(customer_id=pd.Series([1, True, 2, 3], dtype=object))
    raises(["1 of 4 rows have a true/false customer_id", "row 1 (customer_id=True)"],
           validate_events, mixed)  # fmt: skip


def test_unparseable_timestamp_names_value_and_customer(events):
    raw = events.astype({"timestamp": str})
    raw.loc[3, "timestamp"] = "yesterday"
    raises(
        [
            "events.timestamp",
            "1 of 4 rows have a timestamp that cannot be parsed",
            "row 3 (customer_id='c3', timestamp='yesterday')",
            "ISO 8601",
        ],
        validate_events,
        raw,
    )


def test_missing_timestamp(events):
    events.loc[1, "timestamp"] = pd.NaT
    raises(["events.timestamp", "have no timestamp", "customer_id='c1'"], validate_events, events)


def test_utc_offsets_are_read_in_utc_whatever_the_offsets(events):
    raw = events.astype({"timestamp": str})
    raw["timestamp"] = [  # winter and summer time in one export
        "2026-03-01T09:00:00+01:00",
        "2026-03-01T09:05:00+01:00",
        "2026-07-02T18:30:00+02:00",
        "2026-03-04T12:00:00Z",
    ]
    parsed = validate_events(raw)
    assert str(parsed["timestamp"].dt.tz) == "UTC"
    assert (
        parsed["timestamp"].tolist()
        == pd.to_datetime(
            ["2026-03-01 08:00", "2026-03-01 08:05", "2026-07-02 16:30", "2026-03-04 12:00"]
        )
        .tz_localize("UTC")
        .tolist()
    )
    one_offset = validate_events(raw.assign(timestamp=raw["timestamp"].str[:19] + "+01:00"))
    assert str(one_offset["timestamp"].dt.tz) == "UTC"  # the same rule for a single offset
    assert (
        validate_events(raw.assign(timestamp=raw["timestamp"].str[:10]))["timestamp"].dt.tz is None
    )  # dates alone end in what looks like an offset, and are none


def test_timestamps_with_and_without_offsets_refuse_the_fewer_rows(events):
    raw = events.astype({"timestamp": str})
    raw["timestamp"] = [
        "2026-03-01T09:00:00",
        "2026-03-01T09:05:00+01:00",
        "2026-07-02T18:30:00+02:00",
        "2026-03-04T12:00:00+01:00",
    ]
    error = raises(
        [
            "events.timestamp: 1 of 4 rows have no UTC offset",
            "row 0 (customer_id='c1', timestamp='2026-03-01T09:00:00')",
            "give every timestamp its UTC offset",
        ],
        validate_events,
        raw,
    )
    assert error.positions.tolist() == [0]  # what batch scoring rejects the customer by
    raw.loc[[1, 2], "timestamp"] = ["2026-03-01T09:05:00", "2026-07-02T18:30:00"]
    raises(["1 of 4 rows carry a UTC offset", "row 3"], validate_events, raw)
    raw.loc[3, "timestamp"] = "2026-13-45T12:00:00+01:00"  # an offset, but no such day
    raises(["cannot be parsed", "row 3"], validate_events, raw)


def test_numeric_timestamps_are_refused_not_guessed(events):
    events["timestamp"] = np.arange(4) * 1_700_000_000
    raises(["events.timestamp", "unit='s'"], validate_events, events)


def test_label_columns_must_be_text_and_present(events):
    events.loc[0, "event_type"] = "  "
    raises(["events.event_type", "have an empty event_type", "row 0"], validate_events, events)
    events["event_type"] = [1, 2, 3, 4]
    raises(["events.event_type", "not text", "map codes to names"], validate_events, events)


def test_unknown_moment(events):
    events["moment"] = ["ZMOT", "SMOT", "first", None]
    raises(
        ["events.moment", "outside ['ZMOT', 'FMOT', 'SMOT', 'UMOT']", "'first'"],
        validate_events,
        events,
    )


def test_value_not_a_number_negative_or_infinite(events):
    raw = events.astype({"value": object})
    raw.loc[1, "value"] = "12,50"
    raises(["events.value", "not a number", "'12,50'", "decimal mark"], validate_events, raw)
    events.loc[3, "value"] = np.inf
    raises(["events.value", "are infinite", "row 3"], validate_events, events)


def test_a_negative_value_is_a_refund_and_passes(events):
    events.loc[3, "value"] = -80.5  # refunds written as negative amounts
    assert validate_events(events) is events
    raw = events.astype({"value": object})
    raw.loc[3, "value"] = "-80.5"
    assert validate_events(raw)["value"].tolist()[3] == -80.5


def test_null_session_id(events):
    events["session_id"] = [1, 1, None, 3]
    raises(["events.session_id", "row 2"], validate_events, events)


def test_duplicated_column_names(events):
    doubled = pd.concat([events, events[["channel"]]], axis=1)
    raises(["events", "duplicated column names ['channel']"], validate_events, doubled)


# ------------------------------------------------------------------ survey


def test_duplicate_respondents(survey, instrument):
    survey.loc[2, "customer_id"] = "c1"
    raises(
        [
            "survey.customer_id",
            "2 of 3 rows repeat a customer_id",
            "row 0",
            "row 2",
            "drop_duplicates",
        ],
        validate_survey,
        survey,
        instrument,
    )


def test_answer_outside_the_item_scale(survey, instrument):
    survey.loc[1, "thr2"] = 7
    raises(
        [
            "survey.thr2",
            "outside [1, 5]",
            "row 1 (customer_id='c2', thr2=7.0)",
            "whole numbers from 1 to 5",
        ],
        validate_survey,
        survey,
        instrument,
    )
    survey.loc[1, "thr2"] = 4
    survey.loc[1, "nov1"] = 7  # fine on the 1..7 item
    assert validate_survey(survey, instrument) is survey


def test_non_integer_and_non_numeric_answers(survey, instrument):
    survey.loc[0, "nov1"] = 3.5
    raises(["survey.nov1", "not whole numbers", "3.5"], validate_survey, survey, instrument)
    survey = survey.astype({"nov1": object})
    survey.loc[0, "nov1"] = "agree"
    raises(["survey.nov1", "not a number", "'agree'"], validate_survey, survey, instrument)


def test_infinite_answer(survey, instrument):
    survey.loc[2, "thr1"] = -np.inf
    raises(["survey.thr1", "infinite", "row 2"], validate_survey, survey, instrument)


def test_unknown_columns_and_missing_items(survey, instrument):
    raises(
        ["survey.age", "does not know: ['age']", "needs-mini"],
        validate_survey,
        survey.assign(age=30),
        instrument,
    )
    raises(
        ["survey.nov1", "lacks item(s)", "['nov1']"],
        validate_survey,
        survey.drop(columns="nov1"),
        instrument,
    )


def test_a_respondent_without_any_answer_is_left_out_with_a_warning(survey, instrument):
    survey.loc[1, ["thr1", "thr2", "nov1"]] = np.nan
    with pytest.warns(UserWarning, match=r"survey: 1 of 3 rows answer no item at all \(first: "
                      r"row 1 \(customer_id='c2'\)\); they are left out"):  # fmt: skip
        checked = validate_survey(survey, instrument)
    assert checked["customer_id"].tolist() == ["c1", "c3"] and len(survey) == 3
    survey.loc[:, ["thr1", "thr2", "nov1"]] = np.nan  # nobody answered: no survey at all
    with pytest.warns(UserWarning, match="3 of 3 rows answer no item"):
        assert validate_inputs(survey=survey, instrument=instrument).survey is None


# ------------------------------------------------------------------ emotions


def test_emotion_scores_out_of_range(emotions):
    emotions.loc[1, "valence"] = -1.5
    raises(["emotions.valence", "outside [-1, 1]", "row 1", "-1.5"], validate_emotions, emotions)
    emotions.loc[1, "valence"] = -0.5
    emotions.loc[0, "joy"] = 1.2
    raises(["emotions.joy", "outside [0, 1]"], validate_emotions, emotions)


def test_emotion_reading_without_signal(emotions):
    emotions.loc[2, "text"] = ""
    raises(["emotions", "neither a score nor a text", "row 2"], validate_emotions, emotions)
    raises(
        ["emotions", "no signal column"],
        validate_emotions,
        emotions[["customer_id", "timestamp"]],
    )


def test_emotion_infinite_score(emotions):
    emotions.loc[0, "arousal"] = np.inf
    raises(["emotions.arousal", "infinite"], validate_emotions, emotions)


# ------------------------------------------------------------------ demographics and together


def test_demographics_need_unique_ids_and_finite_numbers():
    people = pd.DataFrame({"customer_id": [1, 2, 2], "age": [30.0, 40.0, 50.0]})
    raises(["demographics.customer_id", "repeat"], validate_demographics, people)
    people = pd.DataFrame({"customer_id": [1, 2], "income": [1e4, np.inf]})
    raises(["demographics.income", "infinite"], validate_demographics, people)


def test_inputs_must_agree_on_the_id_type(events, survey, instrument):
    inputs = validate_inputs(events, survey, instrument=instrument)
    assert inputs.events is events and inputs.emotions is None
    raises(
        ["survey.customer_id", "holds int ids while events holds str ids"],
        validate_inputs,
        events,
        survey.assign(customer_id=[1, 2, 3]),
        instrument=instrument,
    )
    raises(["survey", "without an instrument"], validate_inputs, events, survey)


def test_validation_scales_to_a_generated_base():
    from persona.datasets import make_customers

    data = make_customers(n_customers=300, random_state=3)
    inputs = validate_inputs(
        data.events, data.survey, data.emotions, data.demographics, instrument=data.instrument
    )
    assert inputs.events is data.events
    assert inputs.survey is data.survey
    assert inputs.emotions is data.emotions
    assert inputs.demographics is data.demographics


def test_inputs_must_agree_on_time_zones(events, emotions):
    aware = emotions.assign(timestamp=emotions["timestamp"].dt.tz_localize("Europe/Rome"))
    raises(
        [
            "emotions.timestamp",
            "events in no time zone, emotions in Europe/Rome",
            "tz_localize('UTC')",
        ],
        validate_inputs,
        events,
        emotions=aware,
    )
    both = validate_inputs(
        events.assign(timestamp=events["timestamp"].dt.tz_localize("UTC")),
        emotions=aware.assign(timestamp=aware["timestamp"].dt.tz_convert("UTC")),
    )
    assert str(both.events["timestamp"].dt.tz) == "UTC"


def test_blank_category_counts_as_missing(events):
    events["channel"] = pd.Categorical(["web", "", "app", "store"])
    raises(["events.channel", "have an empty channel", "row 1"], validate_events, events)
    events["channel"] = pd.Categorical(["web", None, "app", "store"])
    raises(["events.channel", "row 1"], validate_events, events)


def test_read_table_reads_only_the_asked_columns_and_matches_pandas(tmp_path, events):
    from persona.contract._schema import read_table

    table = events.assign(extra=range(len(events)), channel=events["channel"].astype("category"))
    table.to_parquet(tmp_path / "events.parquet")
    table.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "folder").mkdir()
    table.iloc[:2].to_parquet(tmp_path / "folder" / "a.parquet")
    table.iloc[2:].to_parquet(tmp_path / "folder" / "b.parquet")

    whole = read_table(tmp_path / "events.parquet", "events")
    pd.testing.assert_frame_equal(whole, pd.read_parquet(tmp_path / "events.parquet"))
    wanted = ["customer_id", "timestamp", "channel", "not_there"]
    subset = read_table(tmp_path / "events.parquet", "events", columns=wanted)
    expected = pd.read_parquet(tmp_path / "events.parquet", columns=wanted[:3])
    pd.testing.assert_frame_equal(subset, expected)
    folder = read_table(tmp_path / "folder", "events", columns=wanted)
    assert folder["customer_id"].tolist() == events["customer_id"].tolist()
    csv = read_table(tmp_path / "events.csv", "events", columns=wanted)
    assert list(csv.columns) == wanted[:3]


def test_trusted_tables_skip_checks_only_inside_the_block():
    from persona.contract._schema import trusted, validate_events

    bad = pd.DataFrame({"customer_id": [1], "timestamp": ["not a date"], "channel": ["web"],
                        "event_type": ["search"]})  # fmt: skip
    with trusted(bad):
        assert validate_events(bad) is bad  # the builder vouches for what it validated
        with pytest.raises(InputError, match="cannot be parsed"):
            validate_events(bad.copy())  # any other object is checked
    with pytest.raises(InputError, match="cannot be parsed"):
        validate_events(bad)


# --------------------------------------------------------------------------- the house (issue 22)


def test_an_argument_that_is_no_table_or_no_option_is_a_config_error(tmp_path):
    from persona import ReadOptions
    from persona.contract._tables import read_settings
    from persona.errors import ConfigError

    with pytest.raises(ConfigError, match="events: expected a pandas DataFrame"):
        validate_events(42)
    with pytest.raises(ConfigError, match="Got decimal=';', but expected"):
        ReadOptions(decimal=";")
    broken = tmp_path / "journey.yaml"
    broken.write_text("taxonomy: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        read_settings(broken)


def test_the_mixed_offset_rule_is_still_read_from_the_schema():
    # Batch scoring imports these three names from persona.contract._schema.
    from persona.contract import _schema, _timestamps

    assert _schema._MIXED_OFFSETS is _timestamps.MIXED_OFFSETS
    assert _schema._has_utc_offset is _timestamps.has_utc_offset
    assert _schema._minority_of(1, 3) == "zoned"
