"""What the assignment tests (test_assignment_*.py and the assignment fixtures of conftest.py)
share: a customer of the session base as a record and as tables, and the golden questions'
settings and two-item instrument."""

from persona import Instrument

MAX_ITEMS = 6  # golden questions chosen from the session base

MINI = Instrument.from_dict(
    {
        "name": "mini",
        "items": [
            {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
            {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
        ],
    }
)


def customer_record(customers, customer_id, end):
    """One customer of the session base as the record assign_persona reads."""

    def rows(table):
        part = table[table["customer_id"] == customer_id].drop(columns="customer_id")
        return [{k: v for k, v in r.items() if v == v} for r in part.to_dict("records")]

    record = {"customer_id": customer_id, "observation_end": end}
    events, emotions = rows(customers.events), rows(customers.emotions)
    answers = customers.survey[customers.survey["customer_id"] == customer_id]
    if events:
        record["events"] = events
    if emotions:
        record["emotions"] = emotions
    if len(answers):
        record["survey"] = answers.drop(columns="customer_id").iloc[0].to_dict()
    return record


def customer_tables(customers):
    """The session base's tables as predict_proba's keyword arguments."""
    return {"events": customers.events, "survey": customers.survey,
            "emotions": customers.emotions}  # fmt: skip
