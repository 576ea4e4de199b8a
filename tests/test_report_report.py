"""persona.report._report: the persona report, one card per persona, every figure, offline in
headless Chromium and on paper."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from persona.profiling._journey_map import BASE
from persona.report import plot_need_heatmap, plot_sizes

ARTIFACTS = Path(os.environ.get("PERSONA_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))


@pytest.fixture(scope="module")
def report(persona_model, tmp_path_factory):
    return persona_model.report(tmp_path_factory.mktemp("report"))


def test_report_has_a_card_per_persona_and_every_figure(report, persona_model):
    page = report.read_text()
    k = persona_model.n_personas_
    assert page.count("<section class='card'") == k
    for persona, name in persona_model.personas_["name"].items():
        assert f"id='persona-{persona}'" in page and name in page
    images = re.findall(r"<img [^>]*src='data:image/png;base64,", page)
    # map, sizes, heatmap, comparison, reliability by evidence + a profile, journey map and
    # activity map per persona
    assert len(images) == 5 + 3 * k
    for card in page.split("<section class='card'")[1:]:
        moments = re.findall(r"<td>(ZMOT|FMOT|SMOT|UMOT)</td>", card)
        assert moments == ["ZMOT", "FMOT", "SMOT", "UMOT"]  # in journey order, on every card
        assert "alt='journey map of persona" in card and "alt='activity map of persona" in card
    assert "How sure an assignment is" in page and "alt='reliability by evidence'" in page
    assert "Demographic audit" in page and "cramers_v" in page
    assert page.count("Demographics (described beside the persona, never used to form it)") == k
    # nothing to fetch: no external scripts, styles, fonts or images
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)


def test_report_reads_as_a_marketer_reads_it(report, persona_model, customers):
    page = report.read_text()
    text = re.sub(r"src='data:image/png;base64,[^']*'", "", page)  # the words, not the images
    assert not re.search(r"\d\.?\d*[eE][+-]?\d", text)  # no number in scientific notation
    for section in ("Personas side by side", "How the personas were found", "Glossary"):
        assert f"<h2>{section}</h2>" in page
    for term in ("ZMOT", "FMOT", "SMOT", "UMOT", "Cohen's d", "Confidence", "Unassigned"):
        assert f"<dt>{term}</dt>" in page.replace("&#x27;", "'")
    assert "Structure test: these" in page and "personas, not noise" in page
    # every reach hint names a channel-device pair the customers use
    used = {
        (c.replace("_", " "), d.replace("_", " "))
        for c, d in zip(customers.events["channel"], customers.events["device"], strict=True)
    }
    hints = re.findall(r"<dt>reach</dt><dd>([a-z ]+) via ([a-z ]+) \(", page)
    assert len(hints) == persona_model.n_personas_
    assert set(hints) <= used
    # the comparison: every persona, shares as percentages, revenue beside customers
    assert "revenue share" in page and "survey coverage" in page


@pytest.fixture(scope="module")
def one_persona_model():
    """The shape of a base with no structure, or one too small to split: a single persona."""
    from persona.datasets import make_customers
    from persona.model import PersonaModel

    data = make_customers(n_customers=600, random_state=1)
    return PersonaModel(instrument=data.instrument, n_personas=1, random_state=0).fit(
        events=data.events, survey=data.survey, emotions=data.emotions,
        demographics=data.demographics,
    )  # fmt: skip


def test_a_one_persona_model_renders_every_figure_and_its_report(one_persona_model, tmp_path):
    """Nothing to contrast a lone persona with: the figures say so instead of warning
    (pytest turns every warning into an error here)."""
    model = one_persona_model
    assert model.n_personas_ == 1
    heatmap = plot_need_heatmap(model)
    assert [t.get_text() for t in heatmap.axes[0].texts] == ["one persona: no rest to contrast"]
    assert len(model.plot_profile(0).axes) == 4
    assert isinstance(model.plot_map(max_points=200), Figure)
    assert isinstance(plot_sizes(model), Figure)
    page = model.report(tmp_path / "report").read_text()
    assert page.count("<section class='card'") == 1
    assert len(re.findall(r"<img [^>]*src='data:image/png;base64,", page)) == 8
    assert isinstance(model.plot_journey(0), Figure)  # the base's journey is the persona's
    assert isinstance(model.plot_activation(0), Figure)


def test_report_renders_offline_in_headless_chromium(report, persona_model):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("PERSONA_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium package)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    profile = report.parent / "chromium-profile"
    offline = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: the page must need none
    ]  # fmt: skip
    dom = subprocess.run(
        [*offline, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="card"') == persona_model.n_personas_
    shot = subprocess.run(
        [*offline, "--window-size=1200,2400", f"--screenshot={screenshot}", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(screenshot)
    assert pixels.shape[:2] == (2400, 1200)
    assert np.std(pixels[..., :3]) > 0.05  # figures drawn, not a blank page


def test_report_shows_the_instrument_careless_respondents_and_invariance(report, persona_model):
    page = report.read_text()
    checked = persona_model.psychometrics_
    assert "The survey instrument" in page
    counts = persona_model.careless_
    assert (
        f"{counts['careless']:,} of {counts['respondents']:,} respondents answered carelessly"
        in page
    )
    for dimension in persona_model.instrument.dimensions:
        assert f"<td>{dimension}</td>" in page
    assert f"CFI {checked.fit.cfi:.3f}" in page and f"SRMR {checked.fit.srmr:.3f}" in page
    assert "Measurement invariance across demographic groups" in page
    assert set(checked.invariance.index) == set(persona_model.audit_.index)


def test_where_needs_are_not_comparable_the_audit_and_every_card_say_so(persona_model, tmp_path):
    import copy
    import dataclasses

    model = copy.copy(persona_model)
    invariance = persona_model.psychometrics_.invariance.astype(object)
    invariance.loc["region", ["level", "comparable"]] = ["metric", False]
    model.psychometrics_ = dataclasses.replace(persona_model.psychometrics_, invariance=invariance)
    page = model.report(tmp_path).read_text()
    caution = "Needs are not comparable across the groups of region (metric invariance only)"
    assert page.count(caution) == 1 + persona_model.n_personas_  # the audit, then each card


# --------------------------------------------------------------------------- in a browser


_OWN_WORDS = {"search": "cerca_prodotto", "product_view": "scheda_prodotto",
              "purchase": "ordine_effettuato", "write_review": "recensione_scritta"}  # fmt: skip


@pytest.fixture(scope="module")
def vocabulary_model():
    """A base that names its event types in its own words, mapped by its own taxonomy."""
    from persona.contract._journey import DEFAULT_TAXONOMY
    from persona.datasets import make_customers
    from persona.model import PersonaModel

    data = make_customers(n_customers=1500, random_state=2)
    events, emotions = (
        table.assign(event_type=table["event_type"].astype(str).replace(_OWN_WORDS))
        for table in (data.events, data.emotions)
    )
    taxonomy = {_OWN_WORDS.get(e, e): m for e, m in DEFAULT_TAXONOMY.items()}
    journey = {"taxonomy": taxonomy, "purchase_types": ["ordine_effettuato"]}
    return PersonaModel(instrument=data.instrument, journey=journey, random_state=0).fit(
        events=events, survey=data.survey, emotions=emotions, demographics=data.demographics
    )


def _chromium(report: Path, *arguments: str) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("PERSONA_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium package)")
    offline = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={report.parent / 'chromium-profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--no-pdf-header-footer",
    ]  # fmt: skip
    done = subprocess.run([*offline, *arguments, report.as_uri()], capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.mark.parametrize("which", ["six personas", "one persona", "own vocabulary"])
def test_report_in_headless_chromium_reads_and_prints_a_card_a_page(
    which, persona_model, one_persona_model, vocabulary_model, customers, tmp_path
):
    model = {"six personas": persona_model, "one persona": one_persona_model,
             "own vocabulary": vocabulary_model}[which]  # fmt: skip
    page = model.report(tmp_path / "report")
    dom = _chromium(page, "--dump-dom").stdout
    cards = dom.split('class="card"')[1:]
    assert len(cards) == model.n_personas_
    for card in cards:
        moments = re.findall(r"<td>(ZMOT|FMOT|SMOT|UMOT)</td>", card)
        assert moments == ["ZMOT", "FMOT", "SMOT", "UMOT"]
    words = re.sub(r'src="data:image/png;base64,[^"]*"', "", dom)
    assert not re.search(r"\d\.?\d*[eE][+-]?\d", words)
    assert "<h2>Glossary</h2>" in dom and "<h2>How the personas were found</h2>" in dom
    if which == "own vocabulary":
        assert "cerca_prodotto" in dom and "ordine_effettuato" in dom  # their words, not ours
    # every reach hint names a channel-device pair the base's touchpoints hold
    base = model.journey_maps_.pairs.loc[BASE]
    occurring = {(c.replace("_", " "), d.replace("_", " "))
                 for c, d in base.index[base["share"] > 0]}  # fmt: skip
    hints = re.findall(r"<dt>reach</dt><dd>([a-z ]+) via ([a-z ]+) \(", dom)
    assert len(hints) == model.n_personas_ and set(hints) <= occurring
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = which.replace(" ", "-")
    shot = ARTIFACTS / f"report-{name}.png"
    _chromium(page, "--window-size=1200,3000", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000
    # On paper: the overview pages, then one page a persona, nothing cut across pages.
    pdf = ARTIFACTS / f"report-{name}.pdf"
    _chromium(page, f"--print-to-pdf={pdf}")
    overview = page.with_name("overview.html")
    overview.write_text(re.sub(r"<section class='card'.*?</section>", "", page.read_text(),
                               flags=re.DOTALL))  # fmt: skip
    overview_pdf = tmp_path / "overview.pdf"
    _chromium(overview, f"--print-to-pdf={overview_pdf}")
    assert _pages(pdf) == _pages(overview_pdf) + model.n_personas_


def test_comments_are_off_by_default_and_never_saved(report, persona_model, customers, tmp_path):
    quoted = re.compile(r"<ul class='voices'>(.*?)</ul>", re.DOTALL)
    default = report.read_text()  # the module's report, written with the default settings
    assert "What customers say" not in default and not quoted.search(default)
    page = persona_model.report(tmp_path / "quoted", comments=True).read_text()
    quotes = re.findall(r"<li>&ldquo;(.*?)&rdquo;</li>", page)
    texts = set(customers.emotions["text"].dropna())
    assert quotes and {q.replace("&#x27;", "'") for q in quotes} <= texts  # their own words
    assert page.count("What customers say") == persona_model.n_personas_
    saved = persona_model.save(tmp_path / "model")
    loaded = __import__("persona").load(saved)
    again = loaded.report(tmp_path / "loaded", comments=True).read_text()
    assert "never in a saved one" in again and not quoted.search(again)
    with pytest.raises(ValueError, match=r"Got comments='yes'"):
        persona_model.report(tmp_path / "x", comments="yes")


def test_the_report_and_the_drift_page_share_one_page_and_style_sheet(report, tmp_path):
    import pandas as pd

    from persona.drift import DriftAccumulator, drift_reference

    train = pd.DataFrame({"behaviour__x": np.arange(20.0)})
    scores = pd.DataFrame({"persona_id": 0, "confidence": 0.9}, index=train.index)
    counted = DriftAccumulator(drift_reference(train, scores)).update(train, scores)
    drift = counted.report().to_html(tmp_path / "drift.html").read_text(encoding="utf-8")
    page = report.read_text(encoding="utf-8")
    for text, title, width in ((page, "Persona report", "1150px"),
                               (drift, "Persona drift report", "1000px")):  # fmt: skip
        opening = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        assert text[: text.index("<style>")] == f"{opening}<title>{title}</title>\n"
        style = text[text.index("<style>") : text.index("</style>")]
        assert f"margin: 2em auto; max-width: {width}; color: #222; }}" in style
        for rule in (".lead { color: #555; }", "td, th { padding: 0.2em 0.8em;",
                     "table { border-collapse: collapse; font-size: 0.9em;"):  # fmt: skip
            assert rule in style
        assert text.endswith("</body>\n</html>\n")
    # On paper the report's own body rule overrides the shared one, so it must come after it.
    assert page.index("body { font-family") < page.index("@media print")
