"""persona.drift._page: the drift report as one small HTML page on the shared page and style
sheet, its verdict coloured, its tables written as people read them."""

import numpy as np
import pandas as pd
from helpers_drift import hand_computed_example

from persona.drift import DriftAccumulator, DriftThresholds, drift_reference
from persona.drift._page import drift_page


def test_the_html_page_stands_on_the_shared_page_and_style_sheet(tmp_path):
    train = pd.DataFrame({"behaviour__x": np.arange(20.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    counted = DriftAccumulator(drift_reference(train, scores)).update(train, scores)
    path = counted.report(DriftThresholds(min_customers=1)).to_html(tmp_path / "drift.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert "<title>Persona drift report</title>" in page and page.endswith("</html>\n")
    style = page[page.index("<style>") : page.index("</style>")]
    assert "max-width: 1000px" in style and ".verdict.refit { background: #fde2e1; }" in style
    assert "td, th { padding: 0.2em 0.8em;" in style
    assert "<p class='verdict ok'>No refit needed" in page
    assert "<li>none</li>" in page and "<h2>Flagged features</h2>\n<p>none</p>" in page


def test_the_tables_read_as_shares_points_and_the_thresholds():
    # The hand-computed example of test_drift_report: shares 10 | 50 | 40 % become 0 | 30 | 70 %.
    train, train_scores, now, now_scores = hand_computed_example()
    reference = drift_reference(train, train_scores, bins=4)
    report = DriftAccumulator(reference).update(now, now_scores).report()
    page = drift_page(report)
    for row in (
        ("-1", "10.0%", "0.0%", "-10.0"),
        ("0", "50.0%", "30.0%", "-20.0"),
        ("1", "40.0%", "70.0%", "+30.0"),
        ("mean confidence", "0.800", "0.500", "-0.300"),
        ("unassigned rate", "10.0%", "0.0%", "-10.0 points"),
        ("behaviour coverage", "100.0%", "100.0%", "+0.0 points"),
        ("psi_major", "0.25"),
        ("min_customers", "1000"),
    ):
        assert "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" in page
    psi = report.features.loc[0, "psi"]
    cells = ("behaviour__x", f"{psi:.3f}", "major", "20.0%", "10.0%")  # missing: before, tonight
    feature_row = "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
    assert page.count(feature_row) == 2  # flagged, and among all features
    assert "<p class='lead'>10 customers tonight against 10 training customers.</p>" in page
