"""Assignment: a persona for any customer, with an honest confidence and its reasons.

- :mod:`._assigner`: the distilled assigner discovery's personas are learned
  into (one model per signal pattern and evidence bin); it learns with
  :mod:`._fitting`, scores with :mod:`._score` (its batch and one-row forms
  side by side, and the one softmax) and is stored as :mod:`._arrays`;
- :mod:`._explain`: contributions and counterfactuals; :mod:`._reasons`: the
  one rule for which contributions are reported as reasons;
- :mod:`._assign`: :func:`assign_persona`, reading records with
  :mod:`._record` and the parts :mod:`._portable` prepares once;
- :mod:`._artifact`: the exported assigner folder and :func:`load_assigner`;
- :mod:`._golden`: the few survey questions that best place a customer,
  typed by :mod:`._questions` from answers :mod:`._keying` checks;
- :mod:`._agreement`: cross-validated agreement with discovery, by evidence;
- :mod:`._evidence`: how much a customer's record says;
- :mod:`._model`: a fitted PersonaModel's assignment methods.

It builds on :mod:`persona.contract` and :mod:`persona.features` only.
"""

from persona.assignment._agreement import AssignmentReport, assignment_report
from persona.assignment._artifact import export_assigner, load_assigner
from persona.assignment._assign import Assignment, assign_persona, assign_personas
from persona.assignment._assigner import (
    UNASSIGNED,
    Assigner,
    column_medians,
    finite_features,
    labels_from_proba,
    model_version,
    public_ids,
)
from persona.assignment._explain import Contributions, Counterfactual, contributions
from persona.assignment._golden import select_golden_questions
from persona.assignment._portable import AssignmentParts, PortableAssigner, assignment_parts
from persona.assignment._questions import GoldenQuestions
from persona.assignment._reasons import top_reasons
from persona.assignment._score import Prepared

__all__ = [
    "UNASSIGNED",
    "Assigner",
    "Assignment",
    "AssignmentParts",
    "AssignmentReport",
    "Contributions",
    "Counterfactual",
    "GoldenQuestions",
    "PortableAssigner",
    "Prepared",
    "assign_persona",
    "assign_personas",
    "assignment_parts",
    "assignment_report",
    "column_medians",
    "contributions",
    "export_assigner",
    "finite_features",
    "labels_from_proba",
    "public_ids",
    "load_assigner",
    "model_version",
    "select_golden_questions",
    "top_reasons",
]
