"""persona.report._pages: the report's overview pages (the personas side by side, how they were
found, the glossary, the survey instrument) and the tables and numbers they are written with."""

import html
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from persona.contract import MOMENT_DESCRIPTIONS
from persona.report._pages import (
    comparison,
    glossary_html,
    instrument_html,
    method_html,
    need_order,
    not_comparable_html,
    number_text,
    plot_comparison,
    table_html,
)


def _cells(tag, text):
    """The contents of every ``<tag>`` element, in order."""
    return re.findall(rf"<{tag}>(.*?)</{tag}>", text)


def _profile_row(persona, feature, family, trait, persona_mean, smd, n):
    return {"persona_id": persona, "feature": feature, "family": family, "trait": trait,
            "persona_mean": persona_mean, "smd": smd, "n": n}  # fmt: skip


@pytest.fixture
def two_personas():
    """Two personas of 30 and 10 customers; the instrument asks thrift before status."""
    personas = pd.DataFrame(
        {"name": ["Savers", "Show-offs"], "size": [30, 10], "share": [0.75, 0.25],
         "confidence": [0.9, 0.6]},
        index=pd.Index([0, 1], name="persona_id"),
    )  # fmt: skip
    profile = pd.DataFrame(
        [
            _profile_row(0, "psychographic__status", "need", "status", 0.2, -1.0, 12),
            _profile_row(0, "psychographic__thrift", "need", "thrift", 0.9, 1.5, 12),
            _profile_row(0, "behaviour__total_spend", "value", "total spend", 100.0, -0.5, 30),
            _profile_row(1, "psychographic__status", "need", "status", 0.8, 1.0, 4),
            _profile_row(1, "psychographic__thrift", "need", "thrift", 0.1, -1.5, 3),
            _profile_row(1, "behaviour__total_spend", "value", "total spend", 600.0, 0.5, 10),
        ]
    )
    instrument = SimpleNamespace(dimensions=["thrift", "status"])
    return SimpleNamespace(personas_=personas, profile_=profile, instrument=instrument)


def test_needs_follow_the_instruments_order_else_the_profiles(two_personas):
    assert need_order(two_personas) == ["thrift", "status"]
    unordered = SimpleNamespace(
        profile_=two_personas.profile_, instrument=None, features_=SimpleNamespace(instrument=None)
    )
    assert need_order(unordered) == ["status", "thrift"]  # as profiled


def test_the_comparison_by_hand(two_personas):
    table = comparison(two_personas)
    assert table.columns.tolist() == [
        "name", "customers", "customer_share", "revenue_share", "value_per_customer",
        "survey_coverage", "confidence", "stability", "thrift", "status",
    ]  # fmt: skip
    # Revenue: 100 x 30 = 3,000 and 600 x 10 = 6,000 of 9,000.
    assert table["revenue_share"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert table["value_per_customer"].tolist() == [100.0, 600.0]
    assert table["survey_coverage"].tolist() == [12 / 30, 4 / 10]  # most answers to a need
    assert table["stability"].isna().all()  # until assess_stability()
    assert table[["thrift", "status"]].to_numpy().tolist() == [[1.5, -1.0], [-1.5, 1.0]]
    two_personas.stability_ = {0: 0.8, 1: 0.5}
    assert comparison(two_personas)["stability"].tolist() == [0.8, 0.5]


def test_the_comparison_figure_writes_the_needs_and_both_shares(persona_model):
    table = comparison(persona_model)
    needs = need_order(persona_model)
    shares, grid = plot_comparison(persona_model).axes[:2]
    k = len(table)
    widths = [bar.get_width() for bar in shares.patches]
    assert widths[:k] == pytest.approx(table["customer_share"].tolist())
    assert widths[k:] == pytest.approx(table["revenue_share"].tolist())
    assert [t.get_text() for t in shares.get_yticklabels()] == [
        f"{p}: {name}" for p, name in table["name"].items()
    ]
    assert [t.get_text() for t in grid.get_xticklabels()] == needs
    values = table[needs].to_numpy(dtype=float).ravel()
    assert [t.get_text() for t in grid.texts] == [f"{v:+.1f}" for v in values[np.isfinite(values)]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12345.678, "12,346"),
        (-2500.4, "-2,500"),
        (0.5, "0.50"),
        (0, "0.00"),
        (-0.005, "-0.0050"),
        (0.00123, "0.0012"),
        (0.00001, "< 0.0001"),
        (-0.00001, "> -0.0001"),
        (np.nan, "-"),
        (np.inf, "-"),
    ],
)
def test_numbers_read_as_people_write_them(value, text):
    assert number_text(value) == text


def test_tables_name_columns_for_people_and_escape_every_cell():
    frame = pd.DataFrame(
        {"persona_id": [0, 1], "smd": [0.123456, 1e-7], "base_mean": [12345.6, np.nan],
         "n_items": [3, 4], "<b>first_seen</b>": ["a&b", "c"]}
    )  # fmt: skip
    text = table_html(frame)
    headers = ["persona", "Cohen's d", "base", "items", "&lt;b&gt;first seen&lt;/b&gt;"]
    assert _cells("th", text) == headers
    assert _cells("td", text) == ["0", "0.12", "12,346", "3", "a&amp;b",
                                    "1", "&lt; 0.0001", "-", "4", "c"]  # fmt: skip
    assert "e-07" not in text


def test_the_glossary_defines_each_moment_in_the_contracts_words():
    text = glossary_html()
    assert text.startswith("<dl class='glossary'><dt>Persona</dt>")
    terms = _cells("dt", text)
    assert terms == ["Persona", "ZMOT", "FMOT", "SMOT", "UMOT", "Cohen&#x27;s d", "Confidence",
                     "Unassigned", "Journey steps"]  # fmt: skip
    for moment, words in MOMENT_DESCRIPTIONS.items():
        described = words[0].upper() + words[1:] + "."
        assert f"<dt>{moment}</dt><dd>{html.escape(described)}</dd>" in text


def test_needs_not_comparable_across_groups_are_named_with_their_level():
    assert not_comparable_html(SimpleNamespace(psychometrics_=None)) == ""
    invariance = pd.DataFrame({"level": ["metric", "configural", "scalar"]},
                              index=["region", "<age>", "gender"])  # fmt: skip
    checked = SimpleNamespace(not_comparable=[], invariance=invariance)
    assert not_comparable_html(SimpleNamespace(psychometrics_=checked)) == ""
    checked.not_comparable = ["region", "<age>"]
    assert not_comparable_html(SimpleNamespace(psychometrics_=checked)) == (
        "Needs are not comparable across the groups of region (metric invariance only), "
        "&lt;age&gt; (configural invariance only): a difference in needs between those groups "
        "may be one of answer style."
    )


def _found(**changes):
    """A model's record of how its personas were found, 10 customers in all."""
    found = SimpleNamespace(
        assigner_=SimpleNamespace(groups={"behaviour": [0], "psychographic": [1]}),
        labels_=np.zeros(10, dtype=int),
        careless_={"respondents": 4, "careless": 1},
        label_source_=pd.Series(["discovery"] * 6 + ["distilled"] * 3 + ["unassigned"]),
        selection_=pd.DataFrame({"n_personas": [2, 3], "chosen": [True, False]}),
        structure_=None,
        n_personas_=1,
    )
    for name, value in changes.items():
        setattr(found, name, value)
    return found


def test_the_method_says_what_was_used_and_how_personas_were_found():
    assert _cells("p", method_html(_found())) == [
        "Signals used: touchpoints, survey; 10 customers.",
        "4 answered the survey (40%); 1 of them carelessly, left out of discovery.",
        "Personas were discovered on 6 customers; 3 more were placed by the assignment model "
        "from what their records hold, and 1 are unassigned.",
        "They were found as UMAP and HDBSCAN; 2 fitted best.",
        "One persona: the base showed no structure to split it by.",
    ]
    structure = SimpleNamespace(n_personas=2, gap=0.12345, standard_error=0.01,
                                columns="<the needs>")  # fmt: skip
    profiles = pd.DataFrame({"n_personas": [2], "chosen": [True], "space": ["needs"]})
    found = _found(
        assigner_=SimpleNamespace(groups={}), careless_=None, structure_=structure,
        selection_=profiles,
    )  # fmt: skip
    assert _cells("p", method_html(found)) == [
        "Signals used: a feature matrix; 10 customers.",
        "Personas were discovered on 6 customers; 3 more were placed by the assignment model "
        "from what their records hold, and 1 are unassigned.",
        "They were found as latent need profiles; 2 fitted best.",
        "Structure test: these 2 groups stand 0.123 above null references of the same customers "
        "(standard error 0.010, over &lt;the needs&gt;): personas, not noise.",
    ]


def test_without_a_survey_the_instrument_page_says_so():
    assert instrument_html(SimpleNamespace(psychometrics_=None)) == (
        "<p>No survey was given at fit.</p>"
    )
