"""Statistics: accuracy import, correlations with bootstrap intervals, sensitivity, and the dev-set evaluation."""
