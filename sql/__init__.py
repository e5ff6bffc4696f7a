"""Package data: this folder ships in the wheel as pipeline.shipped.sql (see pipeline/shipped/__init__.py)."""
