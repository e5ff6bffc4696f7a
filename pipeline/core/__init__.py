"""What every layer shares: errors, progress bars, run settings, the stage protocol and manifests, SQL and paths."""
