"""persona.report._figures: the map of customers, persona sizes, the need heatmap, a persona's
profile and the reliability diagram, each drawn from what the fitted model holds."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from persona.report._figure import PersonaFigure
from persona.report._figures import (
    map_coordinates,
    new_figure,
    plot_need_heatmap,
    plot_profile,
    plot_reliability,
    plot_sizes,
)
from persona.report._pages import need_order


def test_every_card_shows_needs_channels_and_moments_in_one_order(persona_model):
    orders = set()
    for persona in persona_model.persona_ids_:
        axes = persona_model.plot_profile(int(persona)).axes
        ticks = [tuple(t.get_text() for t in ax.get_xticklabels()) for ax in axes[2:4]]
        needs = tuple(t.get_text() for t in axes[0].get_yticklabels())
        orders.add((needs, *ticks))
    assert len(orders) == 1
    needs, channels, moments = orders.pop()
    assert moments == ("ZMOT", "FMOT", "SMOT", "UMOT")
    assert needs[::-1] == tuple(persona_model.instrument.dimensions)


def test_new_figure_is_a_laid_out_persona_figure_of_that_size():
    figure = new_figure(3, 2)
    assert isinstance(figure, PersonaFigure)
    assert figure.get_size_inches().tolist() == [3.0, 2.0]
    assert type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


def test_sizes_are_the_personas_shares_in_persona_order(persona_model):
    personas = persona_model.personas_
    ax = plot_sizes(persona_model).axes[0]
    bars = sorted(ax.patches, key=lambda bar: bar.get_y())  # the y axis runs top down
    assert [bar.get_width() for bar in bars] == pytest.approx(personas["share"].tolist())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{p}: {name}" for p, name in personas["name"].items()]
    assert ax.get_xlabel() == "share of customers"


def test_the_heatmap_writes_each_personas_cohens_d_by_need(persona_model):
    figure = plot_need_heatmap(persona_model)
    ax = figure.axes[0]
    needs = persona_model.profile_[persona_model.profile_["family"] == "need"]
    order = need_order(persona_model)
    assert [t.get_text() for t in ax.get_xticklabels()] == order
    written = [t.get_text() for t in ax.texts]
    expected = [
        f"{needs[(needs['persona_id'] == p) & (needs['trait'] == trait)]['smd'].item():+.1f}"
        for p in persona_model.persona_ids_
        for trait in order
    ]
    assert written == expected
    assert figure.axes[1].get_ylabel() == "Cohen's d vs the rest"  # the colour bar


def test_a_profile_shows_the_personas_needs_against_the_rest(persona_model):
    persona = int(persona_model.persona_ids_[1])
    figure = plot_profile(persona_model, persona)
    assert figure.get_suptitle() == f"{persona}: {persona_model.personas_.loc[persona, 'name']}"
    traits = persona_model.profile_[persona_model.profile_["persona_id"] == persona]
    smd = traits[traits["family"] == "need"].set_index("trait")["smd"]
    needs = figure.axes[0]
    shown = [t.get_text() for t in needs.get_yticklabels()]
    assert [bar.get_width() for bar in needs.patches] == pytest.approx(smd[shown].tolist())
    assert [ax.get_title() for ax in figure.axes] == [
        "Needs and desires",
        "Emotion journey: ZMOT > FMOT > SMOT > UMOT",
        "Channel mix",
        "Moments of truth",
    ]


def test_the_reliability_diagram_draws_each_evidence_level_with_enough_records():
    curve = pd.DataFrame(
        [
            ("with", "1", 0.3, 0.25, 40),
            ("with", "1", 0.9, 0.85, 25),
            ("with", "1", 0.5, 0.10, 19),  # too few records to draw
            ("with", "11+", 0.95, 0.9, 100),
            ("without", "1", 0.4, 0.35, 60),
        ],
        columns=["survey", "touchpoints", "confidence", "agreement", "records"],
    )
    figure = plot_reliability(SimpleNamespace(evidence_calibration=curve))
    with_survey, without_survey = figure.axes
    assert (with_survey.get_title(), without_survey.get_title()) == (
        "with the survey",
        "without the survey",
    )
    drawn = {
        line.get_label(): (line.get_xdata().tolist(), line.get_ydata().tolist())
        for line in with_survey.lines
    }
    assert drawn == {
        "honest": ([0, 1], [0, 1]),
        "1 touchpoints": ([0.3, 0.9], [0.25, 0.85]),
        "11+ touchpoints": ([0.95], [0.9]),
    }
    assert [line.get_label() for line in without_survey.lines] == ["honest", "1 touchpoints"]
    assert without_survey.lines[1].get_ydata().tolist() == [0.35]


def test_the_map_places_a_sample_of_discovery_customers(persona_model):
    coordinates = map_coordinates(persona_model, max_points=200)
    assert coordinates.columns.tolist() == ["x", "y", "persona_id"]
    assert len(coordinates) == 200
    assert np.isfinite(coordinates[["x", "y"]].to_numpy()).all()
    assert set(coordinates["persona_id"]) <= {-1, *persona_model.persona_ids_.tolist()}
