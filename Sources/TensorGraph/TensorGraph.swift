// TensorGraph: filled in by its issue.
