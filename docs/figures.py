"""Draw the figures the README shows, from the code as it is.

    python docs/figures.py

Fits PersonaModel on ``make_customers(n_customers=5000, random_state=0)`` as
the README does and writes ``docs/journey-map.png``: the journey map of the
largest persona.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import persona
from persona.datasets import make_customers


def main() -> None:
    data = make_customers(n_customers=5000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = persona.PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    largest = int(model.personas_["size"].idxmax())
    out = Path(__file__).parent / "journey-map.png"
    model.plot_journey(largest).savefig(out, dpi=80)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
