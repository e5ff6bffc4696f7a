"""Package data: this folder ships in the wheel as pipeline.shipped.synonyms (see pipeline/shipped/__init__.py)."""
