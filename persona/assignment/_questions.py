"""The golden questions' typing tool: a short survey and the scorer that types customers.

:class:`GoldenQuestions` is what :func:`~persona.assignment._golden.select_golden_questions`
returns: the chosen items, their cross-validated accuracy, the selection path
and a standardised multinomial logistic model on the items' keyed answers
(and, if asked, the customer's behaviour features) that scores new
respondents, skips included.

Scoring follows :class:`persona.assignment._assigner.Assigner`: plain numpy,
logits as a broadcast sum rather than a matrix product, and the package's one
:func:`~persona.assignment._score.softmax`, so a customer's probabilities do
not depend on which other customers are scored with them. The tool saves to
plain JSON-ready data (:meth:`GoldenQuestions.to_dict`) and reads back
exactly (:meth:`GoldenQuestions.from_dict`). It touches nothing but itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from persona.assignment._keying import behaviour_table, keyed_frame
from persona.assignment._score import softmax
from persona.errors import ArtifactError, ConfigError

__all__ = ["GoldenQuestions", "path_frame"]

_FORMAT = "persona.golden_questions/1"
_CHUNK_ROWS = 8_192  # rows scored at once: bounds the (rows x personas x columns) temporaries
_FIELDS = (
    "items", "accuracy", "path", "with_behaviour", "behaviour_columns", "persona_ids", "median",
    "mean", "scale", "coef", "intercept", "item_scales", "item_reverse", "n_respondents", "cv",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class GoldenQuestions:
    """A short survey and the scorer that types customers from its answers.

    Built by :func:`~persona.assignment._golden.select_golden_questions`; read back from saved
    data with :meth:`from_dict`.

    Attributes
    ----------
    items : tuple of str
        The chosen survey items, in the order they were selected.
    accuracy : float
        Mean stratified k-fold cross-validated agreement with the persona
        labels the items were selected on, using exactly these items (plus
        the behaviour columns when ``with_behaviour``).
    path : DataFrame
        One row per selection step: ``step`` (1, 2, ...), the ``item`` added,
        its ``dimension`` and the cross-validated ``accuracy`` of the items
        chosen so far.
    with_behaviour : bool
        Whether the scorer also reads behaviour features.
    behaviour_columns : tuple of str
        The behaviour columns the scorer reads (empty without behaviour).
    persona_ids : ndarray of int
        The persona ids the scorer tells apart, in column order.
    median : ndarray
        Per input column, the value imputed for a skipped answer (or a missing
        behaviour value): the respondents' median.
    mean, scale : ndarray
        Per input column, the standardisation ``z = (x - mean) / scale``.
    coef : ndarray
        ``(personas, columns)`` logistic coefficients on standardised inputs.
    intercept : ndarray
        ``(personas,)`` logistic intercepts.
    item_scales : tuple of (int, int)
        Each chosen item's ``(low, high)`` scale.
    item_reverse : tuple of bool
        Whether each chosen item is reverse-keyed.
    n_respondents : int
        How many labelled respondents the scorer was fitted on.
    cv : int
        The number of cross-validation folds behind ``accuracy``.

    Notes
    -----
    The input columns are the chosen items' *keyed* answers (a reverse-keyed
    answer ``a`` on a ``low..high`` item counts as ``low + high - a``, as in
    :func:`persona.features.psychographic.score_scales`), followed by the
    behaviour columns when ``with_behaviour``.
    """

    items: tuple[str, ...]
    accuracy: float
    path: pd.DataFrame
    with_behaviour: bool
    behaviour_columns: tuple[str, ...]
    persona_ids: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    item_scales: tuple[tuple[int, int], ...] = ()
    item_reverse: tuple[bool, ...] = ()
    n_respondents: int = 0
    cv: int = 0

    def __post_init__(self) -> None:
        def frozen_array(values: Any, dtype: str) -> np.ndarray:
            array = np.array(values, dtype=dtype)  # a copy: the tool owns its numbers
            array.setflags(write=False)
            return array

        for name in ("median", "mean", "scale", "intercept"):
            object.__setattr__(self, name, frozen_array(getattr(self, name), "float64"))
        object.__setattr__(self, "persona_ids", frozen_array(self.persona_ids, "int64"))
        object.__setattr__(self, "coef", frozen_array(self.coef, "float64"))
        object.__setattr__(self, "items", tuple(str(i) for i in self.items))
        object.__setattr__(self, "behaviour_columns", tuple(str(c) for c in self.behaviour_columns))
        object.__setattr__(
            self, "item_scales", tuple((int(lo), int(hi)) for lo, hi in self.item_scales)
        )
        object.__setattr__(self, "item_reverse", tuple(bool(r) for r in self.item_reverse))
        n_columns = len(self.items) + len(self.behaviour_columns)
        k = len(self.persona_ids)
        shapes_fit = (
            len(self.item_scales) == len(self.item_reverse) == len(self.items)
            and self.median.shape == self.mean.shape == self.scale.shape == (n_columns,)
            and self.coef.shape == (k, n_columns)
            and self.intercept.shape == (k,)
        )
        if not shapes_fit:
            raise ArtifactError(
                f"Got a scorer for {len(self.items)} item(s) and "
                f"{len(self.behaviour_columns)} behaviour column(s) whose parameters do not fit: "
                f"median {self.median.shape}, mean {self.mean.shape}, scale {self.scale.shape}, "
                f"coef {self.coef.shape}, intercept {self.intercept.shape}, "
                f"{len(self.item_scales)} scale(s), {len(self.item_reverse)} reverse flag(s)."
            )
        if self.with_behaviour != bool(self.behaviour_columns):
            raise ArtifactError(
                f"Got with_behaviour={self.with_behaviour!r} with "
                f"{len(self.behaviour_columns)} behaviour column(s); behaviour columns are "
                "needed exactly when with_behaviour is True."
            )

    # ------------------------------------------------------------------ scoring

    @property
    def columns(self) -> tuple[str, ...]:
        """The scorer's input columns: the items, then the behaviour columns."""
        return self.items + self.behaviour_columns

    def predict_proba(
        self, answers: pd.DataFrame, behaviour: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Persona probabilities from the answers to the golden questions.

        Parameters
        ----------
        answers : DataFrame
            One row per respondent: ``customer_id`` (a column or the index)
            and one column per chosen item, raw answers on the item's scale,
            NaN where skipped. Other columns are ignored.
        behaviour : DataFrame, optional
            Required when the questions were selected ``with_behaviour``, and
            refused otherwise: the behaviour columns, by ``customer_id``
            (index or column). A respondent missing from it, or a missing
            value, gets the median.

        Returns
        -------
        DataFrame
            Indexed by ``customer_id`` in the answers' row order, one float64
            column per persona id; rows sum to 1. A skipped answer is imputed
            by its median, so a respondent who skipped everything still gets
            the probabilities of a typical respondent.
        """
        keyed = keyed_frame(
            answers,
            self.items,
            np.array([lo for lo, _ in self.item_scales], dtype="float64"),
            np.array([hi for _, hi in self.item_scales], dtype="float64"),
            np.array(self.item_reverse, dtype=bool),
            "answers",
        )
        values = keyed.to_numpy()
        if self.with_behaviour:
            if behaviour is None:
                raise ConfigError(
                    "Got behaviour=None, but these golden questions were selected with "
                    f"behaviour: pass the {len(self.behaviour_columns)} behaviour column(s) "
                    f"{list(self.behaviour_columns[:3])}... by customer_id."
                )
            table = behaviour_table(behaviour, self.behaviour_columns)
            values = np.hstack([values, table.reindex(keyed.index).to_numpy()])
        elif behaviour is not None:
            raise ConfigError(
                "Got behaviour, but these golden questions were selected without behaviour; "
                "pass answers only."
            )
        proba = _probabilities(
            values, self.median, self.mean, self.scale, self.coef, self.intercept
        )
        return pd.DataFrame(
            proba, index=keyed.index, columns=pd.Index(self.persona_ids, name="persona_id")
        )

    def predict(self, answers: pd.DataFrame, behaviour: pd.DataFrame | None = None) -> pd.Series:
        """The most probable persona id of each respondent, by ``customer_id``.

        Takes the same arguments as :meth:`predict_proba`.
        """
        proba = self.predict_proba(answers, behaviour)
        best = self.persona_ids[np.argmax(proba.to_numpy(), axis=1)]
        return pd.Series(best, index=proba.index, name="persona_id")

    # ------------------------------------------------------------------ saving

    def to_dict(self) -> dict[str, Any]:
        """The typing tool as JSON-ready data (lists, floats, strings)."""
        return {
            "format": _FORMAT,
            "items": list(self.items),
            "accuracy": float(self.accuracy),
            "path": {
                "step": [int(s) for s in self.path["step"]],
                "item": [str(i) for i in self.path["item"]],
                "dimension": [str(d) for d in self.path["dimension"]],
                "accuracy": [float(a) for a in self.path["accuracy"]],
            },
            "with_behaviour": bool(self.with_behaviour),
            "behaviour_columns": list(self.behaviour_columns),
            "persona_ids": self.persona_ids.tolist(),
            "median": self.median.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
            "item_scales": [list(s) for s in self.item_scales],
            "item_reverse": list(self.item_reverse),
            "n_respondents": int(self.n_respondents),
            "cv": int(self.cv),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GoldenQuestions:
        """Read back what :meth:`to_dict` wrote; the predictions are identical."""
        if not isinstance(d, dict) or d.get("format") != _FORMAT:
            found = d.get("format") if isinstance(d, dict) else type(d).__name__
            raise ArtifactError(
                f"Got {found!r}, but expected golden questions saved by "
                f"GoldenQuestions.to_dict (format {_FORMAT!r})."
            )
        missing = [f for f in _FIELDS if f not in d]
        if missing:
            raise ArtifactError(f"Got saved golden questions without {missing}.")
        return cls(
            items=tuple(d["items"]),
            accuracy=float(d["accuracy"]),
            path=path_frame(
                d["path"]["step"], d["path"]["item"], d["path"]["dimension"], d["path"]["accuracy"]
            ),
            with_behaviour=bool(d["with_behaviour"]),
            behaviour_columns=tuple(d["behaviour_columns"]),
            persona_ids=np.asarray(d["persona_ids"], dtype="int64"),
            median=np.asarray(d["median"], dtype="float64"),
            mean=np.asarray(d["mean"], dtype="float64"),
            scale=np.asarray(d["scale"], dtype="float64"),
            coef=np.asarray(d["coef"], dtype="float64").reshape(
                len(d["persona_ids"]), len(d["median"])
            ),
            intercept=np.asarray(d["intercept"], dtype="float64"),
            item_scales=tuple(tuple(s) for s in d["item_scales"]),
            item_reverse=tuple(d["item_reverse"]),
            n_respondents=int(d["n_respondents"]),
            cv=int(d["cv"]),
        )

    def __repr__(self) -> str:
        extra = f" + {len(self.behaviour_columns)} behaviour columns" if self.with_behaviour else ""
        return (
            f"GoldenQuestions(items={list(self.items)}{extra}, accuracy={self.accuracy:.3f}, "
            f"personas={self.persona_ids.tolist()})"
        )


def _probabilities(
    values: np.ndarray,
    median: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> np.ndarray:
    """Probabilities of the logistic scores, row by row exact (no matrix product)."""
    out = np.empty((len(values), len(intercept)))
    for start in range(0, len(values), _CHUNK_ROWS):
        chunk = values[start : start + _CHUNK_ROWS]
        z = (np.where(np.isnan(chunk), median, chunk) - mean) / scale
        # Broadcast-and-sum rather than a matrix product: BLAS may round a row
        # differently depending on how many rows it is given, and a customer's
        # probabilities must not depend on the batch they are scored in.
        logits = (z[:, None, :] * coef[None]).sum(axis=2) + intercept
        out[start : start + len(chunk)] = softmax(logits)
    return out


def path_frame(
    steps: Sequence[int], items: Sequence[str], dimensions: Sequence[str], accuracy: Sequence
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": np.asarray(steps, dtype="int64"),
            "item": pd.Series(list(items), dtype=object),
            "dimension": pd.Series(list(dimensions), dtype=object),
            "accuracy": np.asarray(accuracy, dtype="float64"),
        }
    )
