"""One module per feature (content, study, imports, ...)."""
