"""persona.spark: where persona.scoring.spark used to live; the old import path still gives it.

The Spark scoring itself is tested in tests/test_scoring_spark.py.
"""

import persona.scoring.spark
import persona.spark


def test_the_old_path_gives_the_spark_scoring_of_persona_scoring():
    assert persona.spark.__all__ == ["SparkScores", "score"]
    assert persona.spark.score is persona.scoring.spark.score
    assert persona.spark.SparkScores is persona.scoring.spark.SparkScores
