"""persona.report._journey_plots: a persona's journey map (the moments of truth as a circle, with
the flow between them) and its activity map (channel by daypart), drawn from model.journey_maps_."""

from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch

from persona.contract import MOMENTS
from persona.errors import ConfigError
from persona.profiling._journey_map import BASE
from persona.report._journey_plots import plot_activation, plot_journey


def test_a_persona_the_model_does_not_have_is_a_config_error(persona_model):
    from persona.report import plot_activation, plot_journey, plot_profile

    for plot in (plot_profile, plot_journey, plot_activation):
        with pytest.raises(ConfigError, match="Got persona_id=42, but the personas are"):
            plot(persona_model, 42)


@pytest.mark.parametrize("plot", [plot_journey, plot_activation])
def test_a_model_fitted_without_events_has_no_journey_to_draw(plot):
    without_events = SimpleNamespace(journey_maps_=None, persona_ids_=np.array([0, 1]))
    with pytest.raises(ConfigError, match="fitted without events, so it has no journey map"):
        plot(without_events, 0)


def test_the_journey_map_shows_each_moment_and_the_flow_on(persona_model):
    persona = int(persona_model.persona_ids_[0])
    maps = persona_model.journey_maps_
    moments, flows = maps.moments.loc[persona], maps.flows.loc[persona]["share"]
    figure = plot_journey(persona_model, persona)
    name = persona_model.personas_.loc[persona, "name"]
    assert figure.get_suptitle() == f"Journey map of {name} (persona {persona})"
    texts = [t.get_text() for t in figure.axes[0].texts]
    for moment in MOMENTS:
        share, base = moments.loc[moment, ["share", "base_share"]]
        assert f"{share:.0%}" in texts  # on the moment's disc
        assert f"{share:.0%} of touchpoints (base {base:.0%})" in "\n".join(texts)
    onward = []
    for source, target in zip(MOMENTS, MOMENTS[1:] + MOMENTS[:1], strict=True):
        leaving = flows.loc[source].drop(source).sum()
        onward.append(flows.loc[(source, target)] / leaving)
        label = f"{onward[-1]:.0%} of the steps out\nof {source} go on to {target}"
        assert any(t.startswith(label) for t in texts)
    arrows = [p for p in figure.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert [a.get_linewidth() for a in arrows] == pytest.approx([1 + 8 * s for s in onward])
    steps = maps.steps.loc[persona]
    assert f"forward {steps['forward']:.0%}   stay {steps['stay']:.0%}" in texts[-1]


def test_the_activity_map_shows_the_share_of_touchpoints_by_channel_and_daypart(persona_model):
    persona = int(persona_model.persona_ids_[0])
    maps = persona_model.journey_maps_
    activity, base = maps.activity.loc[persona], maps.activity.loc[BASE]
    shown = activity[(activity.sum(axis=1) > 0) | (base.sum(axis=1) > 0)]
    ax = plot_activation(persona_model, persona).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        c.replace("_", " ") for c in shown.index
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == [c.capitalize() for c in shown.columns]
    assert [t.get_text() for t in ax.texts] == [f"{v:.0%}" for v in shown.to_numpy().ravel()]
    channel, device = maps.hint(persona)
    assert ax.get_title() == (
        f"When and where persona {persona} is active: reach it on {channel} via {device}"
    )
