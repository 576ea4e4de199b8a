"""Discovery: personas found in the feature matrix, and how much to trust them.

- :mod:`._search`: which customers take part (in an order set by their features,
  never their ids), and the search itself: latent need profiles with a survey,
  else the reducer and the clusterer, then the refinement;
- :mod:`._stability`: whether each persona comes back on resamples;
- :mod:`._identity`: persona ids kept across refits, and names of the user's own
  (``align_to``, ``rename``, ``assess_stability`` of the model);
- :mod:`._reduce`: the embedding (UMAP), the clustering it is searched with
  (HDBSCAN), the structure test against null references, and the refinement
  of personas by the assigner;
- :mod:`._mixture`: need profiles as a mixture on the survey's scales;
- :mod:`._lineage`: matching personas across refits, so names and ids persist.

It builds on :mod:`persona.contract`, :mod:`persona.features` and
:mod:`persona.assignment` (the assigner refines what discovery finds).
"""

from persona.discovery._lineage import match_personas
from persona.discovery._mixture import Profiles, discover_profiles
from persona.discovery._reduce import (
    StructureTest,
    default_reducer,
    fit_embedding,
    select_clustering,
    structure_test,
)

__all__ = [
    "Profiles",
    "StructureTest",
    "default_reducer",
    "discover_profiles",
    "fit_embedding",
    "match_personas",
    "select_clustering",
    "structure_test",
]
