// EGraphKit: filled in by its issue.
