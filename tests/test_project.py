"""The project file, CSV dialects and timestamp formats, and `persona init / fit` on a
base in its own vocabulary."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import persona
from persona.contract._tables import ReadOptions, read_table, sniff_csv
from persona.datasets import make_customers
from persona.project import Project, suggested_moment, vocabulary_problems

_OWN = {"purchase": "order_placed", "search": "cerca_prodotto", "share": "instagram_post"}


def test_sniff_reads_an_italian_spreadsheet(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes("\ufeffcustomer_id;value\n1;3,5\n2;\n".encode())
    found = sniff_csv(path)
    assert (found.delimiter, found.decimal) == (";", ",")
    frame = read_table(path, "events")
    assert list(frame.columns) == ["customer_id", "value"]  # the byte-order mark is skipped
    assert frame["value"].iloc[0] == 3.5


def test_timestamp_format_parses_day_first_and_names_rows_that_do_not_fit(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp\n1,18/01/2025 14:00\n2,2025-01-19\n")
    with pytest.raises(persona.InputError, match=r"1 of 2 rows .* fit the format") as caught:
        read_table(path, "events", options=ReadOptions(timestamp_format="%d/%m/%Y %H:%M"))
    assert "customer_id=2" in str(caught.value)
    path.write_text("customer_id,timestamp\n1,18/01/2025 14:00\n")
    frame = read_table(path, "events", options=ReadOptions(timestamp_format="%d/%m/%Y %H:%M"))
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2025-01-18 14:00")


def test_read_options_refuse_what_cannot_be_a_dialect():
    with pytest.raises(ValueError, match="one character for both"):
        ReadOptions(delimiter=",", decimal=",")
    with pytest.raises(ValueError, match="strftime format"):
        ReadOptions(timestamp_format="dd/mm/yyyy")


def test_suggested_moments_read_english_and_italian_names():
    assert suggested_moment("cerca_prodotto") == "ZMOT"
    assert suggested_moment("leggi_recensioni") == "ZMOT"
    assert suggested_moment("visita_negozio") == "FMOT"
    assert suggested_moment("order_placed") == "SMOT"
    assert suggested_moment("instagram_post") == "UMOT"
    assert suggested_moment("xyz") is None


def test_project_refuses_an_unknown_setting_by_name(tmp_path):
    with pytest.raises(persona.InputError, match=r"unknown setting\(s\) \['model.n_clusters'\]"):
        Project.from_dict({"tables": {"events": "e.csv"}, "model": {"n_clusters": 3}})


def test_project_reads_careless_rules_and_names_a_wrong_one():
    from persona.features.careless import CarelessRules

    project = Project.from_dict({"tables": {"events": "e.csv"},
                                 "model": {"careless": {"duration_column": "seconds",
                                                        "max_scatter": 4}}})  # fmt: skip
    assert project.careless == CarelessRules(duration_column="seconds", max_scatter=4)
    assert project.persona_model().careless == project.careless
    with pytest.raises(persona.InputError, match=r"\['model.careless.max_time'\]"):
        Project.from_dict({"tables": {"events": "e.csv"}, "model": {"careless": {"max_time": 3}}})
    with pytest.raises(persona.InputError, match=r"Got max_longstring=2"):
        Project.from_dict({"tables": {"events": "e.csv"},
                           "model": {"careless": {"max_longstring": 2}}})  # fmt: skip


def test_persona_fit_reads_a_duration_column_named_in_the_project_file(tmp_path, capsys):
    from persona.cli import main

    data = make_customers(800, random_state=2)
    survey = data.survey.assign(seconds=150.0)
    survey.loc[survey.index[:12], "seconds"] = 20.0  # under a second per item
    data.events.to_csv(tmp_path / "events.csv", index=False)
    survey.to_csv(tmp_path / "survey.csv", index=False)
    data.instrument.to_file(tmp_path / "needs.yaml")
    (tmp_path / "persona.yaml").write_text(
        "tables: {events: events.csv, survey: survey.csv}\ninstrument: needs.yaml\n"
        "model: {random_state: 0, careless: {duration_column: seconds}}\n"
    )
    config = str(tmp_path / "persona.yaml")
    assert main(["validate", "--config", config]) == 0
    assert main(["fit", "--config", config, "--out", str(tmp_path / "out"), "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "respondents answered carelessly and took no part in discovery" in said
    model = persona.load(tmp_path / "out" / "model")
    assert model.careless_["speed"] == 12


def test_model_refuses_conflicting_arguments_at_construction():
    with pytest.raises(ValueError, match=r"Got both features= and instrument=.*journey="):
        persona.PersonaModel(
            make_customers(300, random_state=0).instrument,
            journey={"purchase_types": ["order"]},
            features=persona.FeatureBuilder(),
        )


def test_vocabulary_problems_name_unmapped_types_and_unmatched_purchases():
    events = pd.DataFrame({"event_type": ["order_placed", "order_placed", "search"],
                           "value": [10.0, 5.0, None]})  # fmt: skip
    problems = vocabulary_problems(events, persona.JourneySettings())
    assert problems[0].startswith("events: 2 of 3 rows have event types outside the taxonomy")
    assert "purchase_types ['purchase'] match no row" in problems[1]
    assert "'order_placed' (2)" in problems[1]
    settings = persona.JourneySettings(
        taxonomy={"order_placed": "SMOT", "search": "ZMOT"}, purchase_types="order_placed"
    )
    assert vocabulary_problems(events, settings) == []


def _persona(*args: str, cwd) -> subprocess.CompletedProcess:
    """Runs the installed command line as a user does, from the project folder."""
    done = subprocess.run([sys.executable, "-m", "persona", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_newcomer_init_fit_score_serve_in_their_own_vocabulary(tmp_path, persona_server):
    """A new user's base as an Italian spreadsheet writes it: their own event names,
    semicolons, decimal commas, day-first timestamps, rows in no order. Every step runs
    as a subprocess, as the user runs it."""
    data = make_customers(1_000, survey_coverage=0.5, random_state=0)
    events = data.events.drop(columns="session_id")
    events["event_type"] = events["event_type"].astype(str).replace(_OWN)
    events["timestamp"] = events["timestamp"].dt.strftime("%d/%m/%Y %H:%M:%S")
    events["value"] = events["value"].map(lambda v: "" if v != v else f"{v:.2f}".replace(".", ","))
    events = events.sample(frac=1, random_state=0)
    events.to_csv(tmp_path / "events.csv", sep=";", index=False)
    data.survey.to_csv(tmp_path / "survey.csv", sep=";", index=False)
    data.instrument.to_file(tmp_path / "instrument.yaml")

    _persona("init", "--events", "events.csv", "--survey", "survey.csv",
             "--instrument", "instrument.yaml", cwd=tmp_path)  # fmt: skip
    text = (tmp_path / "persona.yaml").read_text()
    assert '"order_placed": SMOT' in text and 'purchase_types: ["order_placed"]' in text
    assert 'timestamp_format: "%d/%m/%Y %H:%M:%S"' in text
    assert "warning" not in _persona("validate", "--config", "persona.yaml", cwd=tmp_path).stdout
    _persona("fit", "--config", "persona.yaml", "--out", "models", "--quiet", cwd=tmp_path)
    model = persona.load(tmp_path / "models" / "model")
    answered = model.labels_.index.isin(data.survey["customer_id"])
    truth = data.truth.reindex(model.labels_.index)
    assert adjusted_rand_score(truth[answered], model.labels_[answered]) >= 0.9
    spend = model.features_.transform(**Project.from_file(tmp_path / "persona.yaml").read())
    assert spend["behaviour__monetary_value"].std() > 0  # purchases were read as purchases

    _persona("score", "models/assigner", "--config", "persona.yaml", "--out", "scored",
             "--quiet", cwd=tmp_path)  # fmt: skip
    scored = pd.read_parquet(tmp_path / "scored").set_index("customer_id")["persona_id"]
    assert scored.reindex(model.labels_.index).tolist() == model.labels_.tolist()

    customer = int(data.survey["customer_id"].iloc[0])
    own = events[events["customer_id"] == customer].drop(columns="customer_id")
    own["timestamp"] = pd.to_datetime(own["timestamp"], format="%d/%m/%Y %H:%M:%S")
    own["timestamp"] = own["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    own["value"] = own["value"].str.replace(",", ".").replace("", None).astype(float)
    rows = [{k: v for k, v in row.items() if v == v} for row in own.to_dict("records")]
    answers = data.survey.set_index("customer_id").loc[customer]
    survey = {k: (None if v != v else float(v)) for k, v in answers.items()}
    record = {"customer_id": customer, "events": rows, "emotions": [], "survey": survey}
    _, base = persona_server("models/assigner", cwd=tmp_path)
    served = httpx.post(f"{base}/v1/assign", json=record, timeout=60)
    assert served.status_code == 200, served.text
    assert served.json()["persona_id"] == scored[customer]
