"""The project file, CSV dialects and timestamp formats, and `persona init / fit` on a
base in its own vocabulary."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import persona
from persona.cli import main
from persona.datasets import make_customers
from persona.project import Project, suggested_moment, vocabulary_problems
from persona.tables import ReadOptions, read_table, sniff_csv

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


def test_newcomer_init_fit_score_in_their_own_vocabulary(tmp_path, monkeypatch, capsys):
    data = make_customers(600, random_state=0)
    events = data.events.drop(columns="session_id")
    events["event_type"] = events["event_type"].astype(str).replace(_OWN)
    events["timestamp"] = events["timestamp"].dt.strftime("%d/%m/%Y %H:%M")
    events["value"] = events["value"].map(lambda v: "" if v != v else f"{v:.2f}".replace(".", ","))
    events.sample(frac=1, random_state=0).to_csv(tmp_path / "events.csv", sep=";", index=False)
    data.survey.to_csv(tmp_path / "survey.csv", sep=";", index=False)
    data.instrument.to_file(tmp_path / "instrument.yaml")
    monkeypatch.chdir(tmp_path)
    args = ["--events", "events.csv", "--survey", "survey.csv", "--instrument", "instrument.yaml"]
    assert main(["init", *args]) == 0
    text = (tmp_path / "persona.yaml").read_text()
    assert '"order_placed": SMOT' in text and 'purchase_types: ["order_placed"]' in text
    assert 'timestamp_format: "%d/%m/%Y %H:%M"' in text
    assert main(["validate", "--config", "persona.yaml"]) == 0
    assert "warning" not in capsys.readouterr().out
    assert main(["fit", "--config", "persona.yaml", "--out", "models", "--quiet"]) == 0
    model = persona.load(tmp_path / "models" / "model")
    answered = model.labels_.index.isin(data.survey["customer_id"])
    truth = data.truth.reindex(model.labels_.index)
    assert adjusted_rand_score(truth[answered], model.labels_[answered]) >= 0.9
    spend = model.features_.transform(**Project.from_file("persona.yaml").read())
    assert spend["behaviour__monetary_value"].std() > 0  # purchases were read as purchases
    assert main(["score", "models/assigner", "--config", "persona.yaml", "--out", "scored",
                 "--quiet"]) == 0  # fmt: skip
    scored = pd.read_parquet(tmp_path / "scored").set_index("customer_id")["persona_id"]
    assert scored.reindex(model.labels_.index).equals(model.labels_.rename("persona_id"))
