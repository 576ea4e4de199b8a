"""Scoring many customers: one engine for tables, files and Spark.

- :mod:`._tables`: the engine: raw tables in, one row per customer out, with
  the same arithmetic as :func:`persona.assign_persona`;
- :mod:`._files`: the nightly job, file to file in bounded memory, resumable;
  its passes are :mod:`._plan` (number the customers, cut chunks),
  :mod:`._partition` (rows to their chunk's spill file) and :mod:`._chunk`
  (score one chunk), over the inputs of :mod:`._inputs` and into the output
  folder of :mod:`._folder` (manifest, part files, locks);
- :mod:`persona.scoring.spark`: the same engine on each partition of a Spark
  DataFrame (needs ``persona-segments[spark]``; imported on its own).
"""

from persona.scoring._files import ScoringSummary, score_files
from persona.scoring._tables import score_tables

__all__ = ["ScoringSummary", "score_files", "score_tables"]
