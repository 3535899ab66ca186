"""Tests of the project as a whole: settings, health checks, the run command, docker compose,
the Celery broker and the torch environment (the `quizsite` package and what it deploys)."""
