"""Persona identity across refits: kept, split, merged, appeared, vanished."""

import pandas as pd

from persona.discovery._lineage import match_personas


def _labels(values):
    return pd.Series(values, index=pd.RangeIndex(len(values), name="customer_id"))


def test_matching_personas_keep_their_ids_whatever_the_new_numbering():
    old = _labels([3] * 50 + [8] * 30 + [5] * 20)
    new = _labels([1] * 50 + [2] * 30 + [0] * 20)
    mapping, lineage = match_personas(new, old)
    assert mapping == {0: 5, 1: 3, 2: 8}
    assert lineage["event"].tolist() == ["kept"] * 3
    assert lineage["jaccard"].tolist() == [1.0, 1.0, 1.0]


def test_split_merge_appear_and_vanish_are_recorded():
    #              old 0 splits     old 1 + 2 merge   old 3 vanishes   new 4 appears
    old = _labels([0] * 60 + [0] * 40 + [1] * 30 + [2] * 30 + [3] * 20 + [-1] * 25)
    new = _labels([0] * 60 + [1] * 40 + [2] * 30 + [2] * 30 + [-1] * 20 + [4] * 25)
    mapping, lineage = match_personas(new, old, next_id=10)
    events = lineage.set_index("persona_id")["event"].to_dict()
    assert mapping[0] == 0 and mapping[1] == 10  # the larger part keeps the id
    assert mapping[2] in (1, 2) and mapping[4] == 11  # fresh ids start at next_id
    assert events[0] == "split" and events[10] == "split"
    assert events[mapping[2]] == "merged"
    assert events[11] == "appeared"
    vanished = lineage[lineage["event"] == "vanished"]
    assert vanished["previous_ids"].tolist() == [(3,)]
    merged = lineage[lineage["event"] == "merged"]
    assert merged["previous_ids"].tolist() == [(1, 2)]


def test_small_leaks_are_not_flows():
    old = _labels([0] * 95 + [1] * 5 + [1] * 100)
    new = _labels([0] * 100 + [1] * 100)
    mapping, lineage = match_personas(new, old)
    assert mapping == {0: 0, 1: 1}
    assert lineage["event"].tolist() == ["kept", "kept"]


def test_a_persona_without_shared_customers_appears():
    old = _labels([0, 0, 1, 1])
    new = _labels([0, 0, 1, 1])
    mapping, lineage = match_personas(new, old, personas=[0, 1, 2])
    assert mapping == {0: 0, 1: 1, 2: 2}
    assert lineage["event"].tolist() == ["kept", "kept", "appeared"]
