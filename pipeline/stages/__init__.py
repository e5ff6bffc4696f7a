"""The stages, thin shells over the cores in the layers below, each declared once in its module as `STAGE`.

Only the runner and the CLI import this package. The order here is the order of `classfreq all`; it
respects every stage's `needs`, which the runner checks.
"""

from ..core.step import Stage
from . import accuracy, correlate, count, ingest, match, normalize, published, report, sensitivity, synonyms

STAGES: tuple[Stage, ...] = tuple(module.STAGE for module in (
    ingest, normalize, synonyms, match, count, published, accuracy, correlate, sensitivity, report))
