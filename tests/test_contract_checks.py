"""Column checks behind the contracts: a table's shape, its ids, labels and numbers, each
refused with the rows it names.

Most are seen through ``validate_events`` and ``validate_survey`` as a user meets them; the
functions of ``persona.contract._checks`` are also called directly on small hand-made frames."""

import numpy as np
import pandas as pd
import pytest
from helpers_contract import raises

from persona import InputError, validate_emotions, validate_events, validate_survey
from persona.contract._checks import (
    blank,
    check_frame,
    check_ids,
    check_labels,
    fail,
    id_kind,
    parse_numbers,
    with_parsed,
)
from persona.errors import ConfigError

# ------------------------------------------------------------------ through the contracts


def test_missing_required_column(contract_events):
    error = raises(
        ["events.channel", "the table is missing the required column(s) ['channel']", "fix:"],
        validate_events,
        contract_events.drop(columns="channel"),
    )
    assert error.table == "events" and error.column == "channel"


def test_customer_id_as_index_gets_a_hint(contract_survey, contract_instrument):
    raises(
        ["reset_index()"],
        validate_survey,
        contract_survey.set_index("customer_id"),
        contract_instrument,
    )


def test_empty_table(contract_events, contract_survey, contract_instrument):
    raises(["events: the table is empty (0 rows)"], validate_events, contract_events.iloc[:0])
    # no rows and no columns (an empty list, say): empty, not "missing columns"
    raises(["events: the table is empty (0 rows and no columns)"], validate_events, pd.DataFrame())
    error = raises(["events: the table is empty (0 rows)", "leave events out"], validate_events,
                   contract_events[["customer_id"]].iloc[:0])  # fmt: skip
    assert "missing" not in str(error)
    raises(["survey: the table is empty"], validate_survey, pd.DataFrame(), contract_instrument)
    raises(["emotions: the table is empty"], validate_emotions, pd.DataFrame({"valence": []}))


def test_duplicated_column_names(contract_events):
    doubled = pd.concat([contract_events, contract_events[["channel"]]], axis=1)
    raises(["events", "duplicated column names ['channel']"], validate_events, doubled)


def test_null_customer_id_names_the_rows(contract_events):
    contract_events.loc[2, "customer_id"] = None
    error = raises(
        ["events.customer_id", "1 of 4 rows have no customer_id", "row 2"],
        validate_events,
        contract_events,
    )
    assert error.rows == [2]


def test_mixed_id_types_and_float_ids(contract_events):
    contract_events["customer_id"] = pd.Series(["c1", 7, "c2", "c3"], dtype=object)
    raises(
        ["events.customer_id", "row 1", "all integers or all strings"],
        validate_events,
        contract_events,
    )
    contract_events["customer_id"] = [1.0, 1.0, 2.0, 3.0]
    raises(["events.customer_id", "float64"], validate_events, contract_events)


def test_true_false_ids_are_counted_and_named(contract_events):
    flags = contract_events.assign(customer_id=[True, False, True, True])
    raises(
        ["events.customer_id: 4 of 4 rows have a true/false customer_id (the column is bool)",
         "row 0 (customer_id=True)", "row 3 (customer_id=True)", "give the id column"],
        validate_events,
        flags,
    )  # fmt: skip
    mixed = contract_events.assign(customer_id=pd.Series([1, True, 2, 3], dtype=object))
    raises(["1 of 4 rows have a true/false customer_id", "row 1 (customer_id=True)"],
           validate_events, mixed)  # fmt: skip


def test_label_columns_must_be_text_and_present(contract_events):
    contract_events.loc[0, "event_type"] = "  "
    raises(
        ["events.event_type", "have an empty event_type", "row 0"], validate_events, contract_events
    )
    contract_events["event_type"] = [1, 2, 3, 4]
    raises(
        ["events.event_type", "not text", "map codes to names"], validate_events, contract_events
    )


def test_blank_category_counts_as_missing(contract_events):
    contract_events["channel"] = pd.Categorical(["web", "", "app", "store"])
    raises(["events.channel", "have an empty channel", "row 1"], validate_events, contract_events)
    contract_events["channel"] = pd.Categorical(["web", None, "app", "store"])
    raises(["events.channel", "row 1"], validate_events, contract_events)


def test_value_not_a_number_negative_or_infinite(contract_events):
    raw = contract_events.astype({"value": object})
    raw.loc[1, "value"] = "12,50"
    raises(["events.value", "not a number", "'12,50'", "decimal mark"], validate_events, raw)
    contract_events.loc[3, "value"] = np.inf
    raises(["events.value", "are infinite", "row 3"], validate_events, contract_events)


# ------------------------------------------------------------------ called directly


def test_fail_counts_every_row_shows_the_first_five_and_keeps_every_position():
    df = pd.DataFrame({"customer_id": range(8), "v": range(10, 18)}, index=list("abcdefgh"))
    with pytest.raises(InputError) as caught:
        fail("t", df, df["v"] >= 11, "are odd.", "fix it.", column="v", show=("v",))
    error = caught.value
    assert str(error) == (
        "t.v: 7 of 8 rows are odd.\n"
        "  first offending rows: row 'b' (customer_id=1, v=11); row 'c' (customer_id=2, v=12); "
        "row 'd' (customer_id=3, v=13); row 'e' (customer_id=4, v=14); "
        "row 'f' (customer_id=5, v=15)\n"
        "  fix: fix it."
    )
    assert error.rows == ["b", "c", "d", "e", "f"]
    assert error.positions.tolist() == [1, 2, 3, 4, 5, 6, 7]  # all of them, for batch scoring
    assert error.phrase == "are odd."


def test_a_long_value_is_cut_where_the_rows_are_shown():
    df = pd.DataFrame({"customer_id": [1], "note": ["x" * 50]})
    with pytest.raises(InputError) as caught:
        fail("t", df, [True], "are long.", "", column="note", show=("note",))
    # a repr past 40 characters keeps its first 37 and "...": the quote and 36 x
    assert str(caught.value).endswith("(customer_id=1, note='" + "x" * 36 + "...)")


def test_id_kind_is_int_or_str_and_none_for_anything_else():
    assert id_kind(pd.Series([3, 1])) == "int"
    assert id_kind(pd.Series([3, 1], dtype=object)) == "int"
    assert id_kind(pd.Series(["a", None])) == "str"
    assert id_kind(pd.Series(["a", "b"], dtype="category")) == "str"
    assert id_kind(pd.Series([3, 1]).astype("category")) == "int"
    assert id_kind(pd.Series(["1", 2], dtype=object)) is None  # mixed
    assert id_kind(pd.Series([1.0, 2.0])) is None  # float ids lose digits
    assert id_kind(pd.Series([True, False])) is None


def test_unique_ids_pass_and_a_repeated_one_names_both_rows():
    people = pd.DataFrame({"customer_id": [7, 8, 7]})
    check_ids(people.iloc[:2], "demographics", unique=True)
    check_ids(people, "events", unique=False)
    with pytest.raises(InputError, match=r"2 of 3 rows repeat a customer_id") as caught:
        check_ids(people, "demographics", unique=True)
    assert caught.value.rows == [0, 2]


def test_check_frame_wants_a_dataframe():
    with pytest.raises(ConfigError, match=r"^survey: expected a pandas DataFrame, got list\.$"):
        check_frame([{"customer_id": 1}], "survey", ("customer_id",))


def test_blank_is_missing_or_whitespace_text_and_reads_categories_once():
    assert blank(pd.Series(["a", " ", None, "", "b "])).tolist() == [
        False, True, True, True, False,
    ]  # fmt: skip
    categories = pd.Series(pd.Categorical(["a", "\t", None, "a"]))
    assert blank(categories).tolist() == [False, True, True, False]
    assert blank(pd.Series([np.nan, np.nan])).tolist() == [True, True]  # read as float


def test_an_optional_label_column_may_be_empty_and_choices_skip_empty_cells():
    empty = pd.DataFrame({"customer_id": [1, 2], "device": [np.nan, np.nan]})
    check_labels(empty, "events", "device", nullable=True)
    moments = pd.DataFrame({"customer_id": [1, 2], "moment": ["ZMOT", None]})
    check_labels(moments, "events", "moment", nullable=True, choices=("ZMOT", "FMOT"))
    with pytest.raises(InputError, match="have an empty moment"):
        check_labels(moments, "events", "moment", nullable=False, choices=("ZMOT", "FMOT"))
    with pytest.raises(InputError, match=r"have a moment outside \['FMOT'\]") as caught:
        check_labels(moments, "events", "moment", nullable=True, choices=("FMOT",))
    assert caught.value.rows == [0]


def test_numbers_written_as_text_are_parsed_and_numbers_are_not():
    text = pd.DataFrame({"customer_id": [1, 2, 3], "value": ["1.5", "-2", None]})
    parsed = parse_numbers(text, "events", "value")
    assert parsed.tolist()[:2] == [1.5, -2.0] and np.isnan(parsed.iloc[2])
    numbers = pd.DataFrame({"customer_id": [1], "value": [1.5]})
    assert parse_numbers(numbers, "events", "value") is None  # nothing to give back
    assert with_parsed(numbers, {"value": None}) is numbers
    replaced = with_parsed(text, {"value": parsed})
    assert replaced["value"].dtype == "float64" and text["value"].tolist()[0] == "1.5"


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [(0, None, "t.v: 1 of 2 rows are below 0.\n"), (None, 1, "t.v: 1 of 2 rows are above 1.\n"),
     (0, 1, "t.v: 2 of 2 rows are outside [0, 1].\n")],
)  # fmt: skip
def test_a_bound_on_one_side_says_below_or_above(low, high, message):
    df = pd.DataFrame({"customer_id": [1, 2], "v": [-1.0, 2.0]})
    with pytest.raises(InputError) as caught:
        parse_numbers(df, "t", "v", low=low, high=high)
    assert str(caught.value).startswith(message)
    bounds = {(0, None): ">= 0", (None, 1): "<= 1", (0, 1): "[0, 1]"}[low, high]
    assert str(caught.value).endswith(f"fix: v must lie in {bounds}.")


def test_whole_numbers_true_false_and_numbers_beyond_float_are_checked():
    halves = pd.DataFrame({"customer_id": [1, 2], "q": [1.0, 2.5]})
    with pytest.raises(InputError, match=r"1 of 2 rows are not whole numbers") as caught:
        parse_numbers(halves, "survey", "q", integral=True, fix="answer 1 to 5.")
    assert caught.value.fix == "answer 1 to 5." and caught.value.rows == [1]
    flags = pd.DataFrame({"customer_id": [1], "q": [True]})
    with pytest.raises(InputError, match="holds true/false values where numbers are expected"):
        parse_numbers(flags, "survey", "q")
    huge = pd.DataFrame({"customer_id": [1, 2], "v": [10**400, 1]}, dtype=object)
    with pytest.raises(InputError, match=r"t\.v: 1 of 2 rows are infinite") as caught:
        parse_numbers(huge, "t", "v")
    assert caught.value.rows == [0]
