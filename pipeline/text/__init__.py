"""Text: the one normalization of words shared by texts and terms, the term matcher, and the published counting."""
