"""Scoring many customers: one engine for tables, files and Spark.

- :mod:`._tables`: the engine: raw tables in, one row per customer out, with
  the same arithmetic as :func:`persona.assign_persona`;
- :mod:`._files`: the nightly job, file to file in bounded memory, resumable;
- :mod:`persona.scoring.spark`: the same engine on each partition of a Spark
  DataFrame (needs ``persona[spark]``; imported on its own).
"""

from persona.scoring._files import ScoringSummary, score_files
from persona.scoring._tables import score_tables

__all__ = ["ScoringSummary", "score_files", "score_tables"]
