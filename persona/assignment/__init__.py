"""Assignment: a persona for any customer, with an honest confidence and its reasons.

- :mod:`._assigner`: the distilled assigner discovery's personas are learned
  into (one model per signal pattern and evidence bin), in its batch and
  one-row forms side by side;
- :mod:`._explain`: contributions, reasons and counterfactuals;
- :mod:`._artifact`: the exported assigner folder, :func:`assign_persona` and
  :func:`load_assigner`;
- :mod:`._golden`: the few survey questions that best place a customer;
- :mod:`._agreement`: cross-validated agreement with discovery, by evidence;
- :mod:`._evidence`: how much a customer's record says.

It builds on :mod:`persona.contract` and :mod:`persona.features` only.
"""

from persona.assignment._agreement import AssignmentReport, assignment_report
from persona.assignment._artifact import (
    Assignment,
    PortableAssigner,
    assign_persona,
    assign_personas,
    export_assigner,
    load_assigner,
)
from persona.assignment._assigner import UNASSIGNED, Assigner
from persona.assignment._explain import Contributions, Counterfactual
from persona.assignment._golden import GoldenQuestions, select_golden_questions

__all__ = [
    "UNASSIGNED",
    "Assigner",
    "Assignment",
    "AssignmentReport",
    "Contributions",
    "Counterfactual",
    "GoldenQuestions",
    "PortableAssigner",
    "assign_persona",
    "assign_personas",
    "assignment_report",
    "export_assigner",
    "load_assigner",
    "select_golden_questions",
]
