"""How much a record holds: the evidence bins in the matrix's units, and the thin records
cut from a hand-made journey of 1, 2, 3, 4, 10, 11 and 12 touchpoints."""

import numpy as np
import pandas as pd
import pytest

from persona.assignment import _evidence
from persona.assignment._evidence import (
    EVIDENCE_BINS,
    THIN_TOUCHPOINTS,
    evidence_bins,
    thin_records,
)
from persona.features import first_touchpoints
from persona.features.builder import FeatureBuilder, with_observation_end

TOUCHPOINTS = {1: 1, 2: 2, 3: 3, 4: 4, 5: 10, 6: 11, 7: 12}  # customer_id: journey length


def _events(lengths):
    rows = []
    for customer, n in lengths.items():
        for i in range(n):
            rows.append({
                "customer_id": customer,
                "timestamp": pd.Timestamp("2026-01-01") + pd.Timedelta(hours=24 * i + customer),
                "channel": ("web", "app")[i % 2],
                "event_type": ("purchase", "search")[i % 2],
            })  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def journeys():
    """The events, the fitted builder and its matrix (feature columns only, as a model's)."""
    events = _events(TOUCHPOINTS)
    builder = FeatureBuilder().fit(events=events)
    matrix = builder.transform(events=events)
    matrix = matrix.loc[:, ~matrix.columns.str.startswith("available__")]
    return events, builder, matrix


def _bin(setting, values):
    return np.searchsorted(setting["edges"], values, side="right")


def test_the_bins_are_1_2_to_3_4_to_10_and_11_or_more(journeys):
    _, builder, matrix = journeys
    setting = evidence_bins(builder, matrix.columns)
    assert setting["column"] == matrix.columns.get_loc("behaviour__touchpoints")
    assert len(setting["edges"]) == len(EVIDENCE_BINS) - 1
    counts = matrix.iloc[:, setting["column"]].to_numpy()
    found = np.asarray(EVIDENCE_BINS)[_bin(setting, counts)]
    assert dict(zip(matrix.index, found, strict=True)) == {
        1: "1", 2: "2-3", 3: "2-3", 4: "4-10", 5: "4-10", 6: "11+", 7: "11+",
    }  # fmt: skip


def test_no_bins_without_a_touchpoint_count_or_with_behaviour_weighed_zero(journeys):
    events, builder, matrix = journeys
    assert evidence_bins(builder, matrix.columns.drop("behaviour__touchpoints")) is None
    silent = FeatureBuilder(weights={"behaviour": 0}).fit(events=events)
    assert evidence_bins(silent, matrix.columns) is None


def test_thin_records_are_the_first_touchpoints_of_longer_journeys(journeys):
    events, builder, matrix = journeys
    setting = evidence_bins(builder, matrix.columns)
    survey = np.arange(len(matrix), dtype=float)[:, None] * 10  # a column cutting keeps
    values = np.hstack([matrix.to_numpy(), survey])
    behaviour = np.arange(matrix.shape[1])
    rows, owner = thin_records(builder, events, matrix.index, values, behaviour)
    # every length of THIN_TOUCHPOINTS shorter than the journey, customer by customer
    lengths = [[n for n in THIN_TOUCHPOINTS if n < TOUCHPOINTS[c]] for c in matrix.index]
    assert owner.tolist() == [i for i, cut in enumerate(lengths) for _ in cut]
    cut = np.concatenate([cut for cut in lengths if cut])
    assert cut.tolist() == [1, 1, 2, 1, 2, 3, 1, 2, 3, 5, 1, 2, 3, 5, 10, 1, 2, 3, 5, 10]
    # binned as records of that many touchpoints, the survey kept from the whole record
    bins = _bin(setting, rows[:, setting["column"]])
    assert bins.tolist() == [{1: 0, 2: 1, 3: 1, 5: 2, 10: 2}[n] for n in cut]
    np.testing.assert_array_equal(rows[:, -1], survey[owner, 0])
    # each is the builder's row of the customer's first touchpoints (moved to end at their
    # latest, as a customer who started recently), as of the builder's observation end
    fixed = with_observation_end(builder, builder.observation_end_)
    for i in (0, 9, 14):
        journey = events[events["customer_id"] == matrix.index[owner[i]]]
        first, _ = first_touchpoints(journey, int(cut[i]))
        assert len(first) == cut[i]
        expected = fixed.transform(events=first)[matrix.columns].to_numpy()[0]
        np.testing.assert_allclose(rows[i, :-1], expected, rtol=1e-12, equal_nan=True)


def test_only_the_first_customers_are_cut(journeys, monkeypatch):
    events, builder, matrix = journeys
    monkeypatch.setattr(_evidence, "THIN_CUSTOMERS", 3)
    values = matrix.to_numpy()
    _, owner = thin_records(builder, events, matrix.index, values, np.arange(values.shape[1]))
    assert owner.tolist() == [1, 2, 2]  # customers 2 and 3; customer 1 has one touchpoint


def test_journeys_of_one_touchpoint_give_no_thin_record():
    events = _events({1: 1, 2: 1})
    builder = FeatureBuilder().fit(events=events)
    matrix = builder.transform(events=events)
    rows, owner = thin_records(builder, events, matrix.index, matrix.to_numpy(), np.arange(3))
    assert rows.shape == (0, matrix.shape[1]) and owner.shape == (0,)
