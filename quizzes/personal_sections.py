"""Quizzes' tables that point at a user; imported by QuizzesConfig."""

from django.utils.translation import gettext_lazy as _

from flashcards.personal_data import Policy, Section, register

register(
    Section(
        "quiz_attempts",
        "quizzes.Attempt",
        "student",
        Policy.ANONYMISE,
        kept_because=_(
            "Your quiz attempts and answers stay, anonymous, in the item statistics your "
            "instructors use (how hard each question is); nothing in them names you."
        ),
    )
)
register(
    Section(
        "quizzes",
        "quizzes.Quiz",
        "owner",
        Policy.ANONYMISE,
        kept_because=_("Quizzes you own stay for the students who took them."),
    )
)
# Without the snapshot: it holds the answer key, which an open attempt must not show.
register(
    Section(
        "quiz_answers",
        "quizzes.AttemptAnswer",
        "attempt__student",
        Policy.WITH_PARENT,
        exclude=frozenset({"snapshot"}),
    )
)
register(Section("answers_graded", "quizzes.AttemptAnswer", "graded_by", Policy.DETACH))
