"""Models of the flashcards app, one module per feature; re-exported so Django finds them."""

from flashcards.models.content import (
    Choice,
    Classroom,
    Course,
    Membership,
    NumericalAnswer,
    Question,
    QuestionSet,
    RichTextMixin,
    Tag,
    User,
)

__all__ = [
    "Choice",
    "Classroom",
    "Course",
    "Membership",
    "NumericalAnswer",
    "Question",
    "QuestionSet",
    "RichTextMixin",
    "Tag",
    "User",
]
