"""Reading input tables: Parquet files and folders, CSV files in their dialects, settings
files; and the errors of a file that cannot be read, naming the table and the file."""

import gzip
import json

import pandas as pd
import pytest
from helpers_contract import raises

from persona import InputError, validate_events
from persona.contract._tables import ReadOptions, read_settings, read_table, sniff_csv, table_format
from persona.errors import ConfigError

# ------------------------------------------------------------------ files and folders


def test_paths_to_parquet_and_csv_are_read(tmp_path, contract_events):
    contract_events.to_parquet(tmp_path / "events.parquet")
    contract_events.to_csv(tmp_path / "events.csv", index=False)
    from_parquet = validate_events(tmp_path / "events.parquet")
    from_csv = validate_events(str(tmp_path / "events.csv"))
    pd.testing.assert_frame_equal(from_parquet, contract_events)
    assert from_csv["timestamp"].tolist() == contract_events["timestamp"].tolist()
    assert from_csv["customer_id"].tolist() == contract_events["customer_id"].tolist()


def test_unknown_file_format_and_missing_file(tmp_path):
    (tmp_path / "events.xlsx").write_text("x")
    xlsx = tmp_path / "events.xlsx"
    raises(["events", "cannot tell the format", "Parquet"], validate_events, xlsx)
    with pytest.raises(FileNotFoundError, match="events: no file or folder at"):
        validate_events(tmp_path / "nothing.parquet")
    with pytest.raises(TypeError, match="events: expected a pandas DataFrame"):
        validate_events([1, 2, 3])


def test_a_damaged_file_names_the_table_and_the_file(tmp_path, contract_events):
    contract_events.to_parquet(tmp_path / "events.parquet")
    whole = (tmp_path / "events.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    raises([f"events: could not read '{tmp_path / 'cut.parquet'}': the file is damaged or "
            "truncated (", "fix: write the file again"], validate_events,
           tmp_path / "cut.parquet")  # fmt: skip
    big = pd.concat([contract_events] * 2_000, ignore_index=True)
    big.to_csv(tmp_path / "events.csv.gz", index=False)
    packed = (tmp_path / "events.csv.gz").read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(packed[: len(packed) // 2])
    raises(["events: could not read", "cut.csv.gz': the file is damaged or truncated"],
           validate_events, tmp_path / "cut.csv.gz")  # fmt: skip


def test_read_table_reads_only_the_asked_columns_and_matches_pandas(tmp_path, contract_events):
    from persona.contract._schema import read_table

    table = contract_events.assign(
        extra=range(len(contract_events)), channel=contract_events["channel"].astype("category")
    )
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
    assert folder["customer_id"].tolist() == contract_events["customer_id"].tolist()
    csv = read_table(tmp_path / "events.csv", "events", columns=wanted)
    assert list(csv.columns) == wanted[:3]


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


# ------------------------------------------------------------------ CSV dialects


def test_an_italian_spreadsheet_is_read_off_its_own_lines(tmp_path):
    # Excel set to Italian: ";" between fields, "," before decimals, a byte-order mark.
    path = tmp_path / "events.csv"
    path.write_text("customer_id;value\n1;3,5\n2;-0,25\n3;1234,5\n", encoding="utf-8-sig")
    found = sniff_csv(path)
    assert (found.delimiter, found.decimal) == (";", ",")
    table = read_table(path, "events")
    assert list(table.columns) == ["customer_id", "value"]  # no mark left on the first name
    assert table["value"].tolist() == [3.5, -0.25, 1234.5]
    told = read_table(path, "events", options=ReadOptions(delimiter=";", decimal="."))
    assert told["value"].tolist() == ["3,5", "-0,25", "1234,5"]  # the caller's word wins


@pytest.mark.parametrize(
    ("text", "delimiter", "decimal"),
    [("customer_id\n1\n2\n", ",", "."), ("", ",", "."),
     ('customer_id,value\n1,"3,5"\n', ",", "."), ("customer_id\tvalue\n1\t3,5\n", "\t", ","),
     ("customer_id|value|note\n1|2|a,b\n", "|", "."), ("a;b,c;d\n1;2;3\n", ";", ".")],
)  # fmt: skip
def test_the_delimiter_is_the_commonest_on_the_header_and_a_comma_decimal_needs_another(
    tmp_path, text, delimiter, decimal
):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    found = sniff_csv(path)
    assert (found.delimiter, found.decimal) == (delimiter, decimal)


def test_a_timestamp_format_reads_day_first_times_and_names_a_row_it_does_not_fit(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp\n1,05/01/2026 09:00\n2,06/01/2026 10:30\n")
    options = ReadOptions(timestamp_format="%d/%m/%Y %H:%M")
    stamps = read_table(path, "events", options=options)["timestamp"]
    assert stamps.tolist() == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-01-06 10:30")]
    path.write_text("customer_id,timestamp\n1,05/01/2026 09:00\n2,2026-01-06\n")
    with pytest.raises(InputError) as caught:
        read_table(path, "events", options=options)
    assert str(caught.value).startswith(
        "events.timestamp: 1 of 2 rows have a timestamp that does not fit the format "
        "'%d/%m/%Y %H:%M'.\n  first offending rows: row 1 (customer_id=2, timestamp='2026-01-06')"
    )


def test_a_tsv_file_is_read_with_tabs_and_given_options_are_kept(tmp_path):
    path = tmp_path / "events.tsv"
    path.write_text("customer_id\tvalue\n1\t3.5\n")
    assert read_table(path, "events")["value"].tolist() == [3.5]
    tabs = ReadOptions().for_file(path, "tsv")
    assert (tabs.delimiter, tabs.decimal) == ("\t", ".")
    given = ReadOptions(delimiter=";", decimal=",")
    assert given.for_file(path, "csv") is given  # nothing left to read off the file


def test_a_file_that_does_not_parse_names_the_dialect_it_was_read_with(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(InputError) as caught:
        read_table(path, "events")
    message = str(caught.value)
    assert message.startswith(
        f"events: could not read '{path}' as CSV with delimiter ',' and decimal '.' ("
    )
    assert "Expected 2 fields in line 3, saw 4" in message
    assert "persona.ReadOptions(delimiter=';', decimal=',')" in message


def test_text_in_another_encoding_is_named_or_read_with_its_encoding(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("customer_id,name\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"it is not UTF-8 text \('utf-8' codec can't decode"):
        read_table(path, "demographics")
    latin = read_table(path, "demographics", options=ReadOptions(encoding="latin-1"))
    assert latin["name"].tolist() == ["caf\xe9"]


@pytest.mark.parametrize(
    ("options", "message"),
    [({"delimiter": ";;"}, "Got delimiter=';;', but expected one character, such as ';'."),
     ({"decimal": ";"}, "Got decimal=';', but expected '.' or ','."),
     ({"delimiter": ",", "decimal": ","},
      "Got delimiter and decimal both ',': a CSV file cannot use one character for both."),
     ({"encoding": ""}, "Got encoding='', but expected a name like 'utf-8'."),
     ({"timestamp_format": "dd/mm"},
      "Got timestamp_format='dd/mm', but expected a strftime format such as '%d/%m/%Y %H:%M'.")],
)  # fmt: skip
def test_options_that_cannot_work_are_refused_naming_the_parameter(options, message):
    with pytest.raises(ConfigError) as caught:
        ReadOptions(**options)
    assert str(caught.value) == message


@pytest.mark.xfail(
    strict=True,
    reason="sniff_csv drops the last line of a compressed file's head as if it were cut, even "
    "when the whole file fits in the head: one data line leaves nothing to read a decimal off",
)
def test_a_small_compressed_file_with_a_decimal_comma_is_read_as_numbers(tmp_path):
    path = tmp_path / "events.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("customer_id;value\n1;2,5\n")
    assert read_table(path, "events")["value"].tolist() == [2.5]


@pytest.mark.xfail(
    strict=True,
    reason="sniff_csv takes '1.234,5' (a thousands point) as a sign of a decimal comma, but "
    "read_table passes no thousands separator to pandas, so the whole column stays text",
)
def test_a_thousands_point_beside_a_decimal_comma_is_read_as_a_number(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("customer_id;value\n1;1.234,5\n2;3,5\n", encoding="utf-8")
    assert sniff_csv(path).decimal == ","
    assert read_table(path, "events")["value"].tolist() == [1234.5, 3.5]


# ------------------------------------------------------------------ names and settings


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.parquet", "parquet"), ("a.PQ", "parquet"), ("a.csv", "csv"), ("a.CSV.GZ", "csv"),
     ("a.csv.zip", "csv"), ("a.csv.bz2", "csv"), ("a.tsv", "tsv"), ("a.tsv.gz", "tsv")],
)  # fmt: skip
def test_the_format_is_told_by_the_name(tmp_path, name, kind):
    assert table_format(tmp_path / name, "events") == kind


def test_a_folder_is_a_parquet_dataset(tmp_path):
    assert table_format(tmp_path, "events") == "parquet"


def test_settings_files_read_as_json_or_yaml(tmp_path):
    settings = {"taxonomy": {"search": "ZMOT"}, "purchase_types": ["purchase", "order"]}
    (tmp_path / "journey.json").write_text(json.dumps(settings), encoding="utf-8")
    (tmp_path / "journey.yaml").write_text(
        "taxonomy:\n  search: ZMOT\npurchase_types: [purchase, order]\n", encoding="utf-8"
    )
    assert read_settings(tmp_path / "journey.json") == settings
    assert read_settings(tmp_path / "journey.yaml") == settings
    (tmp_path / "broken.json").write_text("{taxonomy", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.json' is not valid JSON: Expecting"):
        read_settings(tmp_path / "broken.json")
