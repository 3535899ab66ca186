from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        # While a student takes a quiz, no other endpoint may show its questions' answers.
        from flashcards.selectors.content import register_answer_key_lock
        from quizzes.selectors.secrecy import OPEN_ATTEMPTS_LOCK

        register_answer_key_lock(OPEN_ATTEMPTS_LOCK)
        import quizzes.personal_sections  # noqa: F401  (registers the personal data tables)
