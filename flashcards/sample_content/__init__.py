"""The sample course: two chapters of questions written for quizsite, plus demo accounts.

The content lives in TOML files beside this module (`course.toml` names the sets in order),
readable and editable without touching code.  Each question has a `title` that is unique within
its set; the loader uses (owner, set title, question title) as the key, so loading again
updates rows in place instead of duplicating them, and leaves unchanged rows untouched
(same ids, same timestamps, same `version`).  Live demos find their questions by these titles.

A question table may carry an `extra` table (for example `extra.demo = "sigmoid"`): the loader
ignores it apart from returning it in the report, so other apps can hang data off the sample
questions without a schema change here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from flashcards.models import Classroom, Course, Membership, Question, QuestionSet, User
from flashcards.sample_content.names import every_name, site_name
from flashcards.selectors.content import question_data
from flashcards.services.classes import assign_set
from flashcards.services.content import (
    CHOICE_DEFAULTS,
    CHOICE_KINDS,
    NUMERICAL_DEFAULTS,
    NUMERICAL_KINDS,
    QUESTION_DEFAULTS,
    create_question,
    create_question_set,
    normalize_tag_names,
    update_question,
    update_question_set,
    validate_question_data,
)

DATA_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "quizsite-demo"

SET_KEYS = {"title", "description", "language", "position", "tags", "questions"}
QUESTION_KEYS = {*QUESTION_DEFAULTS, "kind", "tags", "choices", "numerical_answers", "extra"}


def read_course(directory: Path = DATA_DIR) -> dict[str, Any]:
    """The course as plain data: course.toml with `sets` replaced by the sets' contents."""
    with open(directory / "course.toml", "rb") as handle:
        course = tomllib.load(handle)
    sets = []
    for name in course["sets"]:
        with open(directory / name, "rb") as handle:
            sets.append(tomllib.load(handle))
    course["sets"] = sets
    return course


def check_course(course: dict[str, Any]) -> None:
    """Raise ValidationError listing every problem in the data, keyed "set / question: field"."""
    problems: dict[str, list[str]] = {}
    for question_set in course["sets"]:
        set_title = question_set.get("title", "?")
        unknown = set(question_set) - SET_KEYS
        if unknown:
            problems.setdefault(set_title, []).append(f"unknown keys {sorted(unknown)}")
        seen: set[str] = set()
        for index, question in enumerate(question_set.get("questions", [])):
            title = (question.get("title") or "").strip()
            where = f"{set_title} / {title or f'question {index + 1}'}"
            if not title:
                problems.setdefault(where, []).append("every sample question needs a title")
            elif title in seen:
                problems.setdefault(where, []).append("the title is used twice in this set")
            seen.add(title)
            unknown = set(question) - QUESTION_KEYS
            if unknown:
                problems.setdefault(where, []).append(f"unknown keys {sorted(unknown)}")
            try:
                validate_question_data(question)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    problems.setdefault(where, []).extend(f"{key}: {m}" for m in messages)
    if problems:
        raise ValidationError(problems)


@dataclass
class LoadReport:
    instructor: User
    student: User
    classroom: Classroom
    course: Course
    sets: list[QuestionSet]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_accounts: list[str] = field(default_factory=list)
    extras: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def _account(spec: dict[str, Any], password: str, reset_password: bool) -> tuple[User, bool]:
    found = User.objects.filter(username=spec["username"]).first()
    created = found is None
    user = User(username=spec["username"]) if found is None else found
    changed = created
    for name in ("first_name", "last_name", "email", "role"):
        if getattr(user, name) != spec[name]:
            setattr(user, name, spec[name])
            changed = True
    if created or reset_password:
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    return user, created


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _percent(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A question mapping reduced to what is stored, so file and database can be compared."""
    result: dict[str, Any] = {"kind": data["kind"]}
    for name, default in QUESTION_DEFAULTS.items():
        result[name] = data.get(name, default)
    result["title"] = (result["title"] or "").strip()
    result["points"] = _percent(result["points"])
    result["rubric"] = [
        {"criterion": str(item["criterion"]).strip(), "points": float(item["points"])}
        for item in result["rubric"] or []
    ]
    result["tags"] = sorted(normalize_tag_names(data.get("tags") or []))
    result["position"] = data.get("position")
    choices = data.get("choices") or [] if data["kind"] in CHOICE_KINDS else []
    result["choices"] = [
        {
            **{name: item.get(name, default) for name, default in CHOICE_DEFAULTS.items()},
            "weight": _percent(item.get("weight")),
        }
        for item in choices
    ]
    answers = data.get("numerical_answers") or [] if data["kind"] in NUMERICAL_KINDS else []
    result["numerical_answers"] = [
        {
            "value": _number(item.get("value")),
            "tolerance": _number(item.get("tolerance")) or 0.0,
            "minimum": _number(item.get("minimum")),
            "maximum": _number(item.get("maximum")),
            "weight": _percent(item.get("weight", NUMERICAL_DEFAULTS["weight"])),
            "feedback": item.get("feedback", ""),
        }
        for item in answers
    ]
    return result


def _sync_question(
    question_set: QuestionSet, existing: Question | None, data: dict[str, Any], report: LoadReport
) -> None:
    if existing is None:
        create_question(question_set=question_set, data=data)
        report.created += 1
        return
    current = question_data(existing)
    if comparable(current) == comparable(data):
        report.unchanged += 1
        return
    # Reuse the rows of existing answers in order, so their ids (which attempts may point
    # at) survive an edit of the sample text.
    changes = {**data}
    for name in ("choices", "numerical_answers"):
        items = [dict(item) for item in data.get(name) or []]
        for item, old in zip(items, current[name], strict=False):
            item["id"] = old["id"]
        changes[name] = items
    for name, default in QUESTION_DEFAULTS.items():
        changes.setdefault(name, default)
    update_question(question=existing, changes=changes)
    report.updated += 1


def _sync_set(
    spec: dict[str, Any], instructor: User, course: Course, report: LoadReport
) -> QuestionSet:
    fields = {
        "description": spec.get("description", ""),
        "language": spec.get("language", "en"),
        "position": spec.get("position", 0),
        "course": course,
        "visibility": QuestionSet.Visibility.CLASSES,
    }
    tags = normalize_tag_names(spec.get("tags") or [])
    # Loaded in the site's language, found in any (see names.py).
    fields["title"] = site_name(spec["title"])
    question_set = (
        QuestionSet.objects.filter(owner=instructor, title__in=every_name(spec["title"]))
        .order_by("pk")
        .first()
    )
    if question_set is None:
        question_set = create_question_set(owner=instructor, tags=tags, **fields)
    else:
        changed = {
            name: value for name, value in fields.items() if getattr(question_set, name) != value
        }
        if sorted(tag.name for tag in question_set.tags.all()) != sorted(tags):
            changed["tags"] = tags
        if changed:
            update_question_set(question_set=question_set, actor=instructor, **changed)

    by_title = {q.title: q for q in question_set.questions.prefetch_related("tags")}
    for position, question in enumerate(spec.get("questions", [])):
        data = {key: value for key, value in question.items() if key != "extra"}
        data["position"] = position
        _sync_question(question_set, by_title.get(data["title"]), data, report)
        if "extra" in question:
            report.extras[(spec["title"], data["title"])] = question["extra"]
    return question_set


@transaction.atomic
def load_sample_content(
    *, password: str = DEMO_PASSWORD, reset_passwords: bool = False, directory: Path = DATA_DIR
) -> LoadReport:
    """Create or update the sample course, its demo accounts and demo class; idempotent."""
    course_spec = read_course(directory)
    check_course(course_spec)
    accounts = course_spec["accounts"]
    instructor, new_instructor = _account(accounts["instructor"], password, reset_passwords)
    student, new_student = _account(accounts["student"], password, reset_passwords)

    course_title = site_name(course_spec["title"])
    course = (
        Course.objects.filter(owner=instructor, title__in=every_name(course_spec["title"]))
        .order_by("pk")
        .first()
    )
    if course is None:
        course = Course.objects.create(owner=instructor, title=course_title)
    elif course.title != course_title:
        course.title = course_title
        course.save(update_fields=["title"])
    if course.description != course_spec.get("description", ""):
        course.description = course_spec.get("description", "")
        course.save(update_fields=["description"])

    classroom_name = site_name(course_spec["classroom"]["name"])
    classroom = (
        Classroom.objects.filter(
            owner=instructor, name__in=every_name(course_spec["classroom"]["name"])
        )
        .order_by("pk")
        .first()
    )
    if classroom is not None and classroom.name != classroom_name:
        classroom.name = classroom_name
        classroom.save(update_fields=["name"])
    if classroom is None:
        classroom = Classroom.objects.create(owner=instructor, name=classroom_name)
    Membership.objects.get_or_create(classroom=classroom, user=student)

    report = LoadReport(
        instructor=instructor,
        student=student,
        classroom=classroom,
        course=course,
        sets=[],
        new_accounts=[
            user.username
            for user, new in ((instructor, new_instructor), (student, new_student))
            if new
        ],
    )
    for spec in course_spec["sets"]:
        question_set = _sync_set(spec, instructor, course, report)
        if not classroom.question_sets.filter(pk=question_set.pk).exists():
            assign_set(classroom=classroom, question_set=question_set, actor=instructor)
        report.sets.append(question_set)
    return report
