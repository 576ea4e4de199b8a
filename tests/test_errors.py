"""persona.errors: one family, and an InputError that says what, where and how to fix it."""

from persona.errors import ArtifactError, ConfigError, InputError, PersonaError


def test_the_family_is_one_and_stays_a_value_error():
    for error in (ArtifactError, ConfigError, InputError):
        assert issubclass(error, PersonaError)
    assert issubclass(PersonaError, ValueError)
    assert issubclass(ConfigError, TypeError) and not issubclass(InputError, TypeError)


def test_an_input_error_names_the_table_column_rows_and_fix():
    error = InputError(
        "events", "has 2 rows without a timestamp.", column="timestamp", rows=[3, 7],
        shown="3, 7", fix="fill them, or drop the rows.",
    )  # fmt: skip
    assert str(error) == (
        "events.timestamp: has 2 rows without a timestamp.\n"
        "  first offending rows: 3, 7\n"
        "  fix: fill them, or drop the rows."
    )
    assert (error.table, error.column, error.rows) == ("events", "timestamp", [3, 7])
    assert error.positions is None


def test_an_input_error_about_a_whole_table_has_no_column_and_no_rows():
    error = InputError("survey", "is empty.")
    assert str(error) == "survey: is empty." and error.rows == [] and error.column is None
