"""The persona report: one self-contained HTML file showing what a fitted PersonaModel found.

:func:`write_report` lays out the overview (map, sizes, needs, the personas
side by side), how the personas were found, the demographic audit, the survey
instrument, how sure an assignment is, the glossary, and one card per persona.
Every figure (from :mod:`._figures` and :mod:`._journey_plots`) is embedded as
a PNG data URI, on the page and style sheet of :mod:`._html`, with no external
resource: the file opens offline, from a mail attachment or a shared drive.

It reads a fitted model's documented attributes and writes only ``index.html``.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona._progress import stage
from persona.profiling._journey_map import BASE
from persona.report._figures import (
    plot_map,
    plot_need_heatmap,
    plot_profile,
    plot_reliability,
    plot_sizes,
)
from persona.report._html import definition_list, escaped, page
from persona.report._journey_plots import plot_activation, plot_journey
from persona.report._pages import (
    comparison,
    glossary_html,
    instrument_html,
    method_html,
    not_comparable_html,
    number_text,
    plot_comparison,
    table_html,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from persona.model import PersonaModel

__all__ = ["write_report"]

log = logging.getLogger(__name__)


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
    path = out / "index.html"
    text = page("Persona report", "\n".join(sections), width="1150px", style=_STYLE)
    path.write_text(text, encoding="utf-8")
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
        f"<h3>{persona}: {escaped(row['name'])}</h3>"
        f"<p>{escaped(row['description'])}</p>"
        + definition_list(facts)
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
    kept = model.fitted_.comments
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
    items = "".join(f"<li>&ldquo;{escaped(q)}&rdquo;</li>" for q in quotes)
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
    return f"<img class='figure' alt='{escaped(alt)}' src='data:image/png;base64,{data}'>"


# The shared style sheet (type, width, tables) comes from _html; these are the report's own.
_STYLE = """\
.overview { display: flex; flex-wrap: wrap; gap: 1em; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 1em 1.5em; margin: 1.5em 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: 600; }
img.figure { max-width: 100%; }
.caution { color: #8a4b00; }
.figures .pair { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.figures .pair img.figure { max-width: 49%; }
@media print {
  @page { size: A4; margin: 10mm; }
  body { max-width: none; margin: 0; font-size: 9pt; }
  h2 { break-after: avoid; }
  img.figure { break-inside: avoid; max-height: 120mm; object-fit: contain; }
  table, dl { break-inside: avoid; }
  .card { break-before: page; break-inside: avoid; border: none; margin: 0; padding: 0; }
  .card .detail { display: none; }
  .card .journey img.figure { width: 100%; max-height: 110mm; }
  .card .pair { flex-wrap: nowrap; gap: 3mm; }
  .card .pair img.figure { width: 49%; max-height: 80mm; }
}
"""
