# Sourced by scripts/test: nothing yet; the browser work adds its asset install here.
:
