// Fusion: filled in by its issue.
