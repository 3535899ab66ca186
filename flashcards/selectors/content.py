"""Who may read and who may edit which question sets.

Every API view, page and task that shows or changes a set asks these functions, so the rules
live in one place: owners and co-editors edit; everyone signed in reads public sets; students
read sets assigned to a class they belong to; instructors read the sets assigned to classes
they own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from flashcards.models import Classroom, Membership, Question, QuestionSet, User
from flashcards.selectors import sql
from flashcards.selectors.sql import sets as sets_sql


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


def visible_set_condition(user: User, alias: str) -> tuple[str, list]:
    """`sets_visible_to` as a SQL condition on the question-set table aliased `alias`.

    For the few queries on the study hot path that are written out in SQL (see
    flashcards/selectors/sql/__init__.py); tests/flashcards/test_study_sql.py checks it equals
    `sets_visible_to` for every relation and visibility.
    """
    if not user.is_authenticated:
        return f"{alias}.visibility = %s", [QuestionSet.Visibility.PUBLIC]
    params = [QuestionSet.Visibility.PUBLIC, user.pk, user.pk, QuestionSet.Visibility.CLASSES]
    return sets_sql.VISIBLE_SET.format(qs=alias), [*params, user.pk, user.pk]


def studied_set_ids(user: User) -> list[int]:
    """The sets a user studies when they pick none: those assigned to their classes, their own
    and those they co-edit — each only if they may read it (`sets_visible_to`) — less the sets
    study must not show now (`sets_studied_by_rule`).

    Equal to `sets_studied_by_rule(user, <sets_visible_to(user) filtered to classes | owner |
    co_editors>)`, which is how tests/flashcards/test_study_sql.py checks it, but one fixed
    statement (`sets_sql.STUDY_SETS`): it runs on every study request, and composing the ORM
    twin's joins and nested subqueries cost 5–10 ms of Python per request, more than the
    rest of the next-card request together.  Intersected with the read rule, a class member's
    set counts when it is public or assigned to classes; a private set only for its owner and
    co-editors.
    """
    if not user.is_authenticated:
        return []
    visible = (QuestionSet.Visibility.PUBLIC, QuestionSet.Visibility.CLASSES)
    withheld, withheld_params = _withheld_parts(user)
    statement = sets_sql.STUDY_SETS.format(locks=withheld)
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, user.pk, *visible, user.pk, *withheld_params])
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


@dataclass(frozen=True)
class AnswerKeyLock:
    """Which questions' answers a user may not read now, said twice: as a queryset of question
    ids (`values("question_id")`) for the ORM reads, and as the same SELECT in SQL for the
    study hot path, where every `%s` is the user's id.  The app that registers a lock tests
    the two equal (quizzes: tests/quizzes/test_answer_key_secrecy.py)."""

    questions: Callable[[User], QuerySet]
    sql: str


# Higher apps say which questions' answers a user may not read right now.  quizzes registers
# "the questions of an attempt in progress" (quizzes/apps.py); flashcards must not import
# quizzes.
ANSWER_KEY_LOCKS: list[AnswerKeyLock] = []


def register_answer_key_lock(lock: AnswerKeyLock) -> None:
    if lock not in ANSWER_KEY_LOCKS:
        ANSWER_KEY_LOCKS.append(lock)


def _withheld_parts(user: User) -> tuple[str, list]:
    """The locks as one SELECT of question ids and its parameters, prefixed by the parameters
    of `sets_sql.WITHHELD_SET` itself."""
    locks = " UNION ".join(lock.sql for lock in ANSWER_KEY_LOCKS) or "SELECT NULL"
    lock_params = [user.pk] * sum(lock.sql.count("%s") for lock in ANSWER_KEY_LOCKS)
    return locks, [QuestionSet.Visibility.QUIZ_ONLY, user.pk, user.pk, *lock_params]


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
    for lock in ANSWER_KEY_LOCKS:
        locked |= Q(pk__in=lock.questions(user))
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
    Every study mode (queue, cram, statistics, pages) takes its scope through here.  Runs as
    one fixed statement (`sets_sql.STUDIED_AMONG`) on every study request and rating; its ORM
    twin, `sets_studied_by_rule`, is what tests/flashcards/test_study_sql.py compares it with.
    """
    if not set_ids:
        return []
    ids, id_params = sql.in_list(set_ids)
    locks, withheld_params = _withheld_parts(user)
    statement = sets_sql.STUDIED_AMONG.format(ids=ids, locks=locks)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*id_params, *withheld_params])
        kept = {row[0] for row in cursor.fetchall()}
    return [pk for pk in set_ids if pk in kept]


def withheld_set_condition(user: User, alias: str) -> tuple[str, list]:
    """`sets_sql.WITHHELD_SET` for the set table aliased `alias`: true for a set study must
    not show `user` now.  For hot-path statements that check it in passing (a rating)."""
    locks, params = _withheld_parts(user)
    return sets_sql.WITHHELD_SET.format(qs=alias, locks=locks), params


def readable_set_for_study(user: User, set_id: int) -> tuple[QuestionSet | None, bool]:
    """The set `set_id` if `user` may read it (else None), and whether study withholds it now:
    one statement (`sets_sql.READABLE_SET`), the set scope of every study request."""
    locks, withheld_params = _withheld_parts(user)
    visible, visible_params = visible_set_condition(user, "qs")
    _, rows = sql.fetch_all(
        sets_sql.READABLE_SET.format(locks=locks, visible=visible),
        [*withheld_params, set_id, *visible_params],
    )
    if not rows:
        return None, True
    *values, withheld = rows[0]
    return sql.from_row(QuestionSet, sets_sql.SET_FIELDS, values), bool(withheld)


def sets_studied_by_rule(user: User, set_ids: list[int]) -> list[int]:
    """`sets_studied_by` in the ORM: the rule as the rest of the project would write it."""
    if not set_ids:
        return []
    hidden = QuestionSet.objects.filter(pk__in=set_ids).filter(
        Q(visibility=QuestionSet.Visibility.QUIZ_ONLY)
        | Q(pk__in=questions_with_hidden_keys(user).values("question_set_id"))
    )
    withheld = set(hidden.values_list("pk", flat=True))
    return [pk for pk in set_ids if pk not in withheld]
