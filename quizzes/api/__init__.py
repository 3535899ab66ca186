"""REST API of the quizzes app: views, serializers and routes (mounted under /api/, namespace
`quizzes`)."""
