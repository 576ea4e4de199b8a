"""Instrument: loading from dict / JSON / YAML, and the errors of a broken one."""

import json

import pytest

from persona import InputError, Instrument
from persona.datasets import NEEDS_INSTRUMENT

SPEC = {
    "name": "needs-v1",
    "items": [
        {
            "item": "thr1",
            "dimension": "thrift",
            "scale": [1, 5],
            "reverse": False,
            "text": "I compare prices before I buy.",
        },
        {
            "item": "thr4",
            "dimension": "thrift",
            "scale": [1, 5],
            "reverse": True,
            "text": "I rarely look for discounts.",
        },
        {"item": "nov1", "dimension": "novelty", "scale": "likert7"},
    ],
}


def with_item(**changes):
    items = [dict(SPEC["items"][0], **changes), *SPEC["items"][1:]]
    return {**SPEC, "items": items}


def test_from_dict_reads_dimensions_items_scales_and_keys():
    instrument = Instrument.from_dict(SPEC)
    assert instrument.name == "needs-v1"
    assert instrument.dimensions == ("thrift", "novelty")
    assert instrument.items_of("thrift") == ("thr1", "thr4")
    assert instrument.item_names == ("thr1", "thr4", "nov1")
    assert instrument.reverse_keyed == ("thr4",)
    assert instrument.scale_of("nov1") == (1, 7)
    assert instrument.item("thr1").text == "I compare prices before I buy."
    assert len(instrument) == 3


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_file_round_trip(tmp_path, suffix):
    path = tmp_path / f"instrument{suffix}"
    NEEDS_INSTRUMENT.to_file(path)
    assert Instrument.from_file(path) == NEEDS_INSTRUMENT


def test_from_file_reads_a_handwritten_json(tmp_path):
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(SPEC))
    assert Instrument.from_file(path) == Instrument.from_dict(SPEC)


def test_declared_dimensions_keep_their_order_and_descriptions():
    spec = {**SPEC, "dimensions": {"novelty": "trying new things", "thrift": "value"}}
    instrument = Instrument.from_dict(spec)
    assert instrument.dimensions == ("novelty", "thrift")
    assert instrument.describe("novelty") == "trying new things"


@pytest.mark.parametrize(
    "scale", [[5, 1], [1], [1, 2, 3], [1.0, 5.0], "likert", "1-5", None, [True, 5], "likert1"]
)
def test_unknown_scale(scale):
    with pytest.raises(InputError) as caught:
        Instrument.from_dict(with_item(scale=scale))
    message = str(caught.value)
    assert "instrument.items[0].scale" in message
    assert "item 'thr1' has an unknown scale" in message
    assert "[1, 5]" in message  # the fix shows a valid scale


@pytest.mark.parametrize("dimension", ["", "   ", None])
def test_item_with_empty_dimension(dimension):
    expected = r"items\[0\].dimension: item 'thr1' has an empty dimension"
    with pytest.raises(InputError, match=expected):
        Instrument.from_dict(with_item(dimension=dimension))


def test_declared_dimension_without_items():
    spec = {**SPEC, "dimensions": {"thrift": "", "novelty": "", "status": "being recognised"}}
    with pytest.raises(InputError, match=r"declares dimension\(s\) \['status'\] that no item"):
        Instrument.from_dict(spec)


def test_duplicated_item():
    spec = {**SPEC, "items": [*SPEC["items"], {"item": "thr1", "dimension": "x", "scale": [1, 5]}]}
    with pytest.raises(InputError, match=r"items\[3\].item: lists the item 'thr1' twice"):
        Instrument.from_dict(spec)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (with_item(reversed=True), "unknown key(s) ['reversed']"),
        (with_item(reverse="yes"), "reverse='yes'; it must be true or false"),
        (with_item(item=""), "item 0 has no name"),
        (with_item(item="customer_id"), "cannot be called 'customer_id'"),
        ({**SPEC, "items": []}, "has no items"),
        ({"items": SPEC["items"]}, "lacks ['name']"),
        ({**SPEC, "version": 2}, "unknown key(s) ['version']"),
        ({**SPEC, "items": "thr1"}, "items must be a list"),
    ],
)
def test_other_broken_instruments(spec, fragment):
    with pytest.raises(InputError) as caught:
        Instrument.from_dict(spec)
    assert fragment in str(caught.value)
    assert caught.value.table == "instrument"


def test_broken_files(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: [unclosed")
    with pytest.raises(InputError, match="is not valid YAML"):
        Instrument.from_file(tmp_path / "bad.yaml")
    (tmp_path / "needs.txt").write_text("{}")
    with pytest.raises(InputError, match="unknown file type '.txt'"):
        Instrument.from_file(tmp_path / "needs.txt")


def test_unknown_dimension_and_item_lookups_say_what_exists():
    instrument = Instrument.from_dict(SPEC)
    with pytest.raises(KeyError, match=r"measures \['thrift', 'novelty'\]"):
        instrument.items_of("status")
    with pytest.raises(KeyError, match="has no such item"):
        instrument.item("thr9")


def test_a_numpy_whole_number_is_a_scale_bound():
    import numpy as np

    instrument = Instrument.from_dict(with_item(scale=[np.int64(1), np.int64(5)]))
    assert instrument.scale_of("thr1") == (1, 5)
    assert all(type(bound) is int for bound in instrument.scale_of("thr1"))
