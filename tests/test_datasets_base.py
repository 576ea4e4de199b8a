"""The container every data set comes in: the tables it has, what is known about them."""

import dataclasses

import pandas as pd
import pytest

from persona.datasets import CustomerData


def test_the_repr_names_the_data_and_counts_the_rows_of_each_table_it_has():
    events = pd.DataFrame({"customer_id": range(1_234)})
    people = pd.DataFrame({"customer_id": [1, 2]})
    data = CustomerData(events=events, demographics=people, description="a shop")
    assert repr(data) == "CustomerData(a shop: events=1,234 rows, demographics=2 rows)"
    assert repr(CustomerData()) == "CustomerData(unnamed: )"


def test_a_table_a_data_set_lacks_is_none_and_the_notes_are_its_own():
    one, other = CustomerData(), CustomerData()
    assert one.survey is None and one.journey is None and one.truth is None
    one.notes["rows"] = 3  # the default is a fresh dict, never shared between data sets
    assert other.notes == {}


def test_a_data_set_is_not_changed_in_place_but_replaced():
    data = CustomerData(description="before")
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.description = "after"
    assert dataclasses.replace(data, description="after").description == "after"
    assert data.description == "before"
