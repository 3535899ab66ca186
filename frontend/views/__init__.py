"""Page views, one module per area; each is a thin adapter over selectors and services."""
