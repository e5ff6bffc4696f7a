"""`make bench`: throughput of the production path against a spaCy baseline and a tokenize-only floor."""
