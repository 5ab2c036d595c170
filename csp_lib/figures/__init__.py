"""Stage 2, the numbers: figures.json of one area and period, the source of every number in a report.

``sections`` (which figures each section shows), ``measures`` (the one rounding rule), ``spc``
(XmR limits), ``disclosure`` (small counts withheld), ``calculate`` (records -> figures).
The names below are the stage's entry points.
"""

from .calculate import Cube, Figures, build_cube, compute, compute_from_folder, dumps, published, read, write

__all__ = ["Cube", "Figures", "build_cube", "compute", "compute_from_folder", "dumps", "published", "read", "write"]
