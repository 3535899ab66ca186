"""Writes to the content model: question sets, questions with their answers, classes.

`validate_question_data()` is the one definition of a well-formed question.  It is pure (no
database), so the REST API, the admin, the importers and the sample course all reject the same
things with the same messages.  The write functions call it before touching the database.

Errors use `django.core.exceptions.ValidationError` keyed by field path: `"prompt"`,
`"choices"` (about the list as a whole), `"choices.2.text"` (about the third choice),
`"numerical_answers.0.tolerance"`, `"rubric.1.points"`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from flashcards.models import (
    Choice,
    Classroom,
    Course,
    Membership,
    NumericalAnswer,
    Question,
    QuestionSet,
    Tag,
    User,
)
from flashcards.models.content import new_join_code
from flashcards.richtext import CLOZE_START, cloze_deletions, render_rich_text
from flashcards.selectors.content import can_edit_set, question_content, question_data

Kind = Question.Kind

# Scalar fields of a question that a caller may set, with the model's defaults.
QUESTION_DEFAULTS: dict[str, Any] = {
    "title": "",
    "prompt": "",
    "answer": "",
    "general_feedback": "",
    "points": Decimal("1"),
    "has_reverse": False,
    "allow_multiple": False,
    "correct_boolean": None,
    "case_sensitive": False,
    "normalize_whitespace": True,
    "ignore_accents": False,
    "rubric": [],
}
CHOICE_DEFAULTS: dict[str, Any] = {
    "text": "",
    "is_correct": False,
    "weight": None,
    "feedback": "",
    "match_text": "",
}
NUMERICAL_DEFAULTS: dict[str, Any] = {
    "value": None,
    "tolerance": 0.0,
    "minimum": None,
    "maximum": None,
    "weight": Decimal("100"),
    "feedback": "",
}
# Kinds whose answers live in Choice rows, and the kind whose answers are NumericalAnswer rows.
CHOICE_KINDS = {Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER, Kind.MATCHING}
NUMERICAL_KINDS = {Kind.NUMERICAL}
MAX_POINTS = Decimal("99999.99")
# `Kind.values` builds a new list on every access; imports validate thousands of questions.
KIND_VALUES = frozenset(Kind.values)


# --- validation -------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.by_key: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.by_key.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_key:
            raise ValidationError(self.by_key)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Decimal | None:
    """A Decimal for numbers and numeric strings; None for anything else (NaN and inf too)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_question_data(data: Mapping[str, Any], *, nested: bool = True) -> None:
    """Raise ValidationError unless `data` describes a well-formed question of its kind.

    `data` uses the model's field names, plus `choices` and `numerical_answers` as lists of
    dicts (missing lists count as empty).  `nested=False` checks only the question's own
    fields, for forms that edit the answers elsewhere (the admin's inlines).
    """
    errors = _Errors()
    kind = data.get("kind")
    if kind not in KIND_VALUES:
        errors.add("kind", _("Choose one of: %s.") % ", ".join(Kind.values))
        errors.raise_if_any()
    if _blank(data.get("prompt")):
        errors.add("prompt", _("Write the question."))
    points = _number(data.get("points", QUESTION_DEFAULTS["points"]))
    if points is None or points < 0 or points > MAX_POINTS:
        errors.add("points", _("Points must be a number from 0 to %s.") % MAX_POINTS)
    _validate_rubric(data.get("rubric") or [], errors)

    if kind == Kind.FLASHCARD and _blank(data.get("answer")):
        errors.add("answer", _("A flashcard needs a back: write the answer."))
    elif kind == Kind.FREE_TEXT and _blank(data.get("answer")):
        errors.add("answer", _("Write the reference answer students compare theirs with."))
    elif kind == Kind.TRUE_FALSE and data.get("correct_boolean") is None:
        errors.add("correct_boolean", _("Say whether the statement is true or false."))
    elif kind == Kind.CLOZE:
        _validate_cloze(data.get("prompt") or "", errors)

    if nested:
        choices = list(data.get("choices") or [])
        numerical = list(data.get("numerical_answers") or [])
        if kind in CHOICE_KINDS:
            _validate_choices(kind, data, choices, errors)
        elif choices:
            errors.add(
                "choices", _("A %s question has no choices.") % Kind(str(kind)).label.lower()
            )
        if kind in NUMERICAL_KINDS:
            _validate_numerical(numerical, errors)
        elif numerical:
            errors.add(
                "numerical_answers",
                _("Only numerical questions have numerical answers."),
            )
    errors.raise_if_any()


def _validate_rubric(rubric: Any, errors: _Errors) -> None:
    if not isinstance(rubric, list):
        errors.add("rubric", _("The rubric is a list of {criterion, points} items."))
        return
    for index, item in enumerate(rubric):
        key = f"rubric.{index}"
        if not isinstance(item, Mapping):
            errors.add(key, _("Each rubric item needs a criterion and points."))
            continue
        if _blank(item.get("criterion")):
            errors.add(f"{key}.criterion", _("Describe what earns these points."))
        points = _number(item.get("points"))
        if points is None or points < 0:
            errors.add(f"{key}.points", _("Points must be a number, 0 or more."))


def _validate_cloze(prompt: str, errors: _Errors) -> None:
    deletions = cloze_deletions(prompt)
    if not deletions:
        errors.add("prompt", _("A cloze needs at least one deletion such as {{c1::answer}}."))
    elif len(CLOZE_START.findall(prompt)) != len(deletions):
        errors.add("prompt", _("A cloze deletion is not closed with }}."))
    elif render_rich_text(prompt).count('<span class="cloze"') != len(deletions):
        errors.add(
            "prompt",
            _("A cloze deletion inside `code` or a code block is shown as text, not as a gap."),
        )
    for deletion in deletions:
        if deletion.number < 1:
            errors.add("prompt", _("Cloze numbers start at c1."))
        if _blank(deletion.text):
            errors.add("prompt", _("Cloze c%d hides nothing.") % deletion.number)


def _validate_weight(value: Any, key: str, errors: _Errors, low: int, high: int) -> Decimal | None:
    if value is None:
        return None
    weight = _number(value)
    if weight is None or not low <= weight <= high:
        errors.add(
            key,
            _("The weight is a percentage from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
        return None
    return weight


def _validate_choices(
    kind: str, data: Mapping[str, Any], choices: list[Mapping[str, Any]], errors: _Errors
) -> None:
    for index, choice in enumerate(choices):
        # A matching item with only a right-hand side is a distractor: one more option to
        # choose from (as in Moodle), so the last pair cannot be had by elimination.
        distractor = kind == Kind.MATCHING and not _blank(choice.get("match_text"))
        if _blank(choice.get("text")) and not distractor:
            errors.add(f"choices.{index}.text", _("Write the text of this choice."))
        if kind == Kind.MATCHING and _blank(choice.get("match_text")):
            errors.add(f"choices.{index}.match_text", _("Write what this item matches."))
        if kind != Kind.MULTIPLE_CHOICE:
            # Multiple choice checks its weights below, with its own rules; the others only
            # need a percentage the database can hold.
            _validate_weight(choice.get("weight"), f"choices.{index}.weight", errors, -100, 100)

    if kind == Kind.MATCHING:
        if sum(1 for choice in choices if not _blank(choice.get("text"))) < 2:
            errors.add("choices", _("A matching question needs at least two pairs."))
        return

    correct = [choice for choice in choices if choice.get("is_correct")]
    if kind == Kind.SHORT_ANSWER:
        if not correct:
            errors.add("choices", _("Give at least one accepted answer (marked correct)."))
        return

    # multiple choice
    if len(choices) < 2:
        errors.add("choices", _("A multiple-choice question needs at least two choices."))
    if not correct:
        errors.add("choices", _("Mark at least one choice as correct."))
    elif len(correct) > 1 and not data.get("allow_multiple"):
        errors.add(
            "choices",
            _("Only one choice can be correct unless the question allows several answers."),
        )
    positive_total = Decimal(0)
    weighted_correct = 0
    for index, choice in enumerate(choices):
        key = f"choices.{index}.weight"
        weight = _validate_weight(choice.get("weight"), key, errors, -100, 100)
        if weight is None:
            continue
        if choice.get("is_correct"):
            weighted_correct += 1
            if weight <= 0:
                errors.add(key, _("A correct choice must be worth more than 0%."))
        elif weight >= 100:
            errors.add(key, _("A wrong choice cannot be worth 100%."))
        if weight > 0:
            positive_total += weight
    if data.get("allow_multiple") and weighted_correct:
        if weighted_correct != len(correct):
            errors.add("choices", _("Give every correct choice a weight, or none of them."))
        elif abs(positive_total - 100) > Decimal("0.01"):
            errors.add(
                "choices",
                _("The positive weights add up to %s%%; they must add up to 100%%.")
                % format(positive_total.normalize(), "f"),
            )


def is_any_other_number(answer: Mapping[str, Any]) -> bool:
    """An answer with neither a value nor a range stands for every other number.

    It is Moodle's `*` answer (GIFT's `~#feedback`): worth 0%, it exists to give feedback to
    the answers no other row matches, and it matches only when none does.
    """
    return all(answer.get(name) is None for name in ("value", "minimum", "maximum"))


def _validate_numerical(answers: list[Mapping[str, Any]], errors: _Errors) -> None:
    if not answers:
        errors.add("numerical_answers", _("Give at least one accepted numerical answer."))
        return
    full_credit = False
    others = 0
    for index, answer in enumerate(answers):
        key = f"numerical_answers.{index}"
        tolerance = _number(answer.get("tolerance", 0) or 0)
        if tolerance is None:
            errors.add(f"{key}.tolerance", _("Enter a finite number."))
        elif tolerance < 0:
            errors.add(f"{key}.tolerance", _("The tolerance cannot be negative."))
        if is_any_other_number(answer):
            others += 1
            _validate_any_other_number(answer, key, errors)
            continue
        value, minimum, maximum = (answer.get(name) for name in ("value", "minimum", "maximum"))
        numbers = {}
        for name, raw in (("value", value), ("minimum", minimum), ("maximum", maximum)):
            if raw is not None:
                numbers[name] = _number(raw)
                if numbers[name] is None:
                    errors.add(f"{key}.{name}", _("Enter a finite number."))
        has_range = minimum is not None or maximum is not None
        if has_range and (minimum is None or maximum is None):
            missing = "minimum" if minimum is None else "maximum"
            errors.add(f"{key}.{missing}", _("A range needs both a minimum and a maximum."))
        if has_range and value is not None:
            errors.add(f"{key}.value", _("Give either a value with a tolerance or a range."))
        low, high = numbers.get("minimum"), numbers.get("maximum")
        if low is not None and high is not None and low > high:
            errors.add(f"{key}.minimum", _("The minimum is greater than the maximum."))
        weight = _validate_weight(
            answer.get("weight", NUMERICAL_DEFAULTS["weight"]), f"{key}.weight", errors, 0, 100
        )
        if weight is not None and weight == 100:
            full_credit = True
    if not full_credit:
        errors.add("numerical_answers", _("At least one answer must be worth 100%."))
    if others > 1:
        errors.add("numerical_answers", _("Only one answer can stand for any other number."))


def _validate_any_other_number(answer: Mapping[str, Any], key: str, errors: _Errors) -> None:
    weight = _number(answer.get("weight", NUMERICAL_DEFAULTS["weight"]))
    if weight != 0:
        # Most often a row whose number was forgotten, so say that first.
        errors.add(
            f"{key}.value",
            _(
                "Give the correct value (or a range). Leave both empty only for the answer "
                "that stands for any other number: worth 0%, with feedback."
            ),
        )
    elif _blank(answer.get("feedback")):
        errors.add(
            f"{key}.feedback",
            _("Write the feedback for any other number; that is what this answer is for."),
        )


# --- tags -------------------------------------------------------------------------------------


def normalize_tag_names(names: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        cleaned = " ".join(str(name).split()).lower()[:64]
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _tags(names: Iterable[str]) -> list[Tag]:
    wanted = normalize_tag_names(names)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    for name in wanted:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    return [existing[name] for name in wanted]


# --- question sets ----------------------------------------------------------------------------


def _require_instructor(user: User, what: str) -> None:
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
    _require_instructor(owner, _("create question sets"))
    if _blank(title):
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
    if "title" in changes and _blank(changes["title"]):
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
    errors = _Errors()
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
    return _write_question(question, data)


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
    return question


def bump_question_version(question: Question) -> None:
    """Count one more content edit; F() so two concurrent edits both count."""
    Question.objects.filter(pk=question.pk).update(version=F("version") + 1)
    question.refresh_from_db(fields=["version"])


@transaction.atomic
def delete_question(*, question: Question) -> None:
    question.delete()


# --- classes ----------------------------------------------------------------------------------


def normalize_join_code(code: str) -> str:
    """Codes are read aloud and typed by hand: ignore case, spaces and dashes."""
    return "".join(char for char in str(code).upper() if char.isalnum())


@transaction.atomic
def create_classroom(*, owner: User, name: str) -> Classroom:
    _require_instructor(owner, _("create classes"))
    if _blank(name):
        raise ValidationError({"name": _("Give the class a name.")})
    return Classroom.objects.create(owner=owner, name=name.strip())


@transaction.atomic
def update_classroom(*, classroom: Classroom, name: str) -> Classroom:
    if _blank(name):
        raise ValidationError({"name": _("Give the class a name.")})
    classroom.name = name.strip()
    classroom.save(update_fields=["name"])
    return classroom


@transaction.atomic
def regenerate_join_code(*, classroom: Classroom) -> Classroom:
    """A new code, for when the old one leaked; members stay members."""
    for _attempt in range(10):
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            classroom.join_code = code
            classroom.save(update_fields=["join_code"])
            return classroom
    raise RuntimeError("could not find a free join code")  # 32**8 codes: practically never


@transaction.atomic
def join_classroom(*, user: User, join_code: str) -> tuple[Classroom, bool]:
    """Join the class with this code; joining twice is harmless.  Returns (class, joined now)."""
    classroom = Classroom.objects.filter(join_code=normalize_join_code(join_code)).first()
    if classroom is None:
        raise ValidationError({"join_code": _("No class has this join code.")})
    if classroom.owner_id == user.pk:
        raise ValidationError({"join_code": _("You run this class; you do not need to join it.")})
    try:
        with transaction.atomic():
            _membership, created = Membership.objects.get_or_create(classroom=classroom, user=user)
    except IntegrityError:  # a concurrent join of the same user won the race
        created = False
    return classroom, created


@transaction.atomic
def leave_classroom(*, user: User, classroom: Classroom) -> None:
    if classroom.owner_id == user.pk:
        raise ValidationError({"user": _("You run this class; delete it instead of leaving.")})
    Membership.objects.filter(classroom=classroom, user=user).delete()


@transaction.atomic
def remove_member(*, classroom: Classroom, user: User) -> None:
    deleted, _rows = Membership.objects.filter(classroom=classroom, user=user).delete()
    if not deleted:
        raise ValidationError({"user": _("This person is not a member of the class.")})


@transaction.atomic
def assign_set(*, classroom: Classroom, question_set: QuestionSet, actor: User) -> QuestionSet:
    """Give a class a set to study.

    Only sets the instructor edits, or public ones, may be assigned: otherwise a set shared
    with one class could be passed on to another behind its owner's back.  A private set
    becomes visible to assigned classes, since assigning it is how an owner shares it.
    """
    if actor.pk != classroom.owner_id:
        raise PermissionDenied(_("Only the instructor of the class can assign sets."))
    public = question_set.visibility == QuestionSet.Visibility.PUBLIC
    if not (public or can_edit_set(actor, question_set)):
        raise PermissionDenied(_("You can assign only your own sets or public ones."))
    if question_set.visibility == QuestionSet.Visibility.PRIVATE:
        question_set.visibility = QuestionSet.Visibility.CLASSES
        question_set.save(update_fields=["visibility", "updated_at"])
    classroom.question_sets.add(question_set)
    return question_set


@transaction.atomic
def unassign_set(*, classroom: Classroom, question_set: QuestionSet) -> None:
    classroom.question_sets.remove(question_set)
