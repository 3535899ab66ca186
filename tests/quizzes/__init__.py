"""Tests of the `quizzes` package."""
