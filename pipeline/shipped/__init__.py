"""The project's data folders, shipped in the wheel: `sql/`, `synonyms/` and `runs/` at the repository's top level
are mapped onto `pipeline.shipped.sql`, `.synonyms` and `.runs` by pyproject.toml, so a regular `pip install .`
carries them and an editable install reads the checkout's folders. Find them through `pipeline.core.paths`."""
