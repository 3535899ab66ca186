"""Writes to the content model: question sets and questions with their answers.

Every write validates first with `flashcards.validation.validate_question_data()`, the one
definition of a well-formed question; classes and their members are
`flashcards.services.classes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from flashcards.models import (
    Choice,
    Course,
    NumericalAnswer,
    Question,
    QuestionSet,
    Tag,
    User,
)
from flashcards.selectors.content import can_edit_set, question_content, question_data
from flashcards.services.study.cards import sync_cards
from flashcards.validation import (
    CHOICE_DEFAULTS,
    CHOICE_KINDS,
    NUMERICAL_DEFAULTS,
    NUMERICAL_KINDS,
    QUESTION_DEFAULTS,
    FieldErrors,
    is_blank,
    validate_question_data,
)

Kind = Question.Kind


# --- tags -------------------------------------------------------------------------------------


def normalize_tag_names(names: Iterable[str]) -> list[str]:
    """Tags as written, spaces collapsed, at most 64 characters, each name once.

    Case is kept (a Moodle category `Deep learning/Chapter 4` stays readable); two spellings
    that differ only in case are one tag, and the first spelling wins.
    """
    seen: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(str(name).split())[:64]
        if cleaned:
            seen.setdefault(cleaned.lower(), cleaned)
    return list(seen.values())


def tag_rows(names: Iterable[str]) -> dict[str, Tag]:
    """Tag rows for `names` (normalised), keyed by the normalised name, created where missing.

    An existing tag that differs only in case is reused, so "Activations" from one import and
    "activations" typed in the editor are the same tag.  Three queries, whatever the count.
    """
    wanted = normalize_tag_names(names)
    if not wanted:
        return {}
    folded = {name.lower(): name for name in wanted}
    existing = _tags_by_folded_name(folded)
    missing = [name for key, name in folded.items() if key not in existing]
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        existing = _tags_by_folded_name(folded)
    return {name: existing[key] for key, name in folded.items()}


def _tags_by_folded_name(folded: Mapping[str, str]) -> dict[str, Tag]:
    rows = Tag.objects.annotate(folded=Lower("name")).filter(
        Q(folded__in=list(folded)) | Q(name__in=list(folded.values()))
    )
    found: dict[str, Tag] = {}
    for tag in rows.order_by("pk"):
        found.setdefault(tag.name.lower(), tag)
    return found


def _tags(names: Iterable[str]) -> list[Tag]:
    return list(tag_rows(names).values())


# --- question sets ----------------------------------------------------------------------------


def require_instructor(user: User, what: str) -> None:
    if not (user.is_authenticated and user.is_instructor):
        raise PermissionDenied(_("Only instructors can %s.") % what)


def _check_course(course: Course | None, owner: User) -> None:
    if course is not None and course.owner_id != owner.pk:
        raise ValidationError({"course": _("Choose one of your own courses.")})


def _check_co_editors(co_editors: Iterable[User], owner: User) -> list[User]:
    editors = list(co_editors)
    if any(not user.is_instructor for user in editors):
        raise ValidationError({"co_editors": _("Co-editors must be instructors.")})
    return [user for user in editors if user.pk != owner.pk]


@transaction.atomic
def create_question_set(
    *,
    owner: User,
    title: str,
    description: str = "",
    language: str = "en",
    visibility: str = QuestionSet.Visibility.PRIVATE,
    course: Course | None = None,
    position: int | None = None,
    tags: Iterable[str] = (),
    co_editors: Iterable[User] = (),
) -> QuestionSet:
    require_instructor(owner, _("create question sets"))
    if is_blank(title):
        raise ValidationError({"title": _("Give the set a title.")})
    _check_course(course, owner)
    editors = _check_co_editors(co_editors, owner)
    if position is None:
        siblings = QuestionSet.objects.filter(owner=owner, course=course)
        position = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
    question_set = QuestionSet.objects.create(
        owner=owner,
        title=title.strip(),
        description=description,
        language=language,
        visibility=visibility,
        course=course,
        position=position,
    )
    question_set.tags.set(_tags(tags))
    question_set.co_editors.set(editors)
    return question_set


SET_FIELDS = {"title", "description", "language", "visibility", "course", "position"}
SET_OWNER_ONLY_FIELDS = {"visibility", "course", "co_editors"}


@transaction.atomic
def update_question_set(*, question_set: QuestionSet, actor: User, **changes: Any) -> QuestionSet:
    """Co-editors edit the content; sharing it (visibility, course, co-editors) is the owner's."""
    if not can_edit_set(actor, question_set):
        raise PermissionDenied(_("You cannot edit this question set."))
    touched_owner_only = SET_OWNER_ONLY_FIELDS & changes.keys()
    if touched_owner_only and actor.pk != question_set.owner_id:
        raise PermissionDenied(
            _("Only the owner can change: %s.") % ", ".join(sorted(touched_owner_only))
        )
    unknown = changes.keys() - SET_FIELDS - {"tags", "co_editors"}
    if unknown:
        raise ValueError(f"unknown question-set fields: {sorted(unknown)}")
    if "title" in changes and is_blank(changes["title"]):
        raise ValidationError({"title": _("Give the set a title.")})
    if "course" in changes:
        _check_course(changes["course"], question_set.owner)
    for field in SET_FIELDS & changes.keys():
        setattr(question_set, field, changes[field])
    question_set.save()
    if "tags" in changes:
        question_set.tags.set(_tags(changes["tags"]))
    if "co_editors" in changes:
        question_set.co_editors.set(_check_co_editors(changes["co_editors"], question_set.owner))
    return question_set


@transaction.atomic
def delete_question_set(*, question_set: QuestionSet, actor: User) -> None:
    if actor.pk != question_set.owner_id:
        raise PermissionDenied(_("Only the owner can delete a question set."))
    question_set.delete()


@transaction.atomic
def reorder_questions(*, question_set: QuestionSet, question_ids: Sequence[int]) -> None:
    """Put the set's questions in the given order; the list must name each of them once."""
    current = set(question_set.questions.values_list("pk", flat=True))
    if len(question_ids) != len(set(question_ids)) or set(question_ids) != current:
        raise ValidationError({"question_ids": _("List every question of this set exactly once.")})
    questions = Question.objects.in_bulk(question_ids)
    for position, pk in enumerate(question_ids):
        questions[pk].position = position
    Question.objects.bulk_update(questions.values(), ["position"])


# --- questions --------------------------------------------------------------------------------


def question_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The question's own columns from a validated mapping, cleaned as they are stored.

    Shared with the importers, which save in bulk but must store what this module would.
    """
    fields = {name: data.get(name, default) for name, default in QUESTION_DEFAULTS.items()}
    fields["rubric"] = [
        {"criterion": str(item["criterion"]).strip(), "points": float(item["points"])}
        for item in fields["rubric"] or []
    ]
    for name in ("prompt", "answer", "general_feedback"):
        fields[name] = fields[name] or ""
    fields["title"] = (fields["title"] or "").strip()
    return fields


def _write_answers(
    question: Question,
    model: type[Choice] | type[NumericalAnswer],
    items: list[Mapping[str, Any]],
    defaults: dict[str, Any],
    key: str,
) -> None:
    """Make the question's answer rows match `items`, keeping the ids of rows that stay.

    Items that carry the `id` of one of this question's rows update it (quiz attempts may
    point at it); items without an id are new; rows not mentioned are deleted.
    """
    existing = {row.pk: row for row in model.objects.filter(question=question)}
    errors = FieldErrors()
    for index, item in enumerate(items):
        if item.get("id") is not None and item["id"] not in existing:
            errors.add(f"{key}.{index}.id", _("This is not one of the question's answers."))
    errors.raise_if_any()
    kept = {item["id"] for item in items if item.get("id") is not None}
    model.objects.filter(pk__in=existing.keys() - kept).delete()
    for position, item in enumerate(items):
        row = existing.get(item["id"]) if item.get("id") is not None else None
        row = row or model(question=question)
        for field, default in defaults.items():
            value = item.get(field, default)
            if field == "tolerance" and value is None:
                value = 0.0
            if field in {"value", "minimum", "maximum", "tolerance"} and value is not None:
                value = float(value)
            setattr(row, field, value)
        row.position = position
        row.save()


def _write_question(question: Question, data: Mapping[str, Any]) -> Question:
    for field, value in question_fields(data).items():
        setattr(question, field, value)
    question.kind = data["kind"]
    if data.get("position") is not None:
        question.position = data["position"]
    question.save()
    choices = list(data.get("choices") or []) if question.kind in CHOICE_KINDS else []
    numerical = (
        list(data.get("numerical_answers") or []) if question.kind in NUMERICAL_KINDS else []
    )
    _write_answers(question, Choice, choices, CHOICE_DEFAULTS, "choices")
    _write_answers(question, NumericalAnswer, numerical, NUMERICAL_DEFAULTS, "numerical_answers")
    if "tags" in data:
        question.tags.set(_tags(data["tags"] or []))
    return question


@transaction.atomic
def create_question(*, question_set: QuestionSet, data: Mapping[str, Any]) -> Question:
    """Create a question with its choices / numerical answers from one validated mapping."""
    validate_question_data(data)
    data = dict(data)
    if data.get("position") is None:
        top = question_set.questions.aggregate(top=Max("position"))["top"]
        data["position"] = 0 if top is None else top + 1
    question = Question(question_set=question_set, kind=data["kind"])
    question = _write_question(question, data)
    sync_cards(questions=[question])  # studyable from this commit on (see services/study/cards)
    return question


@transaction.atomic
def update_question(*, question: Question, changes: Mapping[str, Any]) -> Question:
    """Apply `changes` (any subset of the fields; nested lists replace the old ones).

    The merged question is validated as a whole, so a change of kind has to bring the answers
    that kind needs.  `version` grows when the content a student sees or is graded on changes;
    a new position, title or tags leave it alone.
    """
    before = question_content(question)
    merged = {**question_data(question), **changes}
    validate_question_data(merged)
    _write_question(question, merged)
    # A fresh instance: the caller's may hold prefetched answers that are now stale.
    question = Question.objects.get(pk=question.pk)
    if question_content(question) != before:
        bump_question_version(question)
    sync_cards(questions=[question])  # a cloze gap or a reverse side may have come or gone
    return question


def bump_question_version(question: Question) -> None:
    """Count one more content edit; F() so two concurrent edits both count."""
    Question.objects.filter(pk=question.pk).update(version=F("version") + 1)
    question.refresh_from_db(fields=["version"])


@transaction.atomic
def delete_question(*, question: Question) -> None:
    question.delete()
