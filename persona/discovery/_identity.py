"""Persona identity across refits and names: ids that persist, names that follow them.

:class:`IdentityMixin` gives :class:`~persona.PersonaModel` ``align_to``,
``rename`` and ``assess_stability``. It reads the model's labels and persona ids
and, after changing ids or names, asks the model to publish them again
(``_publish``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from persona.discovery._lineage import match_personas
from persona.discovery._stability import stability
from persona.errors import ConfigError

__all__ = ["IdentityMixin"]


class IdentityMixin:
    """Persona ids kept across refits, names of the user's own, and stability."""

    def align_to(self, old: Any, X: Any = None, **tables: Any) -> Any:
        """Take the persona ids of ``old`` where personas match; record ``lineage_``.

        Personas are compared on customers: by default those both models were
        fitted on; with tables (or ``X``), on the customers in them, labelled
        by both models.
        """
        check_is_fitted(self, "assigner_")
        check_is_fitted(old, "assigner_")
        if X is None and not any(v is not None for v in tables.values()):
            old_labels = old.labels_
            if len(old_labels.index.intersection(self.fitted_.index)) == 0:
                raise ConfigError(
                    "The two models share no customer, so their personas cannot be matched: "
                    "pass the tables to align on (model.align_to(old, events=..., survey=..., "
                    "emotions=...)) or fit with PersonaModel(previous=old)."
                )
            mine = None
        else:
            old_labels = old.predict(X, **tables)
            mine = self.predict(X, **tables)
        before = self.persona_ids_
        self._align(old_labels, old.next_persona_id_, mine)
        renamed = dict(zip(before.tolist(), self.persona_ids_.tolist(), strict=True))
        # Everything keyed by persona id follows the personas to their new ids.
        self.names_ = {renamed[p]: n for p, n in self.names_.items()}
        if getattr(self, "demographics_", None) is not None:
            self.demographics_ = self.demographics_.assign(
                persona_id=self.demographics_["persona_id"].map(renamed)
            )
        if getattr(self, "stability_", None) is not None:
            self.stability_ = self.stability_.rename(index=renamed)
        self.__dict__.pop("golden_", None)  # its scorer speaks the old ids: select again
        self._inherit_names(old)
        self._publish()
        return self

    def _inherit_names(self, old: Any) -> None:
        """Names given to old personas stay with the personas that kept their ids.

        A name of this model's own wins; an inherited name that another persona
        already carries is left out, so names stay unique.
        """
        kept = set(self.persona_ids_.tolist())
        taken = set(self.names_.values())
        inherited = {p: n for p, n in old.names_.items() if p in kept and p not in self.names_}
        self.names_ = {**{p: n for p, n in inherited.items() if n not in taken}, **self.names_}

    def _align(self, old_labels: pd.Series, next_id: int, mine: pd.Series | None = None) -> None:
        if mine is None:
            internal = pd.Series(self.fitted_.labels, index=self.fitted_.index)
        else:  # labels of this model, back to its internal persona indices
            internal = mine.map({p: i for i, p in enumerate(self.persona_ids_)}).fillna(-1)
        mapping, self.lineage_ = match_personas(
            internal, old_labels, next_id=next_id, personas=range(self.n_personas_)
        )
        self.persona_ids_ = np.array([mapping[k] for k in range(self.n_personas_)])
        self.next_persona_id_ = max(next_id, int(self.persona_ids_.max()) + 1)

    def rename(self, names: Mapping[int, str]) -> Any:
        """Give personas names of your own; they win over the generated ones.

        The names are kept by persona id, so they survive saving and loading
        and, through persona identity, refits with ``previous=`` or
        :meth:`align_to`.
        """
        check_is_fitted(self, "assigner_")
        unknown = sorted(set(names) - set(self.persona_ids_.tolist()))
        if unknown:
            raise ConfigError(
                f"Got names for personas {unknown}, but the personas are "
                f"{self.persona_ids_.tolist()}."
            )
        current = dict(self.personas_["name"])
        current.update({int(p): str(n) for p, n in names.items()})
        repeated = sorted(n for n in set(current.values()) if list(current.values()).count(n) > 1)
        if repeated:
            raise ConfigError(f"Persona names must be unique; {repeated} would be given twice.")
        self.names_ = {**self.names_, **{int(p): str(n) for p, n in names.items()}}
        self._publish()
        return self

    def assess_stability(self, n_boot: int = 10, *, sample_share: float = 0.8) -> pd.Series:
        """Each persona's stability: mean Jaccard with its best match over refits on resamples.

        Discovery is rerun ``n_boot`` times on ``sample_share`` of the discovery
        customers, and each persona is compared with the most similar persona
        of each refit on the customers both contain. Values near 1: the persona
        comes back every time; below 0.6: it is not to be trusted. Sets and
        returns ``stability_``.
        """
        check_is_fitted(self, "assigner_")
        found = self.fitted_.discovery
        self.stability_ = stability(
            found.values, found.labels, found.careless,
            groups=self.assigner_.groups, max_distance=self.max_distance,
            settings=self._settings(), seed=found.seed, persona_ids=self.persona_ids_,
            n_boot=n_boot, sample_share=sample_share,
        )  # fmt: skip
        return self.stability_
