"""Figures and a self-contained HTML report of a fitted PersonaModel.

Figures are matplotlib ``Figure`` objects made without pyplot (no global
state); they show themselves inline in a notebook and save anywhere. The
report is one HTML file with every figure embedded as a PNG data URI and no
external resource: it opens offline, from a mail attachment or a shared drive.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona._progress import stage
from persona.contract._journey import MOMENTS
from persona.profiling._journey_map import BASE
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

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from persona.model import PersonaModel

__all__ = [
    "plot_map",
    "plot_need_heatmap",
    "plot_profile",
    "plot_reliability",
    "plot_sizes",
    "write_report",
]

_MOMENTS = MOMENTS  # journey order
_MAP_POINTS = 5_000
_RELIABLE_RECORDS = 20  # a confidence bin with fewer records is left off the diagram

log = logging.getLogger(__name__)


def _figure(width: float, height: float) -> Figure:
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
    values = model._discovery["values"]
    labels = model._discovery_public_labels()
    embedding = getattr(model.reducer_, "embedding_", None)
    if embedding is None or len(embedding) != len(values):
        from persona.assignment._assigner import column_medians

        embedding = np.where(np.isnan(values), column_medians(values), values)
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(len(embedding), min(max_points, len(embedding)), replace=False))
    points = embedding[rows]
    if points.shape[1] > 2:
        from persona.discovery._reduce import default_reducer, fit_embedding

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
    figure = _figure(7.5, 5.5)
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
    figure = _figure(7.5, 0.45 * len(personas) + 1.2)
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
    figure = _figure(1.0 * grid.shape[1] + 3.5, 0.5 * grid.shape[0] + 1.8)
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
        raise ValueError(
            f"Got persona_id={persona_id!r}, but the personas are {model.persona_ids_.tolist()}."
        )
    traits = model.profile_[model.profile_["persona_id"] == persona_id].set_index("feature")
    colour = _colours(model)[int(persona_id)]
    figure = _figure(11, 6.5)
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
        rows = [f"emotion__{kind}_{m}" for m in _MOMENTS if f"emotion__{kind}_{m}" in traits.index]
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
        rank = shares.index.str.rsplit("_", n=1).str[-1].map({m: i for i, m in enumerate(_MOMENTS)})
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
    figure = _figure(11, 4.5)
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


def _reliability(model: PersonaModel) -> str:
    assignments = model.assignment_report()
    if assignments.evidence.empty:
        return (
            "<p>Fitted on a feature matrix, the model knows no touchpoints: see "
            "<code>model.assignment_report()</code> for agreement by signals.</p>"
        )
    note = (
        "<p>How often an assignment is right at each confidence, by how much the record holds "
        "(touchpoints, survey). Held-out discovery customers, cross-validated: their whole "
        "records and their journeys cut to the first 1, 2, 3, 5 and 10 touchpoints. On the "
        "diagonal, a confidence of 0.8 is right 8 times in 10. ECE: the records' mean gap "
        "between confidence and that share.</p>"
    )
    table = assignments.evidence.rename(columns={"mean_confidence": "mean confidence"})
    return (
        note + _image(plot_reliability(assignments), "reliability by evidence") + table_html(table)
    )


def write_report(model: PersonaModel, out_dir: str | Path, *, comments: bool = False) -> Path:
    """Write ``index.html``, a self-contained persona report, into ``out_dir``; return its path.

    ``comments=True`` adds each persona's most typical comments (customer data: off by
    default).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    personas = model.personas_
    with stage(log, "report: map of customers"):
        overview = _image(plot_map(model), "map of customers by persona")
    with stage(log, "report: reliability by evidence, cross-validated"):
        reliability = _reliability(model)
    with stage(log, "report: persona cards"):
        cards = [_card(model, persona, comments) for persona in personas.index]
    sections = [
        "<h1>Persona report</h1>",
        f"<p class='lead'>{len(model.labels_):,} customers, {model.n_personas_} personas. "
        f"{_sources(model)}</p>",
        "<h2>Overview</h2>",
        "<div class='overview'>",
        overview,
        _image(plot_sizes(model), "persona sizes"),
        _image(plot_need_heatmap(model), "persona by need heatmap"),
        "</div>",
        "<h2>Personas side by side</h2>",
        _comparison(model),
        "<h2>How the personas were found</h2>",
        method_html(model),
        "<h2>Demographic audit</h2>",
        _audit(model),
        "<h2>The survey instrument</h2>",
        instrument_html(model),
        "<h2>How sure an assignment is</h2>",
        reliability,
        "<h2>Glossary</h2>",
        glossary_html(),
        "<h2>Personas</h2>",
        *cards,
    ]
    page = _PAGE.format(body="\n".join(sections))
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- pieces


def _card(model: PersonaModel, persona: int, comments: bool = False) -> str:
    row = model.personas_.loc[persona]
    stability = getattr(model, "stability_", None)
    facts = {
        "size": f"{row['size']:,} customers ({row['share']:.1%})",
        "mean confidence": f"{row['confidence']:.2f}",
        "stability": "not assessed (model.assess_stability())"
        if stability is None
        else f"{stability.get(persona, float('nan')):.2f} (Jaccard over resamples)",
        "reach": _reach(model, persona, row),
        "tone": "; ".join(
            str(row[key]) for key in ("tone", "message") if isinstance(row.get(key), str)
        )
        or "-",
    }
    traits = model.profile_[model.profile_["persona_id"] == persona]
    value = _readable(traits[traits["family"] == "value"])[
        ["trait", "persona_mean", "base_mean", "smd"]
    ]
    top = _readable(traits.head(8))[["family", "trait", "persona_mean", "base_mean", "smd"]]
    profile_image = _image(plot_profile(model, persona), f"profile of persona {persona}")
    journey, activity, moments = _journey(model, persona)
    return (
        f"<section class='card' id='persona-{persona}'>"
        f"<h3>{persona}: {html.escape(str(row['name']))}</h3>"
        f"<p>{html.escape(str(row['description']))}</p>"
        + _facts(facts)
        # On paper a card is one page: the figures, then (on screen only) the tables.
        + "<div class='figures'>"
        + (f"<div class='journey'>{journey}</div>" if journey else "")
        + f"<div class='pair'>{profile_image}{activity}</div></div>"
        + "<div class='detail'>"
        + moments
        + "<h4>Most distinctive traits</h4>"
        + table_html(top)
        + "<h4>Value (RFM)</h4>"
        + table_html(value)
        + "</div>"
        + (_voices(model, persona) if comments else "")
        + _demographics(model, persona)
        + "</section>"
    )


def _readable(traits: pd.DataFrame) -> pd.DataFrame:
    """Trait rows as a person reads them: shares in percent, amounts with separators."""
    share = traits["feature"].str.contains("share|_rate", regex=True)
    out = traits.copy()
    for column in ("persona_mean", "base_mean"):
        out[column] = [
            "-" if pd.isna(v) else f"{v:.0%}" if is_share else number_text(float(v))
            for v, is_share in zip(traits[column], share, strict=True)
        ]
    out["smd"] = traits["smd"].map(lambda v: "-" if pd.isna(v) else f"{v:+.2f}")
    return out


def _reach(model: PersonaModel, persona: int, row: pd.Series) -> str:
    """Where and when to reach a persona, with the figures behind the channel and device."""
    parts = []
    maps = getattr(model, "journey_maps_", None)
    pair = None if maps is None else maps.hint(persona)
    if pair is not None:
        channel, device = pair
        key = (persona, channel, device or "")
        figures = maps.pairs.loc[key]
        where = channel.replace("_", " ") + (f" via {device.replace('_', ' ')}" if device else "")
        parts.append(
            f"{where} ({figures['share']:.1%} of their touchpoints, "
            f"{figures['lift']:.1f}x the base's share)"
        )
    for key, word in (("daypart", "in the"), ("moment", "most engaged at")):
        if isinstance(row.get(key), str):
            said = "at night" if row[key] == "night" else f"{word} {row[key]}"
            parts.append(said + _behind(maps, persona, key, row[key]))
    return ", ".join(parts) or "-"


def _behind(maps: Any, persona: int, key: str, value: str) -> str:
    """The figures behind a daypart or moment hint: the persona's share against the base's."""
    if maps is None:
        return ""
    if key == "moment":
        ours, base = maps.moments.loc[(persona, value), ["share", "base_share"]]
    else:
        if value not in maps.activity.columns:
            return ""
        ours = maps.activity.loc[persona, value].sum()
        base = maps.activity.loc[BASE, value].sum()
    return f" ({ours:.0%} of their touchpoints, base {base:.0%})"


def _journey(model: PersonaModel, persona: int) -> tuple[str, str, str]:
    """The journey map, the activity map and the moments table of a card ("" without events)."""
    if getattr(model, "journey_maps_", None) is None:
        return "", "", ""
    from persona.report._journey_plots import plot_activation, plot_journey

    moments = model.journey_maps_.moments.loc[persona].reset_index()
    table = pd.DataFrame({
        "moment": moments["moment"],
        "their touchpoints": moments["share"].map("{:.0%}".format),
        "base": moments["base_share"].map("{:.0%}".format),
        "channels": moments["channels"], "devices": moments["devices"],
        "event types": moments["event_types"],
    })  # fmt: skip
    return (
        _image(plot_journey(model, persona), f"journey map of persona {persona}"),
        _image(plot_activation(model, persona), f"activity map of persona {persona}"),
        "<h4>Journey through the moments of truth</h4>"
        f"<div class='moments'>{table_html(table)}</div>",
    )


def _voices(model: PersonaModel, persona: int) -> str:
    """The persona's most typical comments, quoted."""
    kept = getattr(model, "_comments", None)
    if kept is None:
        return (
            "<h4>What customers say</h4><p class='note'>No comments at hand: they are kept "
            "only in a model fitted in this session on emotion readings with text, never in a "
            "saved one.</p>"
        )
    internal = int(np.flatnonzero(model.persona_ids_ == persona)[0])
    quotes = kept[kept["persona_id"] == internal]["text"]
    if quotes.empty:
        return "<h4>What customers say</h4><p class='note'>No comments from this persona.</p>"
    items = "".join(f"<li>&ldquo;{html.escape(q)}&rdquo;</li>" for q in quotes)
    return f"<h4>What customers say</h4><ul class='voices'>{items}</ul>"


def _demographics(model: PersonaModel, persona: int) -> str:
    described = getattr(model, "demographics_", None)
    if described is None:
        return ""
    rows = described[described["persona_id"] == persona].drop(columns="persona_id")
    caution = not_comparable_html(model)
    return (
        (f"<p class='caution'>{caution}</p>" if caution else "")
        + "<div class='detail'>"
        + "<h4>Demographics (described beside the persona, never used to form it)</h4>"
        + table_html(rows)
        + "</div>"
    )


def _sources(model: PersonaModel) -> str:
    counts = model.label_source_.value_counts()
    return (
        f"{counts.get('discovery', 0):,} found in discovery, {counts.get('distilled', 0):,} placed "
        f"by the assigner, {counts.get('unassigned', 0):,} unassigned."
    )


def _audit(model: PersonaModel) -> str:
    audit = getattr(model, "audit_", None)
    if audit is None:
        return "<p>No demographics were given at fit, so no audit was run.</p>"
    note = (
        "<p>Association between persona and each demographic column (Cramér's V for categories, "
        "eta for numbers); demographics never entered the features.</p>"
    )
    caution = not_comparable_html(model)
    return (
        note
        + (f"<p class='caution'>{caution}</p>" if caution else "")
        + table_html(audit.reset_index())
    )


def _facts(facts: dict[str, str]) -> str:
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts.items()
    )
    return f"<dl>{items}</dl>"


def _comparison(model: PersonaModel) -> str:
    table = comparison(model).reset_index()
    for column in ("customer_share", "revenue_share", "survey_coverage"):
        if column in table:
            table[column] = table[column].map(lambda v: "-" if pd.isna(v) else f"{v:.0%}")
    if "value_per_customer" in table:
        table["value_per_customer"] = table["value_per_customer"].map(
            lambda v: "-" if pd.isna(v) else f"{v:,.2f}"
        )
    return _image(plot_comparison(model), "personas side by side") + table_html(table)


def _image(figure: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img class='figure' alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Persona report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }}
.lead {{ color: #555; }}
.overview {{ display: flex; flex-wrap: wrap; gap: 1em; }}
.card {{ border: 1px solid #ddd; border-radius: 8px; padding: 1em 1.5em; margin: 1.5em 0; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }}
dt {{ font-weight: 600; }}
img.figure {{ max-width: 100%; }}
table {{ border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }}
td, th {{ padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: left; }}
.caution {{ color: #8a4b00; }}
.figures .pair {{ display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }}
.figures .pair img.figure {{ max-width: 49%; }}
@media print {{
  @page {{ size: A4; margin: 10mm; }}
  body {{ max-width: none; margin: 0; font-size: 9pt; }}
  h2 {{ break-after: avoid; }}
  img.figure {{ break-inside: avoid; max-height: 120mm; object-fit: contain; }}
  table, dl {{ break-inside: avoid; }}
  .card {{ break-before: page; break-inside: avoid; border: none; margin: 0; padding: 0; }}
  .card .detail {{ display: none; }}
  .card .journey img.figure {{ width: 100%; max-height: 110mm; }}
  .card .pair {{ flex-wrap: nowrap; gap: 3mm; }}
  .card .pair img.figure {{ width: 49%; max-height: 80mm; }}
}}
</style>
</head>
<body>
{body}
</body>
</html>
"""
