from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (Moodle and other learning platforms)")

    def ready(self) -> None:
        # A finished (or regraded) attempt at a quiz opened from a platform is passed back to
        # it: quizzes sends the signal, this app cannot be imported by quizzes.
        from lti.receivers import pass_score_back
        from quizzes.signals import attempt_scored

        attempt_scored.connect(pass_score_back, dispatch_uid="lti.pass_score_back")
        # What the data export and account deletion cover (flashcards.personal_data).
        import lti.personal_sections  # noqa: F401
