"""Writes of the quizzes app: one module per feature."""
