"""Stage 2, the numbers: figures.json of one area and period, the source of every number in a report.

``sections`` (which figures each section shows), ``measures`` (the one rounding rule), ``spc``
(XmR limits), ``cube`` (records counted by district and month), ``calculate`` (the cube ->
figures.json), ``disclosure`` (small counts withheld). The names below are the stage's entry points.
"""

from .calculate import Figures, check_spc, compute, compute_from_folder, dumps, published, read, write
from .cube import Cube, build_cube

__all__ = [
    "Cube",
    "Figures",
    "build_cube",
    "check_spc",
    "compute",
    "compute_from_folder",
    "dumps",
    "published",
    "read",
    "write",
]
