"""Flashcards' tables (and Django's own) that point at a user; imported by FlashcardsConfig."""

from django.utils.translation import gettext_lazy as _

from flashcards.personal_data import Policy, Section, register

KEPT_CONTENT = _(
    "Courses, question sets and classes you own stay for the students who use them, "
    "owned by an anonymous account."
)
KEPT_ANONYMOUS = _(
    "Your reviews and class memberships stay, anonymous, so your instructors' statistics "
    "stay right; nothing in them names you."
)

register(
    Section(
        "memberships",
        "flashcards.Membership",
        "user",
        Policy.ANONYMISE,
        kept_because=KEPT_ANONYMOUS,
    )
)
register(
    Section(
        "reviews", "flashcards.ReviewLog", "student", Policy.ANONYMISE, kept_because=KEPT_ANONYMOUS
    )
)
register(Section("card_states", "flashcards.CardState", "student", Policy.DELETE))
register(Section("study_settings", "flashcards.StudySettings", "student", Policy.DELETE))
register(Section("parameter_fits", "flashcards.ParameterFit", "student", Policy.DELETE))
register(
    Section(
        "imports", "flashcards.ImportSession", "owner", Policy.DELETE, exclude=frozenset({"data"})
    )
)
register(
    Section("courses", "flashcards.Course", "owner", Policy.ANONYMISE, kept_because=KEPT_CONTENT)
)
register(
    Section(
        "question_sets",
        "flashcards.QuestionSet",
        "owner",
        Policy.ANONYMISE,
        kept_because=KEPT_CONTENT,
    )
)
register(
    Section("classes", "flashcards.Classroom", "owner", Policy.ANONYMISE, kept_because=KEPT_CONTENT)
)
register(
    Section(
        "instructor_invitations_created",
        "flashcards.InstructorInvitation",
        "created_by",
        Policy.DELETE,
        exclude=frozenset({"token_hash"}),
    )
)
register(
    Section(
        "instructor_invitations_used",
        "flashcards.InstructorInvitation",
        "used_by",
        Policy.DETACH,
        exclude=frozenset({"token_hash"}),
    )
)
# Django's and DRF's tables.
register(Section("api_token", "authtoken.Token", "user", Policy.DELETE, exclude=frozenset({"key"})))
register(Section("admin_log", "admin.LogEntry", "user", Policy.DELETE))
