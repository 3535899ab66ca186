from django.apps import AppConfig


class FlashcardsConfig(AppConfig):
    name = "flashcards"
    verbose_name = "Question sets and study"

    def ready(self) -> None:
        # What the data export and account deletion cover (flashcards.personal_data).
        import flashcards.personal_sections  # noqa: F401
