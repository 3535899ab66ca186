"""REST API of the flashcards app, one views module per feature (content, study, imports) and
its serializers; `urls` holds every route (mounted under /api/, namespace `flashcards`)."""
