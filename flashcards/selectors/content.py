"""Who may read and who may edit which question sets.

Every API view, page and task that shows or changes a set asks these functions, so the rules
live in one place: owners and co-editors edit; everyone signed in reads public sets; students
read sets assigned to a class they belong to; instructors read the sets assigned to classes
they own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from flashcards.models import Classroom, Membership, Question, QuestionSet, User


def sets_visible_to(user: User) -> QuerySet[QuestionSet]:
    if not user.is_authenticated:
        return QuestionSet.objects.filter(visibility=QuestionSet.Visibility.PUBLIC)
    assigned = Q(visibility=QuestionSet.Visibility.CLASSES) & (
        Q(classrooms__members=user) | Q(classrooms__owner=user)
    )
    rule = (
        Q(visibility=QuestionSet.Visibility.PUBLIC) | Q(owner=user) | Q(co_editors=user) | assigned
    )
    # The joins above can repeat a set; filter by id so callers get a clean, countable queryset.
    return QuestionSet.objects.filter(pk__in=QuestionSet.objects.filter(rule).values("pk"))


def _visible_set_sql() -> str:
    co_editors = QuestionSet.co_editors.through._meta
    assigned = Classroom.question_sets.through._meta
    membership = Membership._meta
    return f"""(
  {{qs}}.visibility = %s OR {{qs}}.owner_id = %s
  OR {{qs}}.id IN (SELECT {co_editors.get_field("questionset").column} FROM {co_editors.db_table}
               WHERE {co_editors.get_field("user").column} = %s)
  OR ({{qs}}.visibility = %s AND {{qs}}.id IN (
      SELECT a.{assigned.get_field("questionset").column} FROM {assigned.db_table} a
      JOIN {Classroom._meta.db_table} cl ON cl.id = a.{assigned.get_field("classroom").column}
      WHERE cl.owner_id = %s OR cl.id IN (
        SELECT m.{membership.get_field("classroom").column} FROM {membership.db_table} m
        WHERE m.{membership.get_field("user").column} = %s))))"""


def visible_set_condition(user: User, alias: str) -> tuple[str, list]:
    """`sets_visible_to` as a SQL condition on the question-set table aliased `alias`.

    For the few queries on the study hot path that are written out in SQL (see
    flashcards/selectors/sql.py); tests/flashcards/test_study_sql.py checks it equals
    `sets_visible_to` for every relation and visibility.
    """
    if not user.is_authenticated:
        return f"{alias}.visibility = %s", [QuestionSet.Visibility.PUBLIC]
    params = [QuestionSet.Visibility.PUBLIC, user.pk, user.pk, QuestionSet.Visibility.CLASSES]
    return VISIBLE_SET_SQL.format(qs=alias), [*params, user.pk, user.pk]


def _studied_sets_sql() -> str:
    sets = QuestionSet._meta.db_table
    co_editors = QuestionSet.co_editors.through._meta
    assigned = Classroom.question_sets.through._meta
    return f"""
SELECT qs.id FROM {sets} qs
WHERE qs.owner_id = %s
   OR qs.id IN (SELECT {co_editors.get_field("questionset").column} FROM {co_editors.db_table}
                WHERE {co_editors.get_field("user").column} = %s)
   OR (qs.visibility IN (%s, %s) AND qs.id IN (
        SELECT a.{assigned.get_field("questionset").column} FROM {assigned.db_table} a
        JOIN {Membership._meta.db_table} m
          ON m.{Membership._meta.get_field("classroom").column}
             = a.{assigned.get_field("classroom").column}
        WHERE m.{Membership._meta.get_field("user").column} = %s))
ORDER BY qs.id
"""


def studied_set_ids(user: User) -> list[int]:
    """The sets a user studies when they pick none: those assigned to their classes, their own
    and those they co-edit — each only if they may read it (`sets_visible_to`).

    Equal to `sets_visible_to(user).filter(classrooms__members=user | owner | co_editors)`,
    which is how tests/flashcards/test_study_sql.py checks it, but written out: it runs on every
    next-card request, and the ORM spent 2–3 ms of Python composing that query's joins and
    subqueries.  Intersected with the read rule, a class member's set counts when it is public
    or assigned to classes; a private set only for its owner and co-editors.
    """
    if not user.is_authenticated:
        return []
    visible = (QuestionSet.Visibility.PUBLIC, QuestionSet.Visibility.CLASSES)
    with connection.cursor() as cursor:
        cursor.execute(STUDIED_SETS_SQL, [user.pk, user.pk, *visible, user.pk])
        return [row[0] for row in cursor.fetchall()]


def sets_editable_by(user: User) -> QuerySet[QuestionSet]:
    if not user.is_authenticated:
        return QuestionSet.objects.none()
    editable = QuestionSet.objects.filter(Q(owner=user) | Q(co_editors=user)).values("pk")
    return QuestionSet.objects.filter(pk__in=editable)


def can_view_set(user: User, question_set: QuestionSet) -> bool:
    return sets_visible_to(user).filter(pk=question_set.pk).exists()


def can_edit_set(user: User, question_set: QuestionSet) -> bool:
    if not user.is_authenticated:
        return False
    if question_set.owner_id == user.pk:
        return True
    return question_set.co_editors.filter(pk=user.pk).exists()


def sets_assignable_by(user: User) -> QuerySet[QuestionSet]:
    """Sets an instructor may give a class: their own (or co-edited) ones and public ones,
    except quiz-only sets, which are exam material and never studied."""
    if not user.is_authenticated:
        return QuestionSet.objects.none()
    rule = Q(visibility=QuestionSet.Visibility.PUBLIC) | Q(
        pk__in=sets_editable_by(user).values("pk")
    )
    return QuestionSet.objects.filter(rule).exclude(visibility=QuestionSet.Visibility.QUIZ_ONLY)


def classrooms_visible_to(user: User) -> QuerySet[Classroom]:
    """Classes someone runs or belongs to; nobody else learns that a class exists."""
    if not user.is_authenticated:
        return Classroom.objects.none()
    member_of = Membership.objects.filter(user=user).values("classroom_id")
    return Classroom.objects.filter(Q(owner=user) | Q(pk__in=member_of))


def with_answers(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Questions with everything a page or the API shows, in a constant number of queries."""
    return questions.prefetch_related("choices", "numerical_answers", "tags")


def question_data(question: Question) -> dict[str, Any]:
    """The question as the mapping `validate_question_data()` and the write services take."""
    data = question_content(question, with_ids=True)
    data.update(
        title=question.title,
        position=question.position,
        tags=[tag.name for tag in question.tags.all()],
    )
    return data


def question_content(question: Question, *, with_ids: bool = False) -> dict[str, Any]:
    """What a student sees or is graded on; a change here is a new version of the question."""
    content = {
        "kind": question.kind,
        "prompt": question.prompt,
        "answer": question.answer,
        "general_feedback": question.general_feedback,
        "points": question.points,
        "has_reverse": question.has_reverse,
        "allow_multiple": question.allow_multiple,
        "correct_boolean": question.correct_boolean,
        "true_feedback": question.true_feedback,
        "false_feedback": question.false_feedback,
        "case_sensitive": question.case_sensitive,
        "normalize_whitespace": question.normalize_whitespace,
        "ignore_accents": question.ignore_accents,
        "rubric": question.rubric,
        "choices": [
            {
                "text": choice.text,
                "is_correct": choice.is_correct,
                "weight": choice.weight,
                "feedback": choice.feedback,
                "match_text": choice.match_text,
            }
            for choice in question.choices.all()
        ],
        "numerical_answers": [
            {
                "value": answer.value,
                "tolerance": answer.tolerance,
                "minimum": answer.minimum,
                "maximum": answer.maximum,
                "weight": answer.weight,
                "feedback": answer.feedback,
            }
            for answer in question.numerical_answers.all()
        ],
    }
    if with_ids:
        for name in ("choices", "numerical_answers"):
            for item, row in zip(content[name], getattr(question, name).all(), strict=True):
                item["id"] = row.pk
    return content


# --- answer-key secrecy -------------------------------------------------------------------------

# Higher apps say which questions' answers a user may not read right now, each as a function
# user -> queryset of question ids (`values("question_id")`).  quizzes registers "the
# questions of an attempt in progress" (quizzes/apps.py); flashcards must not import quizzes.
ANSWER_KEY_LOCKS: list[Callable[[User], QuerySet]] = []


def register_answer_key_lock(provider: Callable[[User], QuerySet]) -> None:
    if provider not in ANSWER_KEY_LOCKS:
        ANSWER_KEY_LOCKS.append(provider)


def questions_with_hidden_keys(user: User) -> QuerySet[Question]:
    """Questions whose answers `user` may not be shown now, by any endpoint or page.

    While a student has a quiz attempt open, the quiz's questions are out of reach: the
    question API, set pages, exports, demo attachments and study in every mode leave them
    out, so the key cannot be looked up during the attempt.  The set's owner and co-editors
    are never locked out of what they edit.  The attempt's own payload is quizzes' business.
    """
    if not user.is_authenticated or not ANSWER_KEY_LOCKS:
        return Question.objects.none()
    locked = Q()
    for provider in ANSWER_KEY_LOCKS:
        locked |= Q(pk__in=provider(user))
    return Question.objects.filter(locked).exclude(
        question_set__in=sets_editable_by(user).values("pk")
    )


def answers_hidden_from(user: User, question: Question) -> bool:
    return questions_with_hidden_keys(user).filter(pk=question.pk).exists()


def readable_questions(user: User) -> QuerySet[Question]:
    """Questions `user` may read with their answers: in a readable set, and not locked."""
    return Question.objects.filter(question_set__in=sets_visible_to(user).values("pk")).exclude(
        pk__in=questions_with_hidden_keys(user).values("pk")
    )


def sets_studied_by(user: User, set_ids: list[int]) -> list[int]:
    """The one rule for what study may show: `set_ids` less the sets it must never show.

    Quiz-only sets are never studied (not even by their owner: they are exam material), and a
    set holding a question of a quiz the student is taking is left out until they submit.
    Every study mode (queue, cram, statistics, pages) takes its scope through here.
    """
    if not set_ids:
        return []
    hidden = QuestionSet.objects.filter(pk__in=set_ids).filter(
        Q(visibility=QuestionSet.Visibility.QUIZ_ONLY)
        | Q(pk__in=questions_with_hidden_keys(user).values("question_set_id"))
    )
    withheld = set(hidden.values_list("pk", flat=True))
    return [pk for pk in set_ids if pk not in withheld]


STUDIED_SETS_SQL = _studied_sets_sql()
VISIBLE_SET_SQL = _visible_set_sql()
