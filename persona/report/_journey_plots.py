"""A persona's journey map and activity map, as figures.

- :func:`plot_journey`: the four moments of truth drawn as the circle they
  are (ZMOT, FMOT, SMOT, UMOT clockwise, UMOT feeding the next customer's
  ZMOT). Each moment shows the persona's share of touchpoints there against
  the base, its leading channels, devices and event types, and how it felt
  (valence and arousal against the base, where emotions were read); the
  arrows are the real flow between moments.
- :func:`plot_activation`: when and where the persona is active, channel by
  daypart and at the weekend, with the channel-device pair to reach it on.

Both read ``model.journey_maps_`` and ``model.profile_`` only, and return a
figure that shows itself in a notebook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona.contract import MOMENTS
from persona.errors import ConfigError
from persona.profiling._journey_map import BASE
from persona.report._figures import new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from persona.model import PersonaModel

__all__ = ["plot_activation", "plot_journey"]

# Clockwise from the top: the order a journey goes round.
_PLACES = {"ZMOT": (0.0, 1.0), "FMOT": (1.0, 0.0), "SMOT": (0.0, -1.0), "UMOT": (-1.0, 0.0)}
_RADIUS = 1.25
# Where each moment's text goes: (x, y, alignment), clear of the circle.
_LABELS = {"ZMOT": (0.45, 1.6, "left"), "FMOT": (1.75, 0.0, "left"),
           "SMOT": (0.45, -1.6, "left"), "UMOT": (-1.75, 0.0, "right")}  # fmt: skip
_NAMES = {"ZMOT": "ZMOT · research", "FMOT": "FMOT · first encounter",
          "SMOT": "SMOT · experience", "UMOT": "UMOT · sharing"}  # fmt: skip


def _maps(model: PersonaModel, persona_id: int):
    maps = getattr(model, "journey_maps_", None)
    if maps is None:
        raise ConfigError(
            "This model was fitted without events, so it has no journey map; fit it with "
            "events=... to draw one."
        )
    known = [int(p) for p in model.persona_ids_]
    if persona_id not in known:
        raise ConfigError(f"Got persona_id={persona_id!r}, but the personas are {known}.")
    return maps


def _feeling(model: PersonaModel, persona_id: int, moment: str) -> str:
    """Valence and arousal at a moment against the base, where emotions were read."""
    traits = model.profile_[model.profile_["persona_id"] == persona_id].set_index("feature")
    words = []
    for kind in ("valence", "arousal"):
        feature = f"emotion__{kind}_{moment}"
        if feature in traits.index and np.isfinite(traits.loc[feature, "persona_mean"]):
            row = traits.loc[feature]
            words.append(f"{kind} {row['persona_mean']:+.2f} (base {row['base_mean']:+.2f})")
    return "; ".join(words) if words else "feelings: no readings"


def plot_journey(model: PersonaModel, persona_id: int) -> Figure:
    """The persona's journey map: the moments of truth as a circle, with the flow between them.

    Raises
    ------
    ConfigError
        For a model fitted without events, or a persona id it does not have.
    """
    from persona.report._figure import PersonaFigure

    maps = _maps(model, persona_id)
    steps = maps.steps.loc[persona_id]
    fig = PersonaFigure(figsize=(13, 7))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.92))
    ax.set_xlim(-4.7, 4.7)
    ax.set_ylim(-2.25, 2.25)
    ax.set_aspect("equal")
    ax.axis("off")
    name = model.personas_.loc[persona_id, "name"]
    fig.suptitle(f"Journey map of {name} (persona {persona_id})", fontsize=14, y=0.97)
    _draw_moments(ax, model, persona_id, maps.moments.loc[persona_id])
    _draw_flows(ax, maps.flows.loc[persona_id]["share"])
    ax.text(0, 0, "steps from one touchpoint\nto the next\n"
            f"forward {steps['forward']:.0%}   stay {steps['stay']:.0%}\n"
            f"back {steps['back']:.0%}   jump {steps['jump']:.0%}",
            ha="center", va="center", fontsize=8.5, color="#333333")  # fmt: skip
    return fig


def _draw_moments(ax: Any, model: PersonaModel, persona_id: int, moments: pd.DataFrame) -> None:
    """Each moment as a disc sized by its share of touchpoints, with what happens there."""
    from matplotlib.patches import Circle

    largest = max(float(moments["share"].max()), 1e-9)
    for moment, (x, y) in _PLACES.items():
        row = moments.loc[moment]
        share = 0.0 if pd.isna(row["share"]) else float(row["share"])
        radius = 0.14 + 0.22 * share / largest
        ax.add_patch(Circle((x * _RADIUS, y * _RADIUS), radius, color="#4c72b0", alpha=0.9))
        ax.text(x * _RADIUS, y * _RADIUS, f"{share:.0%}", ha="center", va="center",
                color="white", fontsize=10, fontweight="bold")  # fmt: skip
        lines = [
            _NAMES[moment],
            f"{share:.0%} of touchpoints (base {row['base_share']:.0%})",
            f"channels: {row['channels'] or '-'}",
            f"devices: {row['devices'] or '-'}",
            f"events: {row['event_types'] or '-'}",
            _feeling(model, persona_id, moment),
        ]
        tx, ty, align = _LABELS[moment]
        ax.text(tx, ty, "\n".join(lines), ha=align, va="center", fontsize=8.5,
                linespacing=1.4)  # fmt: skip


def _draw_flows(ax: Any, flows: pd.Series) -> None:
    """An arrow from each moment to the next, as thick as the share of steps that take it."""
    from matplotlib.patches import FancyArrowPatch

    order = list(MOMENTS)
    for i, source in enumerate(order):
        target = order[(i + 1) % len(order)]
        leaving = flows.loc[source].drop(source).sum()  # steps out of this moment
        share = float(flows.loc[(source, target)] / leaving) if leaving > 0 else 0.0
        (x0, y0), (x1, y1) = _PLACES[source], _PLACES[target]
        start, stop = (x0 * _RADIUS, y0 * _RADIUS), (x1 * _RADIUS, y1 * _RADIUS)
        ax.add_patch(FancyArrowPatch(start, stop, connectionstyle="arc3,rad=-0.4",
                                     arrowstyle="-|>", mutation_scale=16, shrinkA=28,
                                     shrinkB=28, linewidth=1 + 8 * share,
                                     color="#55a868"))  # fmt: skip
        label = f"{share:.0%} of the steps out\nof {source} go on to {target}"
        if target == "ZMOT":
            label += ",\nand sharing becomes the\nnext customer's ZMOT"
        ax.text((x0 + x1) * 0.95, (y0 + y1) * 0.95, label, ha="center", va="center",
                fontsize=8, color="#2d6a3e")  # fmt: skip


def plot_activation(model: PersonaModel, persona_id: int) -> Figure:
    """When and where the persona is active: channel by daypart and at the weekend.

    Each cell is the share of the persona's touchpoints on that channel in
    that daypart (the weekend column overlaps the dayparts); the title names
    the channel-device pair to reach the persona on, chosen together.
    """
    maps = _maps(model, persona_id)
    activity = maps.activity.loc[persona_id]
    base = maps.activity.loc[BASE]
    activity = activity[(activity.sum(axis=1) > 0) | (base.sum(axis=1) > 0)]
    fig = new_figure(8, 0.9 + 0.45 * len(activity))
    ax = fig.add_subplot()
    values = activity.to_numpy()
    image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(values.shape[1]), [c.capitalize() for c in activity.columns])
    ax.set_yticks(range(values.shape[0]), [c.replace("_", " ") for c in activity.index])
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8,
                color="white" if value > values.max() * 0.6 else "#222222")  # fmt: skip
    pair = maps.hint(persona_id)
    reach = "" if pair is None else " on " + " via ".join(p for p in pair if p)
    ax.set_title(f"When and where persona {persona_id} is active: reach it{reach}", fontsize=11)
    fig.colorbar(image, ax=ax, label="share of touchpoints", format="{x:.0%}")
    return fig
