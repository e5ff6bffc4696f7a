"""classfreq: how often each class of a benchmark appears in a VLM's training text, and how that predicts accuracy.

Layers, each importing only those below it (`lint-imports` checks): `cli` and `runner` on top; `stages`
(thin shells, one module per stage) beside `executors` (the local process pool and Ray, which see only
the step interface); `report`; `stats`; `lexicon`; `text` beside `readers`; and `core` (settings, the
stage protocol, manifests, the SQL loader). From a notebook: `run_pipeline(load_run("demo"))`.
"""

__version__ = "0.1.0"
