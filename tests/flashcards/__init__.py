"""Tests of the `flashcards` package."""
