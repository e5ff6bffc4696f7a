"""The stages, thin shells over the cores in the layers below, each declared once in its module as `STAGE`.

Only the runner and the CLI import this package. The runner runs them in this order, moving a stage after
any stage it needs or uses that is declared later (`runner.ordered`).
"""

from ..core.step import Stage
from . import accuracy, correlate, count, ingest, match, normalize, published, report, sensitivity, synonyms

STAGES: tuple[Stage, ...] = tuple(module.STAGE for module in (
    ingest, normalize, synonyms, match, count, published, accuracy, correlate, sensitivity, report))
