"""Reading a question set into the formats' intermediate representation for export."""

from __future__ import annotations

from django.db.models import Prefetch

from flashcards.formats.base import (
    ParsedChoice,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
)
from flashcards.models import Choice, NumericalAnswer, Question, QuestionSet, Tag, User
from flashcards.selectors.content import can_edit_set

# Study formats (cards and their backs) go to anyone who can read the set; formats that carry
# grading data (correct answers, weights, feedback) only to its editors.
VIEWER_EXPORT_FORMATS = ("apkg", "csv", "tsv")


def export_formats_for(user: User, question_set: QuestionSet) -> list[str]:
    """The export formats `user` may download `question_set` in (they can already read it)."""
    from flashcards.formats import EXPORT_FORMATS

    if can_edit_set(user, question_set):
        return list(EXPORT_FORMATS)
    return [fmt for fmt in EXPORT_FORMATS if fmt in VIEWER_EXPORT_FORMATS]


def question_set_as_parsed(question_set: QuestionSet) -> ParsedSet:
    """Every field the lossless JSON carries, in position order, in a fixed number of queries."""
    questions = (
        Question.objects.filter(question_set=question_set)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id")),
            Prefetch(
                "numerical_answers", queryset=NumericalAnswer.objects.order_by("position", "id")
            ),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
        )
    )
    parsed = ParsedSet(
        title=question_set.title,
        description=question_set.description,
        language=question_set.language,
        tags=list(question_set.tags.order_by("name").values_list("name", flat=True)),
    )
    for question in questions:
        parsed.questions.append(
            ParsedQuestion(
                kind=question.kind,
                prompt=question.prompt,
                title=question.title,
                answer=question.answer,
                general_feedback=question.general_feedback,
                points=question.points,
                tags=[tag.name for tag in question.tags.all()],
                has_reverse=question.has_reverse,
                allow_multiple=question.allow_multiple,
                correct_boolean=question.correct_boolean,
                true_feedback=question.true_feedback,
                false_feedback=question.false_feedback,
                case_sensitive=question.case_sensitive,
                normalize_whitespace=question.normalize_whitespace,
                ignore_accents=question.ignore_accents,
                rubric=question.rubric,
                version=question.version,
                position=question.position,
                ref=f"quizsite-question:{question.pk}",
                choices=[
                    ParsedChoice(
                        text=choice.text,
                        is_correct=choice.is_correct,
                        weight=choice.weight,
                        feedback=choice.feedback,
                        match_text=choice.match_text,
                        position=choice.position,
                    )
                    for choice in question.choices.all()
                ],
                numerical_answers=[
                    ParsedNumericalAnswer(
                        value=answer.value,
                        tolerance=answer.tolerance,
                        minimum=answer.minimum,
                        maximum=answer.maximum,
                        weight=answer.weight,
                        feedback=answer.feedback,
                        position=answer.position,
                    )
                    for answer in question.numerical_answers.all()
                ],
            )
        )
    return parsed


def export_question_set(*, question_set: QuestionSet, fmt: str):
    """The set written in `fmt` (an ExportResult: bytes plus what the format could not carry)."""
    from flashcards import formats

    return formats.export(question_set_as_parsed(question_set), fmt)
