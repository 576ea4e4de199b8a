"""Where :mod:`persona.scoring.spark` used to live; kept so that ``persona.spark.score`` works."""

from persona.scoring.spark import SparkScores, score

__all__ = ["SparkScores", "score"]
