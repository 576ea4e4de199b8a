"""The parts assignment reads, prepared once: beside the model (never on it), and rebuilt
when a portable assigner is unpickled."""

import pandas as pd
import pytest
from helpers_assignment import customer_record

from persona import assign_persona, load_assigner


def test_assigning_writes_nothing_on_the_model(persona_model, customers, sample_ids, end):
    from persona.assignment import assignment_parts

    record = customer_record(customers, sample_ids[0], end)
    assign_persona(record, persona_model)
    before = dict(vars(persona_model))
    parts = assignment_parts(persona_model)
    first = assign_persona(record, persona_model)
    assert vars(persona_model).keys() == before.keys()
    assert all(vars(persona_model)[k] is v for k, v in before.items())
    assert assignment_parts(persona_model) is parts  # prepared once, kept beside the model
    assert assign_persona(record, parts) == first  # and may be passed instead of the model
    names = persona_model.names_
    try:
        persona_model.rename({first.persona_id: "Renamed"})
        assert assignment_parts(persona_model) is not parts
        assert assign_persona(record, persona_model).name == "Renamed"
    finally:
        persona_model.names_ = names
        persona_model._publish()


def test_a_pickled_portable_assigner_prepares_again_and_assigns_the_same(
    persona_model, customers, sample_ids, end, tmp_path
):
    import pickle

    portable = load_assigner(persona_model.export_assigner(tmp_path / "assigner"))
    again = pickle.loads(pickle.dumps(portable))
    assert again.parts is not portable.parts
    for customer in sample_ids[:3]:
        record = customer_record(customers, customer, end)
        assert assign_persona(record, again) == assign_persona(record, portable)


# --------------------------------------------------------------------------- new


def test_a_portable_assigner_scores_a_feature_matrix_in_any_column_order(
    persona_model, customers, tmp_path
):
    from persona.errors import ConfigError, InputError

    portable = load_assigner(persona_model.export_assigner(tmp_path / "assigner"))
    tables = {"events": customers.events, "survey": customers.survey,
              "emotions": customers.emotions}  # fmt: skip
    matrix = persona_model.features_.transform(**tables)[persona_model.feature_names_out_]
    some = matrix.iloc[::50].copy()  # one block: the transform's frame is fragmented
    shuffled = some[some.columns[::-1]].assign(extra=1.0)  # other columns are ignored
    pd.testing.assert_frame_equal(
        portable.predict_proba(shuffled), persona_model.probabilities_.loc[some.index]
    )
    pd.testing.assert_series_equal(
        portable.predict(some), persona_model.labels_.loc[some.index], check_names=False
    )
    with pytest.raises(ConfigError, match="^Got X that is not a DataFrame: pass a feature matrix"):
        portable.predict_proba(some.to_numpy())
    with pytest.raises(
        InputError, match=r"^The feature matrix lacks 1 column\(s\), first \['behaviour__T'\]\.$"
    ) as caught:
        portable.predict_proba(some.drop(columns="behaviour__T"))
    assert (caught.value.table, caught.value.column) == ("features", "behaviour__T")
