"""The drift report as one small HTML page for people: verdict, flags, and the tables behind them.

The skeleton, the shared style sheet and the escaped tables come from
:mod:`persona.report._html`, the page the persona report is built on too;
this module adds the verdict's colours and what goes where.

Strings out only: :meth:`DriftReport.to_html` writes the file.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import pandas as pd

from persona.report._html import escaped, page, table

if TYPE_CHECKING:  # pragma: no cover
    from persona.drift._report import DriftReport

__all__ = ["drift_page"]

_STYLE = """\
.verdict { font-size: 1.15em; font-weight: 600; padding: 0.6em 1em; border-radius: 6px; }
.verdict.refit { background: #fde2e1; }
.verdict.look { background: #fff4d6; }
.verdict.ok { background: #e3f4e1; }
"""


def drift_page(report: DriftReport) -> str:
    """The whole page: no script, no external resource."""
    return page("Persona drift report", _body(report), width="1000px", style=_STYLE)


def _body(report: DriftReport) -> str:
    features = report.features
    flagged = features[features["status"] != "ok"]
    verdict_class = "refit" if report.refit_recommended else "look" if report.flags else "ok"
    items = "".join(f"<li>{escaped(flag)}</li>" for flag in report.flags) or "<li>none</li>"
    personas = [
        (p, f"{before:.1%}", f"{now:.1%}", f"{100 * shift:+.1f}")
        for p, before, now, shift in report.personas.itertuples(index=False)
    ]
    parts = [
        "<h1>Persona drift report</h1>",
        f"<p class='verdict {verdict_class}'>{escaped(report.verdict)}</p>",
        f"<p class='lead'>{report.n_customers:,} customers tonight against "
        f"{report.reference_customers:,} training customers.</p>",
        "<h2>Flags</h2>",
        f"<ul>{items}</ul>",
        "<h2>Flagged features</h2>",
        _feature_table(flagged) if len(flagged) else "<p>none</p>",
        "<h2>Persona shares</h2>",
        table(["persona", "reference", "tonight", "shift (points)"], personas),
        "<h2>Confidence, unassigned and coverage</h2>",
        table(["measure", "reference", "tonight", "change"], _measures(report)),
        "<h2>All features by PSI</h2>",
        _feature_table(features),
        "<h2>Thresholds</h2>",
        table(["threshold", "value"], list(asdict(report.thresholds).items())),
    ]
    return "\n".join(parts)


def _measures(report: DriftReport) -> list[tuple[str, str, str, str]]:
    """Mean confidence, unassigned rate and each signal's coverage: before, tonight, change."""
    # Shares and their changes read as percentages and points; confidence as it is.
    scalars = [
        ("mean confidence", report.mean_confidence, 1, "{:.3f}", "{:+.3f}"),
        ("unassigned rate", report.unassigned_rate, 100, "{:.1f}%", "{:+.1f} points"),
    ]
    scalars += [
        (f"{row.signal} coverage", row._asdict(), 100, "{:.1f}%", "{:+.1f} points")
        for row in report.coverage.itertuples()
    ]
    return [
        (
            name,
            *(shown.format(unit * v[k]) for k in ("reference", "current")),
            change.format(unit * v["change"]),
        )
        for name, v, unit, shown, change in scalars
    ]


def _feature_table(frame: pd.DataFrame) -> str:
    rows = [
        (feature, f"{psi:.3f}", status, f"{before:.1%}", f"{now:.1%}")
        for feature, psi, status, before, now in frame.itertuples(index=False)
    ]
    header = ["feature", "PSI", "status", "missing (reference)", "missing (tonight)"]
    return table(header, rows)
