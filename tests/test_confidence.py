"""Honest confidence: thin records are as sure as they are right, far records are unassigned."""

import numpy as np
import pandas as pd
import pytest

from persona import assign_persona
from persona.assignment._assigner import Assigner, labels_from_proba
from persona.features import first_touchpoints
from persona.features.builder import with_observation_end
from persona.scoring._tables import score_tables

_BINS = 10


def _ece(confidence, right):
    """Expected calibration error over 10 equal-width bins, and its standard error."""
    which = np.minimum((confidence * _BINS).astype(int), _BINS - 1)
    gap, variance = 0.0, 0.0
    for b in np.unique(which):
        inside = which == b
        share, accuracy = inside.mean(), right[inside].mean()
        gap += share * abs(accuracy - confidence[inside].mean())
        variance += share**2 * accuracy * (1 - accuracy) / inside.sum()
    return gap, np.sqrt(variance)


@pytest.fixture(scope="module")
def newcomers(customers, persona_model):
    """Customers who never answered the survey: no discovery row and no thin record of theirs
    was learned from. Their whole-record persona is what a thin record should find."""
    answered = set(customers.survey["customer_id"])
    ids = persona_model.labels_.index[~persona_model.labels_.index.isin(answered)]
    return ids[persona_model.labels_.loc[ids].to_numpy() >= 0]


def _scored(model, events, emotions, end):
    readings = {} if emotions is None or emotions.empty else {"emotions": emotions}
    tables = {"events": events} | readings
    return model.predict_proba(**tables, observation_end=end)


def _matrix(model, events, emotions, end):
    readings = {} if emotions is None or emotions.empty else {"emotions": emotions}
    builder = with_observation_end(model.features_, end)
    return builder.transform(events=events, **readings)[list(model.feature_names_out_)]


@pytest.mark.parametrize("length", [1, 3])
def test_thin_records_are_as_sure_as_they_are_right(
    persona_model, customers, newcomers, end, length
):
    events = customers.events[customers.events["customer_id"].isin(newcomers)]
    emotions = customers.emotions[customers.emotions["customer_id"].isin(newcomers)]
    early, readings = first_touchpoints(events, length, emotions=emotions)
    X = _matrix(persona_model, early, readings, end)
    proba = persona_model.assigner_.predict_proba(X.to_numpy(np.float64))
    whole = persona_model.labels_.loc[X.index].to_numpy()
    right = labels_from_proba(proba) == whole
    confidence = proba.max(axis=1)
    gap, error = _ece(confidence, right)
    assert len(right) > 2_000
    assert gap <= 0.05 + 3 * error, (gap, error)
    sure = confidence >= 0.9
    assert sure.any() and right[sure].mean() >= 0.9 - 3 * np.sqrt(0.09 / sure.sum())

    # The assigner learned on whole records only is far surer than it is right on them.
    old = Assigner(persona_model.assigner_.groups, max_distance=persona_model.max_distance)
    old.fit(persona_model.fitted_.discovery.values, persona_model.fitted_.discovery.labels)
    old_proba = old.predict_proba(X.to_numpy(np.float64))
    old_right = labels_from_proba(old_proba) == whole
    old_gap, old_error = _ece(old_proba.max(axis=1), old_right)
    assert old_gap > 0.05 + 3 * old_error


def test_thick_records_without_their_survey_are_as_sure_as_they_are_right(
    persona_model, customers, end
):
    answered = customers.survey["customer_id"].unique()
    events = customers.events[customers.events["customer_id"].isin(answered)]
    counts = events.groupby("customer_id").size()
    thick = counts.index[counts >= 11]
    proba = _scored(persona_model, events[events["customer_id"].isin(thick)], None, end)
    right = labels_from_proba(proba.to_numpy()) == persona_model.labels_.loc[proba.index]
    gap, error = _ece(proba.to_numpy().max(axis=1), right.to_numpy())
    assert len(right) > 500 and gap <= 0.05 + 3 * error, (gap, error)


def test_a_thin_record_gets_its_thin_model(persona_model, customers, end):
    assigner = persona_model.assigner_
    column, edges = assigner.evidence
    assert persona_model.feature_names_out_[column] == "behaviour__touchpoints"
    assert len(edges) == 3
    one = first_touchpoints(customers.events, 1)[0]
    frame = persona_model.features_.transform(events=one)[persona_model.feature_names_out_]
    X = frame.to_numpy(np.float64)
    (rows, model), *others = assigner.models_of(X)
    assert not others and len(rows) == len(X)
    assert model.groups == ("behaviour",) and model.evidence == 0
    # A count the record does not hold reads as the least evidence.
    unknown = X[:1].copy()
    unknown[0, column] = np.nan
    assert assigner.score_one(unknown[0])[1].evidence == 0


def test_records_far_from_every_persona_are_unassigned_not_sure(persona_model, customers):
    X = persona_model.fitted_.training.to_numpy(np.float64)
    spread = np.nanstd(X, axis=0)
    rng = np.random.default_rng(0)
    rows = X[rng.choice(len(X), 500, replace=False)]
    far = rows + 10 * spread * rng.choice([-1.0, 1.0], size=rows.shape)
    nothing = np.full((3, X.shape[1]), np.nan)
    for records in (far, nothing):
        proba = persona_model.assigner_.predict_proba(records)
        assert np.isfinite(proba).all()
        assert (labels_from_proba(proba) == -1).all()
        assert proba[:, -1].min() >= 0.99
    # Customers like the training ones are almost never unassigned.
    proba = persona_model.assigner_.predict_proba(rows)
    assert (labels_from_proba(proba) == -1).mean() <= 0.01


def test_thin_records_score_the_same_on_every_path(persona_model, customers, end):
    some = customers.events["customer_id"].drop_duplicates().iloc[:40]
    events = customers.events[customers.events["customer_id"].isin(some)]
    for length in (1, 2, 5):
        early, _ = first_touchpoints(events, length)
        table = persona_model.predict_proba(events=early, observation_end=end)
        scores = score_tables(persona_model, events=early, observation_end=end)[0].to_pandas()
        scores = scores.set_index("customer_id").loc[table.index]
        columns = [c for c in scores.columns if c.startswith("probability_")]
        np.testing.assert_array_equal(scores[columns].to_numpy(), table.to_numpy())
        for customer, rows in early.groupby("customer_id"):
            record = {
                "customer_id": customer,
                "observation_end": end,
                "events": [
                    {k: v for k, v in r.items() if v == v}
                    for r in rows.drop(columns="customer_id").to_dict("records")
                ],
            }
            assignment = assign_persona(record, persona_model)
            expected = table.loc[customer]
            assert assignment.probabilities == {int(k): float(v) for k, v in expected.items()}


def test_the_evidence_bins_survive_the_artifact(persona_model, customers, end, tmp_path):
    from persona import load_assigner

    portable = load_assigner(persona_model.export_assigner(tmp_path / "a"))
    assert len(portable.assigner.binned_) == len(persona_model.assigner_.binned_) > 0
    early, _ = first_touchpoints(customers.events.iloc[:3_000], 2)
    pd.testing.assert_frame_equal(
        portable.predict_proba(events=early, observation_end=end),
        persona_model.predict_proba(events=early, observation_end=end),
        check_exact=True,
    )


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ({"column": 9, "edges": [1.0]}, "evidence column 9, which is in none of the groups"),
        ({"column": 0, "edges": [2.0, 1.0]}, "expected increasing numbers"),
        ({"column": 0}, "expected {'column': index, 'edges': [numbers]}"),
    ],
)
def test_a_bad_evidence_setting_is_named(evidence, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("{", r"\{")):
        Assigner({"behaviour": [0, 1]}, evidence=evidence)


def test_evidence_bins_score_row_by_row_as_in_a_batch():
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1, 2], 1_000)
    needs = rng.normal(size=(3_000, 2)) + labels[:, None] * 3.0
    counts = rng.integers(1, 30, size=3_000).astype(float)
    behaviour = rng.normal(size=(3_000, 2)) + labels[:, None] * np.sqrt(counts)[:, None] / 3
    X = np.column_stack([needs, counts, behaviour])
    groups = {"needs": [0, 1], "behaviour": [2, 3, 4]}
    assigner = Assigner(groups, evidence={"column": 2, "edges": [1.5, 3.5, 10.5]})
    assigner.fit(X, labels)
    assert {b for _, b in assigner.binned_} == {0, 1, 2, 3}
    rows = X[:200].copy()
    rows[::3, :2] = np.nan
    rows[1::7, 2] = np.nan  # the count unknown
    rows[5] = np.nan
    batch = assigner.predict_proba(rows)
    for row, expected in zip(rows, batch, strict=True):
        np.testing.assert_array_equal(assigner.score_row(row)[0], expected)
    settings, arrays = assigner.to_arrays()
    again = Assigner.from_arrays(settings, arrays)
    np.testing.assert_array_equal(again.predict_proba(rows), batch)
    assert again.fingerprint() == assigner.fingerprint()


def test_the_assignment_report_gives_reliability_by_evidence(assignment_report):
    from matplotlib.figure import Figure

    from persona.report import plot_reliability

    report = assignment_report
    evidence = report.evidence
    assert evidence["survey"].tolist() == ["with"] * 4 + ["without"] * 4
    assert evidence["touchpoints"].tolist() == ["1", "2-3", "4-10", "11+"] * 2
    # Cross-validated on held-out discovery customers: as sure as they are right.
    error = np.sqrt(evidence["agreement"] * (1 - evidence["agreement"]) / evidence["records"])
    assert (evidence["records"] >= 500).all()
    assert (evidence["ece"] <= 0.05 + 3 * error).all(), evidence
    # More evidence, more often right, without the survey.
    assert evidence.loc[evidence["survey"] == "without", "agreement"].is_monotonic_increasing
    curve = report.evidence_calibration
    assert set(curve.columns) >= {"survey", "touchpoints", "bin", "records", "agreement"}
    figure = plot_reliability(report)  # what model.plot_reliability() draws
    assert isinstance(figure, Figure) and len(figure.axes) == 2


def test_first_touchpoints_keep_the_pace_and_ignore_row_order():
    events = pd.DataFrame(
        {
            "customer_id": [2, 1, 1, 1, 2],
            "timestamp": pd.to_datetime(
                ["2026-01-05", "2026-01-01", "2026-01-03", "2026-01-10", "2026-01-05"]
            ),
            "channel": ["web", "web", "app", "store", "app"],
            "event_type": ["search", "search", "product_view", "purchase", "search"],
        },
        index=[0, 0, 1, 1, 2],  # an index that repeats labels
    )
    emotions = pd.DataFrame(
        {
            "customer_id": [1, 1],
            "timestamp": pd.to_datetime(["2026-01-02", "2026-01-09"]),
            "valence": [0.5, -0.5],
        }
    )
    early, readings = first_touchpoints(events, 2, emotions=emotions)
    mine = early[early["customer_id"] == 1]
    # 1's first two touchpoints, moved by the 7 days between the second and the last
    assert mine["timestamp"].dt.strftime("%m-%d").tolist() == ["01-08", "01-10"]
    assert mine["channel"].tolist() == ["web", "app"]
    # a tie in time is broken by the other columns: app before web, whatever the row order
    assert early[early["customer_id"] == 2]["channel"].tolist() == ["app", "web"]
    reversed_, _ = first_touchpoints(events.iloc[::-1], 2)
    pd.testing.assert_frame_equal(reversed_, early)
    # the reading after the cut is left out, the one before moves with the journey
    assert readings["timestamp"].dt.strftime("%m-%d").tolist() == ["01-09"]
    with pytest.raises(ValueError, match="expected a whole number of touchpoints >= 1"):
        first_touchpoints(events, 0)


def test_cut_journeys_are_bounded_whatever_the_discovery_size(monkeypatch):
    import persona.assignment._evidence
    from persona import PersonaModel
    from persona.datasets import make_customers

    monkeypatch.setattr(persona.assignment._evidence, "THIN_CUSTOMERS", 100)
    data = make_customers(n_customers=1_500, random_state=1)
    model = PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    records, owner = model.fitted_.discovery.thin
    assert len(model.fitted_.discovery.rows) > 100
    assert owner.max() < 100 and len(records) <= 5 * 100
