"""Write the committed sample customer base: python datasets/make_sample.py

The sample is make_customers(n_customers=2000, random_state=2026), saved as
Parquet with its instrument and ground truth; tests check that the files
still equal what the generator makes.
"""

from pathlib import Path

from persona.datasets import make_customers

SAMPLE = {"n_customers": 2_000, "random_state": 2026}
FOLDER = Path(__file__).parent / "sample"


def write_sample(folder: Path = FOLDER) -> None:
    data = make_customers(**SAMPLE)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("events", "survey", "emotions", "demographics"):
        getattr(data, name).to_parquet(folder / f"{name}.parquet", index=False)
    data.truth.to_frame().to_parquet(folder / "truth.parquet")
    data.personas.to_parquet(folder / "personas.parquet")
    data.instrument.to_file(folder / "instrument.json")


if __name__ == "__main__":
    write_sample()
    print(f"sample written to {FOLDER}")
