"""Lexicon: class sets, WordNet, and the curated synonyms and exclusions that make each class's terms."""
