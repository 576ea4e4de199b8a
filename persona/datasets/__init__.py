"""Data sets: synthetic customer bases with known personas, and real public data.

All of them come as :class:`CustomerData`, whose tables follow persona's data
contracts, so any of them can be handed to persona as it is.
"""

from persona.datasets._base import CustomerData
from persona.datasets._careless import plant_careless
from persona.datasets._logs import load_cdnow, load_mta_paths
from persona.datasets._surveys import load_bfi, load_msq
from persona.datasets._synthetic import NEEDS_INSTRUMENT, make_customers
from persona.datasets._worlds import NEED_DIMENSIONS, WorldSpec, make_world, world_zoo

__all__ = [
    "CustomerData",
    "NEED_DIMENSIONS",
    "NEEDS_INSTRUMENT",
    "WorldSpec",
    "load_bfi",
    "load_cdnow",
    "load_msq",
    "load_mta_paths",
    "make_customers",
    "make_world",
    "plant_careless",
    "world_zoo",
]
