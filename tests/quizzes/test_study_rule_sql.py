"""The study rule in SQL withholds exactly the sets its ORM twin withholds.

Study reads its scope through fixed statements (flashcards/selectors/sql/sets.py): the sets a
student studies, a given set or sets less the withheld ones, and the card of a rating.  Sets
are withheld when they are quiz-only, or while a quiz the student has open holds one of their
questions (not from the set's editors).  Each test builds those cases with real attempts and
compares the SQL with the ORM rule (`sets_studied_by_rule`, `questions_of_open_attempts`).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q

from flashcards.models import QuestionSet
from flashcards.selectors.content import (
    readable_set_for_study,
    sets_studied_by,
    sets_studied_by_rule,
    sets_visible_to,
    studied_set_ids,
)
from quizzes.selectors.secrecy import OPEN_ATTEMPT_QUESTIONS_SQL, questions_of_open_attempts
from quizzes.services.attempts.answer import submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    ClassroomFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    join_class,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    owner, co_editor = InstructorFactory(), InstructorFactory()
    taking, finished, idle = StudentFactory(), StudentFactory(), StudentFactory()
    classroom = ClassroomFactory(owner=owner)
    sets = {}
    for name, visibility in [
        ("examined", QuestionSet.Visibility.CLASSES),
        ("also-examined", QuestionSet.Visibility.PUBLIC),
        ("quiz-only", QuestionSet.Visibility.QUIZ_ONLY),
        ("free", QuestionSet.Visibility.CLASSES),
    ]:
        sets[name] = QuestionSetFactory(owner=owner, visibility=visibility)
        sets[name].co_editors.add(co_editor)
        QuestionFactory(question_set=sets[name])
        classroom.question_sets.add(sets[name])
    for student in (taking, finished, idle):
        join_class(student, classroom)
    for name in ("examined", "also-examined"):
        quiz = QuizFactory(owner=owner, question_set=sets[name], classrooms=[classroom])
        start_attempt(quiz=quiz, student=taking)
        done, _ = start_attempt(quiz=quiz, student=finished)
        submit_attempt(attempt=done, student=finished)
    # A co-editor who is also in the class takes a quiz of a set they edit: an editor is
    # never locked out of what they edit.
    join_class(co_editor, classroom)
    own = QuizFactory(owner=owner, question_set=sets["free"], classrooms=[classroom])
    start_attempt(quiz=own, student=co_editor)
    users = {
        "taking": taking,
        "finished": finished,
        "idle": idle,
        "owner": owner,
        "co_editor": co_editor,
        "stranger": StudentFactory(),
        "anonymous": AnonymousUser(),
    }
    return sets, users


def test_the_open_attempt_lock_in_sql_lists_the_questions_its_queryset_lists(course):
    _, users = course
    for name, user in users.items():
        if not user.is_authenticated:
            continue
        with connection.cursor() as cursor:
            cursor.execute(OPEN_ATTEMPT_QUESTIONS_SQL, [user.pk])
            in_sql = sorted(row[0] for row in cursor.fetchall())
        in_orm = sorted(questions_of_open_attempts(user).values_list("question_id", flat=True))
        assert in_sql == in_orm, name
    assert len(questions_of_open_attempts(users["taking"])) == 2


def test_sets_studied_by_in_sql_withholds_what_the_orm_rule_withholds_for_every_user(course):
    sets, users = course
    every = sorted(s.pk for s in sets.values())
    for name, user in users.items():
        assert sets_studied_by(user, every) == sets_studied_by_rule(user, every), name
    assert sets_studied_by(users["taking"], every) == [sets["free"].pk]
    assert sets_studied_by(users["finished"], every) == sorted(
        sets[n].pk for n in ("examined", "also-examined", "free")
    )
    assert sets_studied_by(users["co_editor"], every) == sorted(
        sets[n].pk for n in ("examined", "also-examined", "free")
    )


def test_the_default_scope_is_the_visible_sets_of_the_users_classes_less_the_withheld(course):
    _, users = course
    for name, user in users.items():
        if not user.is_authenticated:
            assert studied_set_ids(user) == []
            continue
        mine = sets_visible_to(user).filter(
            Q(classrooms__members=user) | Q(owner=user) | Q(co_editors=user)
        )
        expected = sets_studied_by_rule(user, sorted(set(mine.values_list("pk", flat=True))))
        assert studied_set_ids(user) == expected, name


def test_one_set_scope_reads_the_set_and_says_whether_study_withholds_it(course):
    sets, users = course
    for name, user in users.items():
        visible = set(sets_visible_to(user).values_list("pk", flat=True))
        for question_set in sets.values():
            found, withheld = readable_set_for_study(user, question_set.pk)
            if question_set.pk not in visible:
                assert found is None, (name, question_set.title)
                continue
            assert found == question_set
            assert found.title == question_set.title
            expected = not sets_studied_by_rule(user, [question_set.pk])
            assert withheld is expected, (name, question_set.title)
