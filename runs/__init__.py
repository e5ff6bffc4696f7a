"""Package data: this folder ships in the wheel as pipeline.shipped.runs (see pipeline/shipped/__init__.py)."""
