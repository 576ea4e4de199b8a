"""The journey's vocabulary: four moments of truth, the default taxonomy, channels, devices."""

import re

import pytest

from persona.contract._journey import (
    CHANNELS,
    DEFAULT_TAXONOMY,
    DEVICES,
    MOMENT_DESCRIPTIONS,
    MOMENTS,
)

_NAME = re.compile(r"^[a-z]+(_[a-z]+)*$")


def test_every_event_type_has_a_moment_and_every_moment_has_event_types():
    assert set(DEFAULT_TAXONOMY.values()) == set(MOMENTS)
    per_moment = {m: [e for e, of in DEFAULT_TAXONOMY.items() if of == m] for m in MOMENTS}
    # reading reviews is research, buying is experience, writing one is expression
    assert "read_review" in per_moment["ZMOT"] and "product_view" in per_moment["FMOT"]
    assert "purchase" in per_moment["SMOT"] and "write_review" in per_moment["UMOT"]


def test_each_moment_is_described_by_the_word_its_letter_stands_for():
    assert tuple(MOMENT_DESCRIPTIONS) == MOMENTS
    for moment, description in MOMENT_DESCRIPTIONS.items():
        word, _, rest = description.partition(" moment of truth: ")
        assert rest, description
        assert word[0].upper() == moment[0], (moment, word)
    assert [d.split()[0] for d in MOMENT_DESCRIPTIONS.values()] == [
        "zero", "first", "second", "ultimate",
    ]  # fmt: skip


def test_names_are_unique_lower_case_words():
    for names in (MOMENTS, CHANNELS, DEVICES, tuple(DEFAULT_TAXONOMY)):
        assert len(set(names)) == len(names)
    for name in (*CHANNELS, *DEVICES, *DEFAULT_TAXONOMY):
        assert _NAME.match(name), name


@pytest.mark.parametrize("table", [DEFAULT_TAXONOMY, MOMENT_DESCRIPTIONS])
def test_the_shared_tables_cannot_be_changed_by_a_caller(table):
    # every module reads these: a caller adding to them would change every other reader
    with pytest.raises(TypeError):
        table["browse"] = "ZMOT"
    assert "browse" not in table
