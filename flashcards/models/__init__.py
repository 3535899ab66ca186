"""Models of the flashcards app, one module per feature; re-exported so Django finds them."""

from flashcards.models.accounts import InstructorInvitation
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
from flashcards.models.imports import ImportSession, QuestionMedia
from flashcards.models.study import Card, CardState, ParameterFit, ReviewLog, StudySettings

__all__ = [
    "Card",
    "CardState",
    "Choice",
    "Classroom",
    "Course",
    "ImportSession",
    "InstructorInvitation",
    "Membership",
    "NumericalAnswer",
    "ParameterFit",
    "Question",
    "QuestionMedia",
    "QuestionSet",
    "ReviewLog",
    "RichTextMixin",
    "StudySettings",
    "Tag",
    "User",
]
