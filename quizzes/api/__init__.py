"""DRF views and serializers of the quizzes app."""
