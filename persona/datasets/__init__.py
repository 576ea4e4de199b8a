"""Data sets: a synthetic customer base with known personas, and real public data.

All of them come as :class:`CustomerData`, whose tables follow persona's data
contracts, so any of them can be handed to persona as it is.
"""

from persona.datasets._base import CustomerData
from persona.datasets._logs import load_cdnow, load_mta_paths
from persona.datasets._surveys import load_bfi, load_msq
from persona.datasets._synthetic import NEEDS_INSTRUMENT, make_customers

__all__ = [
    "CustomerData",
    "NEEDS_INSTRUMENT",
    "load_bfi",
    "load_cdnow",
    "load_msq",
    "load_mta_paths",
    "make_customers",
]
