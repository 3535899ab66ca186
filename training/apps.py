from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Live PyTorch demos"

    def ready(self) -> None:
        # Each demo module registers itself on import (training.registry never imports one).
        # Importing them here fills the registry in every process once Django is set up.
        import training.demos
        import training.personal_sections  # noqa: F401  (registers the personal data tables)
