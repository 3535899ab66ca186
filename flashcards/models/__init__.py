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
from flashcards.models.imports import ImportSession

__all__ = [
    "Choice",
    "Classroom",
    "Course",
    "ImportSession",
    "Membership",
    "NumericalAnswer",
    "Question",
    "QuestionSet",
    "RichTextMixin",
    "Tag",
    "User",
]
