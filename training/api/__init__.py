"""REST API of the demos: views, serializers and routes (mounted under /api/, namespace
`training`)."""
