"""The HTML report: sections over a read-only DuckDB connection, every value from the data escaped."""
