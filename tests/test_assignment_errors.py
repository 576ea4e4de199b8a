"""input_error: an InputError with its table and column, whose message stays as written."""

import pytest

from persona.assignment._errors import input_error
from persona.errors import InputError, PersonaError

MESSAGE = "Got survey without the item column(s) ['q1']; give one column per item."


def test_the_message_is_kept_verbatim_and_the_fields_filled():
    error = input_error("survey", MESSAGE, column="q1")
    assert isinstance(error, InputError) and isinstance(error, PersonaError)
    assert isinstance(error, ValueError)  # callers catching ValueError still do
    assert str(error) == MESSAGE and error.args == (MESSAGE,)
    assert (error.table, error.column, error.problem) == ("survey", "q1", MESSAGE)
    assert (error.rows, error.fix) == ([], "")
    # an InputError made directly writes "table.column: problem"; this one does not
    assert str(InputError("survey", MESSAGE, column="q1")) == f"survey.q1: {MESSAGE}"


def test_without_a_column_the_column_is_none():
    error = input_error("labels", "Got no labelled customer to learn personas from.")
    assert (error.table, error.column) == ("labels", None)
    assert str(error) == "Got no labelled customer to learn personas from."


def test_it_is_raised_and_matched_on_its_own_words():
    with pytest.raises(InputError, match=r"^Got survey without the item column\(s\) \['q1'\]"):
        raise input_error("survey", MESSAGE, column="q1")
