"""A fitted PersonaModel's assignment methods: golden_questions, assignment_report and
export_assigner check the model, then hand it to the functions that do the work."""

import copy
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from persona import PersonaModel, assign_persona
from persona.assignment import AssignmentReport, assignment_parts
from persona.errors import ConfigError


def test_every_method_needs_a_fitted_model(tmp_path):
    model = PersonaModel()
    calls = [
        lambda: model.golden_questions(pd.DataFrame({"customer_id": [1]})),
        model.assignment_report,
        lambda: model.export_assigner(tmp_path / "assigner"),
    ]
    for call in calls:
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()
    assert not (tmp_path / "assigner").exists()  # nothing written for an unfitted model


@pytest.mark.parametrize("fitted_on", ["a feature matrix", "tables without an instrument"])
def test_golden_questions_need_a_model_fitted_with_an_instrument(persona_model, customers,
                                                                  fitted_on):  # fmt: skip
    # The fitted state such a fit leaves, set on a copy: no builder, or one without instrument.
    model = copy.copy(persona_model)
    if fitted_on == "a feature matrix":
        model.features_ = None
    else:
        model.features_ = copy.copy(persona_model.features_)
        model.features_.instrument = None
    with pytest.raises(
        ConfigError,
        match=r"^Golden questions are survey items: fit the model on tables with an instrument "
        r"\(PersonaModel\(instrument=\.\.\.\)\.fit\(survey=\.\.\., \.\.\.\)\) to select them\.$",
    ):
        model.golden_questions(customers.survey)
    assert "golden_" not in vars(model) and "golden_" not in vars(persona_model)


def test_golden_questions_with_behaviour_need_events_on_a_loaded_model(persona_model, customers):
    model = copy.copy(persona_model)
    model.fitted_ = persona_model.fitted_.for_disk()  # what a loaded model keeps
    with pytest.raises(ConfigError, match="^A loaded model does not keep its training matrix"):
        model.golden_questions(customers.survey, with_behaviour=True)


def test_golden_questions_refresh_what_assign_persona_reads(persona_model, customers):
    before = persona_model.assignment_parts_
    survey = customers.survey.iloc[:300]
    try:
        golden = persona_model.golden_questions(survey, max_items=2)
        assert persona_model.golden_ is golden and len(golden.items) == 2
        assert golden.n_respondents <= 300 and not golden.with_behaviour
        parts = persona_model.assignment_parts_
        assert parts is not before and parts.golden is golden
        assert assignment_parts(persona_model) is parts
        assert parts.version == before.version  # the same assigner, now with golden questions
        # a record answering just the golden questions is typed by them
        answers = survey.set_index("customer_id")[list(golden.items)].dropna().iloc[:5]
        expected = golden.predict_proba(answers.reset_index())
        without = dataclasses.replace(parts, golden=None)
        for customer, row in answers.iterrows():
            record = {"customer_id": customer, "survey": row.to_dict()}
            assignment = assign_persona(record, persona_model)
            assert assignment.signals_used == ("golden_questions",)
            assert assignment.probabilities == {
                **{int(p): float(v) for p, v in expected.loc[customer].items()}, -1: 0.0,
            }  # fmt: skip
            assert assignment.persona_id == int(expected.loc[customer].idxmax())
            # without them, two answers score no dimension (most of its items are skipped):
            # the record has no usable signal at all
            unknown = assign_persona(record, without)
            assert (unknown.persona_id, unknown.signals_used) == (-1, ())
    finally:
        persona_model.__dict__.pop("golden_", None)
        persona_model.assignment_parts_ = before


def test_the_assignment_report_method_gives_the_report(assignment_report):
    assert isinstance(assignment_report, AssignmentReport)
    assert len(assignment_report.agreement) > 0 and len(assignment_report.calibration) > 0


def test_export_assigner_writes_the_folder_it_is_given(persona_model, tmp_path):
    folder = persona_model.export_assigner(str(tmp_path / "assigner"))
    assert isinstance(folder, Path) and folder == tmp_path / "assigner"
    assert sorted(p.name for p in folder.iterdir()) == [
        "assigner.json", "assigner.npz", "manifest.json",
    ]  # fmt: skip
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model_version"] == persona_model.model_version_
    assert [p["persona_id"] for p in manifest["personas"]] == list(persona_model.persona_ids_)
