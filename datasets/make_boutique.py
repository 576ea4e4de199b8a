"""Write the committed "boutique" files: python datasets/make_boutique.py

A small base in a retailer's own words, as its spreadsheets export it, for the
"Your own data" notebook: its own event types and channels with no taxonomy,
a 1..7 survey, comments in Italian and English, semicolons, decimal commas and
day-first timestamps. It is drawn by the world zoo (``persona.datasets.make_world``),
not by ``make_customers``, so the personas are not the ones the demo shows.
Tests check that the files still equal what this script makes.
"""

from pathlib import Path

import pandas as pd

from persona.datasets import WorldSpec, make_world

SPEC = WorldSpec(
    "boutique",
    n_customers=1_000,
    n_personas=4,
    n_dimensions=5,
    scale=(1, 7),
    survey_coverage=0.5,
    vocabulary="own",
    taxonomy_coverage=0.0,
    emotions="both",
    emotion_coverage=0.5,
    text_language="mixed",
    session_ids=False,
)
SEED = 2026
FOLDER = Path(__file__).parent / "boutique"
CSV = {"sep": ";", "decimal": ",", "index": False}
STAMP = "%d/%m/%Y %H:%M"


def boutique_tables() -> dict[str, pd.DataFrame]:
    """The tables as the files hold them (timestamps as day-first text)."""
    world = make_world(SPEC, random_state=SEED)
    events = world.events.drop(columns="session_id", errors="ignore")
    emotions = world.emotions
    return {
        "events": events.assign(timestamp=events["timestamp"].dt.strftime(STAMP)),
        "survey": world.survey.astype({c: "Int64" for c in world.survey.columns[1:]}),
        "emotions": emotions.assign(timestamp=emotions["timestamp"].dt.strftime(STAMP)),
        "truth": world.truth.rename("persona").reset_index(),
    }, world.instrument


def write_boutique(folder: Path = FOLDER) -> None:
    tables, instrument = boutique_tables()
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", **CSV)
    instrument.to_file(folder / "instrument.yaml")


if __name__ == "__main__":
    write_boutique()
    print(f"boutique files written to {FOLDER}")
