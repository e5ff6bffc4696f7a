"""classfreq: how often each class of a benchmark appears in a VLM's training text, and how that predicts accuracy.

Every stage is a plain function a notebook can call; the `classfreq` CLI is a thin layer over them.
"""

__version__ = "0.1.0"
