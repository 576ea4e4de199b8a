"""The fitted model's figures: the map of customers, persona sizes, needs, profiles, reliability.

Each is a matplotlib ``Figure`` made without pyplot (no global state) that
shows itself inline in a notebook and saves anywhere; the persona report embeds
them all. They read a fitted model's documented attributes (the map also its
discovery sample) and draw nothing else.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona.assignment import public_ids
from persona.contract import MOMENTS
from persona.errors import ConfigError
from persona.report._pages import need_order

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from persona.model import PersonaModel

__all__ = [
    "map_coordinates",
    "new_figure",
    "plot_map",
    "plot_need_heatmap",
    "plot_profile",
    "plot_reliability",
    "plot_sizes",
]

_MAP_POINTS = 5_000
_RELIABLE_RECORDS = 20  # a confidence bin with fewer records is left off the diagram


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of that size in inches, laid out to fit, shown inline in a notebook."""
    from persona.report._figure import PersonaFigure

    return PersonaFigure(figsize=(width, height), layout="constrained")


def _colours(model: PersonaModel) -> dict[int, tuple]:
    from matplotlib import colormaps

    palette = colormaps["tab10" if model.n_personas_ <= 10 else "tab20"]
    return {int(p): palette(i % palette.N) for i, p in enumerate(model.persona_ids_)}


def map_coordinates(model: PersonaModel, max_points: int = _MAP_POINTS) -> pd.DataFrame:
    """2-D coordinates of (up to ``max_points``) discovery customers, with their persona.

    The reducer's embedding (ten dimensions by default) is laid out in two
    with a seeded UMAP; a sample keeps it quick on large bases.
    """
    values = model.fitted_.discovery.values
    labels = public_ids(model.fitted_.discovery_labels(), model.persona_ids_)
    embedding = getattr(model.reducer_, "embedding_", None)
    if embedding is None or len(embedding) != len(values):
        from persona.assignment import column_medians

        embedding = np.where(np.isnan(values), column_medians(values), values)
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(len(embedding), min(max_points, len(embedding)), replace=False))
    points = embedding[rows]
    if points.shape[1] > 2:
        from persona.discovery import default_reducer, fit_embedding

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba and UMAP notices about small inputs
            layout = default_reducer(len(points), 0, 1).set_params(n_components=2, min_dist=0.1)
            points = fit_embedding(layout, points)
    elif points.shape[1] == 1:
        points = np.column_stack([points[:, 0], np.zeros(len(points))])
    return pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "persona_id": labels[rows]})


def plot_map(model: PersonaModel, max_points: int = _MAP_POINTS) -> Figure:
    """A 2-D map of the customers personas were discovered on, coloured by persona."""
    coordinates = map_coordinates(model, max_points)
    colours = _colours(model)
    names = model.personas_["name"]
    figure = new_figure(7.5, 5.5)
    ax = figure.add_subplot()
    for persona, points in coordinates.groupby("persona_id"):
        colour = colours.get(int(persona), (0.6, 0.6, 0.6, 1.0))
        label = names.get(persona, "unassigned")
        ax.scatter(points["x"], points["y"], s=4, color=colour, label=f"{persona}: {label}")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Customers by persona", loc="left")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=3, frameon=False)
    return figure


def plot_sizes(model: PersonaModel) -> Figure:
    """Persona sizes, as shares of all customers."""
    personas = model.personas_
    colours = _colours(model)
    figure = new_figure(7.5, 0.45 * len(personas) + 1.2)
    ax = figure.add_subplot()
    labels = [f"{p}: {n}" for p, n in personas["name"].items()]
    ax.barh(labels, personas["share"], color=[colours[int(p)] for p in personas.index])
    ax.invert_yaxis()
    ax.set_xlabel("share of customers")
    ax.xaxis.set_major_formatter(_percent())
    return figure


def plot_need_heatmap(model: PersonaModel) -> Figure:
    """Persona x need: how far each persona stands from the rest (Cohen's d)."""
    needs = model.profile_[model.profile_["family"] == "need"]
    grid = needs.pivot(index="persona_id", columns="trait", values="smd").reindex(
        index=model.persona_ids_, columns=need_order(model)
    )
    figure = new_figure(1.0 * grid.shape[1] + 3.5, 0.5 * grid.shape[0] + 1.8)
    ax = figure.add_subplot()
    values = grid.to_numpy(dtype=float)
    if grid.empty or not np.isfinite(values).any():
        # A single persona (or a base found to have no structure) has no rest to contrast with.
        message = (
            "no survey: no need dimensions" if grid.empty else "one persona: no rest to contrast"
        )
        ax.text(0.5, 0.5, message, ha="center", va="center")
        ax.set_axis_off()
        return figure
    limit = max(1.0, float(np.nanmax(np.abs(values))))
    image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right")
    names = model.personas_["name"]
    ax.set_yticks(range(grid.shape[0]), [f"{p}: {names[p]}" for p in grid.index])
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ink = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize=8, color=ink)
    figure.colorbar(image, ax=ax, label="Cohen's d vs the rest", shrink=0.9)
    return figure


def plot_profile(model: PersonaModel, persona_id: int) -> Figure:
    """One persona at a glance: needs, emotion journey, channels and moments."""
    if persona_id not in set(model.persona_ids_.tolist()):
        raise ConfigError(
            f"Got persona_id={persona_id!r}, but the personas are {model.persona_ids_.tolist()}."
        )
    traits = model.profile_[model.profile_["persona_id"] == persona_id].set_index("feature")
    colour = _colours(model)[int(persona_id)]
    figure = new_figure(11, 6.5)
    axes = figure.subplots(2, 2)
    figure.suptitle(f"{persona_id}: {model.personas_.loc[persona_id, 'name']}")

    needs = traits[traits["family"] == "need"]
    ax = axes[0, 0]
    if len(needs):  # in the instrument's order, on every card
        ordered = needs.set_index("trait").reindex(need_order(model)[::-1]).dropna(subset="smd")
        ax.barh(ordered.index, ordered["smd"], color=colour)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("Cohen's d against the rest")
    ax.set_title("Needs and desires")

    ax = axes[0, 1]
    for kind, style in (("valence", "-"), ("arousal", "--")):
        rows = [f"emotion__{kind}_{m}" for m in MOMENTS if f"emotion__{kind}_{m}" in traits.index]
        if rows:
            moments = [r.rsplit("_", 1)[-1] for r in rows]
            ax.plot(moments, traits.loc[rows, "persona_mean"], style, marker="o", color=colour,
                    label=f"{kind}, persona")  # fmt: skip
            ax.plot(moments, traits.loc[rows, "base_mean"], style, marker=".", color="grey",
                    label=f"{kind}, base")  # fmt: skip
    if ax.lines:
        ax.legend(fontsize=8, frameon=False)
    ax.set_title("Emotion journey: ZMOT > FMOT > SMOT > UMOT")

    for ax, family, title in ((axes[1, 0], "channel", "Channel mix"),
                              (axes[1, 1], "moment", "Moments of truth")):  # fmt: skip
        shares = traits[(traits["family"] == family) & traits.index.str.contains("__share_")]
        shares = _in_card_order(shares, family)
        if len(shares):
            positions = np.arange(len(shares))
            ax.bar(positions - 0.2, shares["persona_mean"], 0.4, color=colour, label="persona")
            ax.bar(positions + 0.2, shares["base_mean"], 0.4, color="lightgrey", label="base")
            ax.set_xticks(positions, [t.removesuffix(" share") for t in shares["trait"]],
                          rotation=30, ha="right")  # fmt: skip
            ax.yaxis.set_major_formatter(_percent())
            ax.legend(fontsize=8, frameon=False)
        ax.set_title(title)
    return figure


def _in_card_order(shares: pd.DataFrame, family: str) -> pd.DataFrame:
    """The same order on every card: moments in journey order, channels by the base's use."""
    if family == "moment":
        rank = shares.index.str.rsplit("_", n=1).str[-1].map({m: i for i, m in enumerate(MOMENTS)})
        return shares.assign(_rank=rank).sort_values("_rank").drop(columns="_rank")
    return (
        shares.assign(_name=shares.index)
        .sort_values(["base_mean", "_name"], ascending=[False, True])
        .drop(columns="_name")
    )


def plot_reliability(assignments: Any) -> Figure:
    """The reliability diagram by evidence: how often an assignment of each confidence is
    right, for records of 1, 2-3, 4-10 and 11+ touchpoints, with and without the survey.

    ``assignments`` is :meth:`PersonaModel.assignment_report`'s result.
    """
    curve = assignments.evidence_calibration
    figure = new_figure(11, 4.5)
    axes = figure.subplots(1, 2, sharey=True)
    for ax, survey in zip(axes, ("with", "without"), strict=True):
        ax.plot([0, 1], [0, 1], color="#999", linestyle=":", label="honest")
        part = curve[curve["survey"] == survey] if len(curve) else curve
        for tag, bins in part.groupby("touchpoints", sort=False) if len(part) else ():
            bins = bins[bins["records"] >= _RELIABLE_RECORDS]
            ax.plot(bins["confidence"], bins["agreement"], marker="o", label=f"{tag} touchpoints")
        ax.set_title(f"{survey} the survey")
        ax.set_xlabel("confidence")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("share right (held-out discovery customers)")
    return figure


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)
