"""LTI's tables that point at a user (flashcards.personal_data); imported by LtiConfig."""

from django.utils.translation import gettext_lazy as _

from flashcards.personal_data import Policy, Section, register

# The platform's id for the person, and the scores waiting to be sent back: the platform
# keeps its own gradebook, so both go with the account.
register(Section("lti_identities", "lti.LtiIdentity", "user", Policy.DELETE))
register(Section("lti_grades", "lti.PlatformGrade", "student", Policy.DELETE))
register(
    Section(
        "lti_courses",
        "lti.LtiCourse",
        "owner",
        Policy.ANONYMISE,
        kept_because=_("Courses opened from a learning platform stay for their students."),
    )
)
