"""The report's overview pages: the personas side by side, how they were found, and the words.

- :func:`comparison` (and :func:`plot_comparison`): per persona, its share of
  customers and of revenue, value per customer, survey coverage, mean
  confidence, stability when assessed, and its needs against the rest in the
  instrument's own order;
- :func:`method_html`: the signals used and their coverage, how personas were
  found, and the structure verdict with its figures;
- :func:`glossary_html`: the moments of truth, Cohen's d, confidence and
  unassigned, in a marketer's words;
- :func:`instrument_html`: careless respondents, reliability, confirmatory
  fit and measurement invariance of the survey;
- :func:`table_html`: every table of the report, with human column names and
  numbers as people write them (thousands separators, never scientific
  notation).

These read a fitted model's documented attributes only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from persona.contract import MOMENT_DESCRIPTIONS
from persona.report._html import definition_list, escaped

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from persona.model import PersonaModel

__all__ = [
    "comparison",
    "glossary_html",
    "instrument_html",
    "method_html",
    "need_order",
    "not_comparable_html",
    "number_text",
    "plot_comparison",
    "table_html",
]


def need_order(model: PersonaModel) -> list[str]:
    """The need dimensions' traits in the instrument's order (else as profiled)."""
    needs = model.profile_[model.profile_["family"] == "need"]
    features = list(dict.fromkeys(needs["feature"]))
    instrument = getattr(model, "instrument", None) or getattr(model.features_, "instrument", None)
    if instrument is not None:
        rank = {f"psychographic__{d}": i for i, d in enumerate(instrument.dimensions)}
        features.sort(key=lambda f: rank.get(f, len(rank)))
    labels = needs.drop_duplicates("feature").set_index("feature")["trait"]
    return [labels[f] for f in features]


def comparison(model: PersonaModel) -> pd.DataFrame:
    """The personas side by side: one row each, by ``persona_id``.

    Columns: ``name``, ``customers``, ``customer_share``, ``revenue_share``
    (of the base's total spend), ``value_per_customer`` (mean total spend),
    ``survey_coverage`` (share who answered the survey), ``confidence``,
    ``stability`` (NaN until ``model.assess_stability()``), then the need
    dimensions' Cohen's d against the rest, in the instrument's order.
    """
    personas = model.personas_
    profile = model.profile_
    frame = pd.DataFrame(index=personas.index)
    frame["name"] = personas["name"]
    frame["customers"] = personas["size"]
    frame["customer_share"] = personas["share"]
    spend = profile[profile["feature"] == "behaviour__total_spend"].set_index("persona_id")
    if len(spend):
        revenue = (spend["persona_mean"] * spend["n"]).reindex(frame.index)
        frame["revenue_share"] = revenue / revenue.sum()
        frame["value_per_customer"] = spend["persona_mean"].reindex(frame.index)
    needs = profile[profile["family"] == "need"]
    if len(needs):
        answered = needs.groupby("persona_id")["n"].max().reindex(frame.index)
        frame["survey_coverage"] = answered / frame["customers"]
    frame["confidence"] = personas["confidence"]
    stability = getattr(model, "stability_", None)
    frame["stability"] = np.nan if stability is None else pd.Series(stability).reindex(frame.index)
    if len(needs):
        grid = needs.pivot(index="persona_id", columns="trait", values="smd")
        frame = frame.join(grid[need_order(model)])
    return frame


def plot_comparison(model: PersonaModel) -> Figure:
    """The personas side by side: customers and revenue, and their needs in instrument order."""
    from persona.report._figure import PersonaFigure

    table = comparison(model)
    needs = need_order(model)
    fig = PersonaFigure(figsize=(12, 1.6 + 0.55 * len(table)), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 2.2])
    labels = [f"{p}: {n}" for p, n in table["name"].items()]
    rows = np.arange(len(table))
    left.barh(rows - 0.2, table["customer_share"], height=0.4, label="customers", color="#4c72b0")
    if "revenue_share" in table:
        left.barh(rows + 0.2, table["revenue_share"], height=0.4, label="revenue", color="#dd8452")
    left.set_yticks(rows, labels)
    left.invert_yaxis()
    left.xaxis.set_major_formatter(_percent())
    left.set_title("Share of customers and of revenue")
    left.legend(loc="lower right", fontsize=8)
    if needs:
        values = table[needs].to_numpy(dtype=float)
        limit = max(1.0, float(np.nanmax(np.abs(values)))) if np.isfinite(values).any() else 1.0
        image = right.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        right.set_xticks(range(len(needs)), needs, rotation=30, ha="right")
        right.set_yticks(rows, [])
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                right.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize=8,
                           color="white" if abs(value) > 0.6 * limit else "black")  # fmt: skip
        right.set_title("Needs against the rest (Cohen's d)")
        fig.colorbar(image, ax=right, label="Cohen's d", shrink=0.9)
    else:
        right.text(0.5, 0.5, "no survey: no need dimensions", ha="center", va="center")
        right.set_axis_off()
    return fig


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


_GLOSSARY = {
    "Persona": "a group of customers who share needs, desires and ways of moving through the "
    "journey; named after what sets them apart from the rest of the base.",
    **{moment: text[0].upper() + text[1:] + "." for moment, text in MOMENT_DESCRIPTIONS.items()},
    "Cohen's d": "how far a persona's average stands from the rest of the base, in standard "
    "deviations: 0.2 is small, 0.5 medium, 0.8 and above large. Positive means more than the "
    "rest.",
    "Confidence": "the chance that the persona given is the one the customer's whole record "
    "would get; with fewer touchpoints and no survey it is lower, and says so.",
    "Unassigned": "a customer too far from every persona to be placed with confidence: new "
    "behaviour worth a look, not an error.",
    "Journey steps": "from one touchpoint to the customer's next: forward (to the next "
    "moment, sharing leading to the next customer's research), stay (same moment), back (to an "
    "earlier moment, such as research after purchase) or jump (skipping a moment, such as "
    "sharing without experience).",
}


def glossary_html() -> str:
    """The glossary as an HTML definition list."""
    return definition_list(_GLOSSARY, css_class="glossary")


def method_html(model: PersonaModel) -> str:
    """Signals used and their coverage, how personas were found, and the structure verdict."""
    groups = getattr(model.assigner_, "groups", {})
    signals = {"behaviour": "touchpoints", "psychographic": "survey", "emotion": "emotions"}
    used = [word for group, word in signals.items() if group in groups] or ["a feature matrix"]
    parts = [f"Signals used: {', '.join(used)}; {len(model.labels_):,} customers."]
    counts = getattr(model, "careless_", None)
    if counts is not None:
        respondents = counts["respondents"]
        parts.append(
            f"{respondents:,} answered the survey ({respondents / len(model.labels_):.0%}); "
            f"{counts['careless']:,} of them carelessly, left out of discovery."
        )
    source = model.label_source_.value_counts()
    parts.append(
        f"Personas were discovered on {source.get('discovery', 0):,} customers; "
        f"{source.get('distilled', 0):,} more were placed by the assignment model from what "
        f"their records hold, and {source.get('unassigned', 0):,} are unassigned."
    )
    selection = getattr(model, "selection_", None)
    if selection is not None and "chosen" in selection and selection["chosen"].any():
        chosen = selection[selection["chosen"]].iloc[0]
        how = "latent need profiles" if "space" in selection else "UMAP and HDBSCAN"
        parts.append(f"They were found as {how}; {int(chosen['n_personas'])} fitted best.")
    structure = getattr(model, "structure_", None)
    if structure is not None:
        parts.append(
            f"Structure test: these {structure.n_personas} groups stand {structure.gap:.3f} "
            f"above null references of the same customers (standard error "
            f"{structure.standard_error:.3f}, over {structure.columns}): personas, not noise."
        )
    elif model.n_personas_ == 1:
        parts.append("One persona: the base showed no structure to split it by.")
    return "".join(f"<p>{escaped(p)}</p>" for p in parts)


def table_html(frame: pd.DataFrame) -> str:
    """An HTML table with human column names and numbers as people write them."""
    shown = frame.rename(columns=lambda c: _HEADERS.get(str(c), str(c).replace("_", " ")))
    return shown.to_html(index=False, float_format=number_text, border=0, escape=True, na_rep="-")


def number_text(value: float) -> str:
    """Thousands separators, two decimals, never scientific notation."""
    if not np.isfinite(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 0.01 or value == 0:
        return f"{value:,.2f}"
    if abs(value) >= 0.0001:
        return f"{value:.4f}"
    return "< 0.0001" if value > 0 else "> -0.0001"


_HEADERS = {"persona_mean": "persona", "base_mean": "base", "smd": "Cohen's d",
            "n_items": "items", "persona_id": "persona"}  # fmt: skip


def not_comparable_html(model: PersonaModel) -> str:
    """The caution for demographics across which needs are not comparable ("" when none)."""
    checked = getattr(model, "psychometrics_", None)
    columns = [] if checked is None else checked.not_comparable
    if not columns:
        return ""
    levels = checked.invariance["level"]
    shown = ", ".join(f"{escaped(c)} ({levels[c]} invariance only)" for c in columns)
    return (
        f"Needs are not comparable across the groups of {shown}: a difference in needs "
        "between those groups may be one of answer style."
    )


_SIGNS = {"longstring": "long-string", "mahalanobis": "Mahalanobis distance",
          "even_odd": "even-odd inconsistency", "scatter": "within-dimension scatter",
          "speed": "response time"}  # fmt: skip
_INVARIANCE_LABELS = {"column": "demographic", "comparable": "needs comparable",
                      "configural_cfi": "configural CFI", "metric_p": "metric p",
                      "scalar_p": "scalar p"}  # fmt: skip


def instrument_html(model: PersonaModel) -> str:
    """Careless respondents, reliability, confirmatory fit and invariance of the survey."""
    checked = getattr(model, "psychometrics_", None)
    if checked is None:
        return "<p>No survey was given at fit.</p>"
    parts = []
    if checked.careless is not None:
        counts = checked.careless
        signs = ", ".join(
            f"{label} {counts[name]:,}" for name, label in _SIGNS.items() if name in counts.index
        )
        parts.append(
            f"<p>{counts['careless']:,} of {counts['respondents']:,} respondents answered "
            f"carelessly and took no part in discovering personas or in the figures below "
            f"(by sign: {signs}); they still have a persona, from all their signals.</p>"
        )
    reliability = checked.reliability.reset_index().set_axis(
        ["dimension", "items", "alpha", "omega total", "respondents"], axis=1
    )
    parts.append("<h4>Reliability per dimension</h4>" + table_html(reliability))
    if checked.omega is not None:
        o = checked.omega
        parts.append(
            f"<p>The whole instrument as a general factor and one group factor per dimension: "
            f"omega hierarchical {o.omega_h:.2f}, omega total {o.omega_total:.2f}, alpha "
            f"{o.alpha:.2f}.</p>"
        )
    if checked.fit is not None:
        f = checked.fit
        parts.append(
            f"<h4>Does the dimension map fit? {f.verdict}</h4><p>Confirmatory factor model on "
            f"{f.n:,} respondents who answered every item: chi-square {f.chi2:,.1f} on {f.df} "
            f"df, CFI {f.cfi:.3f}, TLI {f.tli:.3f}, RMSEA {f.rmsea:.3f} [{f.rmsea_low:.3f}, "
            f"{f.rmsea_high:.3f}], SRMR {f.srmr:.3f}.</p>"
        )
    if not checked.invariance.empty:
        parts.append(
            "<h4>Measurement invariance across demographic groups</h4><p>Configural, metric "
            "(equal loadings), scalar (equal intercepts): needs are comparable across groups "
            "only when scalar invariance holds.</p>"
            + table_html(checked.invariance.reset_index().rename(columns=_INVARIANCE_LABELS))
        )
    parts += [f"<p class='note'>{escaped(note)}</p>" for note in checked.notes]
    return "\n".join(parts)
