"""The life of an attempt, through the services: start and resume, snapshots, autosave,
submit once, deadlines (clock faked, and a real worker closing an attempt on time), answers
shown after each question, self-rating, instructor grading, and the spaced-repetition feed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from flashcards.models import Question, ReviewLog
from quizzes.grading.responses import ResponseError
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.review import review_data
from quizzes.services.attempts.answer import check_answer, save_answer, submit_attempt
from quizzes.services.attempts.finish import close_overdue_attempt, refresh_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.attempts.start import start_attempt
from quizzes.services.errors import ActionConflict, ActionNotAllowed, QuizActionError
from quizzes.tasks import close_attempt_at_deadline
from tests import servers
from tests.flashcards.factories import (
    InstructorFactory,
    QuestionSetFactory,
    StudentFactory,
    TagFactory,
    choice_id,
    classroom_with_students,
    free_text,
    join_class,
    multiple_choice,
    numerical,
    short_answer,
    true_false,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def course():
    """An instructor's class of two students and a quiz of four auto-graded questions."""
    instructor = InstructorFactory()
    classroom, (alice, bob) = classroom_with_students(instructor, 2)
    question_set = QuestionSetFactory(owner=instructor)
    questions = [
        multiple_choice(question_set, correct=("(0, 1)",), wrong=("(-1, 1)", "[0, ∞)")),
        true_false(question_set, correct=True),
        numerical(question_set, value=2345, points=Decimal(2)),
        short_answer(question_set, accepted=("ReLU",)),
    ]
    quiz = QuizFactory(owner=instructor, question_set=question_set, classrooms=[classroom])
    return {
        "instructor": instructor,
        "classroom": classroom,
        "alice": alice,
        "bob": bob,
        "set": question_set,
        "questions": questions,
        "quiz": quiz,
    }


def answer_all_right(attempt, student, questions, *, now=None):
    mc, *_ = questions
    save_answer(
        attempt=attempt,
        student=student,
        slot=1,
        response={"choice": choice_id(mc, "(0, 1)")},
        now=now,
    )
    save_answer(attempt=attempt, student=student, slot=2, response={"value": True}, now=now)
    save_answer(attempt=attempt, student=student, slot=3, response={"value": "2345"}, now=now)
    save_answer(attempt=attempt, student=student, slot=4, response={"text": "relu"}, now=now)


# --- start, snapshot, resume -----------------------------------------------------------------


def test_starting_an_attempt_freezes_every_question_with_its_version(course):
    attempt, created = start_attempt(quiz=course["quiz"], student=course["alice"])
    assert created
    answers = list(attempt.answers.order_by("slot"))
    assert [a.question_id for a in answers] == [q.pk for q in course["questions"]]
    assert [a.question_version for a in answers] == [1, 1, 1, 1]
    assert answers[0].snapshot["choices"][0]["text"] == "(0, 1)"
    assert attempt.max_score == Decimal(5)
    assert attempt.number == 1


def test_reloading_resumes_the_attempt_in_progress_with_its_saved_answers(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": False})
    again, created = start_attempt(quiz=course["quiz"], student=course["alice"])
    assert (again.pk, created) == (attempt.pk, False)
    assert again.answers.get(slot=2).response == {"value": False}
    assert Attempt.objects.count() == 1


def test_a_student_outside_the_assigned_classes_cannot_start(course):
    with pytest.raises(ActionNotAllowed):
        start_attempt(quiz=course["quiz"], student=StudentFactory())


def test_a_quiz_cannot_be_started_before_it_opens_or_after_it_closes(course):
    quiz = course["quiz"]
    quiz.opens_at, quiz.closes_at = T0, T0 + timedelta(days=1)
    quiz.save()
    with pytest.raises(ActionConflict) as early:
        start_attempt(quiz=quiz, student=course["alice"], now=T0 - timedelta(seconds=1))
    assert early.value.code == "not_open"
    with pytest.raises(ActionConflict) as late:
        start_attempt(quiz=quiz, student=course["alice"], now=T0 + timedelta(days=1))
    assert late.value.code == "closed"


def test_the_number_of_attempts_allowed_is_enforced(course):
    quiz = course["quiz"]
    quiz.attempts_allowed = 2
    quiz.save()
    for number in (1, 2):
        attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
        assert attempt.number == number
        submit_attempt(attempt=attempt, student=course["alice"])
    with pytest.raises(ActionConflict) as error:
        start_attempt(quiz=quiz, student=course["alice"])
    assert error.value.code == "no_attempts_left"


def test_shuffling_is_fixed_per_attempt_and_survives_reloads(course):
    quiz = course["quiz"]
    quiz.shuffle_questions = quiz.shuffle_choices = True
    quiz.save()
    orders = set()
    for student in [StudentFactory() for _ in range(8)]:
        join_class(student, course["classroom"])
        attempt, _ = start_attempt(quiz=quiz, student=student)
        order = tuple(attempt.answers.order_by("slot").values_list("question_id", flat=True))
        resumed, _ = start_attempt(quiz=quiz, student=student)
        assert (
            tuple(resumed.answers.order_by("slot").values_list("question_id", flat=True)) == order
        )
        assert sorted(order) == sorted(q.pk for q in course["questions"])
        orders.add(order)
    # 8 students over 24 orders: all in the author's order would be a 1 in 24^7 coincidence.
    assert len(orders) > 1


def test_a_random_quiz_draws_n_questions_from_its_set(course):
    quiz = QuizFactory(
        owner=course["instructor"],
        question_set=course["set"],
        selection=Quiz.Selection.RANDOM,
        random_count=2,
        classrooms=[course["classroom"]],
    )
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
    drawn = set(attempt.answers.values_list("question_id", flat=True))
    assert len(drawn) == 2
    assert drawn <= {q.pk for q in course["questions"]}


def test_a_random_quiz_can_draw_from_a_tag_across_sets(course):
    tag = TagFactory(name="activations")
    other_set = QuestionSetFactory(owner=course["instructor"])
    tagged = [true_false(course["set"]), true_false(other_set)]
    for question in tagged:
        question.tags.add(tag)
    quiz = QuizFactory(
        owner=course["instructor"],
        question_set=None,
        tag=tag,
        selection=Quiz.Selection.RANDOM,
        random_count=5,
        classrooms=[course["classroom"]],
    )
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
    assert set(attempt.answers.values_list("question_id", flat=True)) == {q.pk for q in tagged}


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_the_same_moment_open_one_attempt(course):
    results, errors = _race(lambda: start_attempt(quiz=course["quiz"], student=course["alice"]))
    assert errors == []
    assert len({attempt.pk for attempt, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert Attempt.objects.filter(student=course["alice"]).count() == 1


# --- autosave --------------------------------------------------------------------------------


def test_a_bad_answer_is_refused_with_field_errors_and_the_saved_one_is_kept(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    save_answer(attempt=attempt, student=course["alice"], slot=3, response={"value": "2345"})
    with pytest.raises(ResponseError) as error:
        save_answer(attempt=attempt, student=course["alice"], slot=3, response={"value": "lots"})
    assert error.value.errors == {"value": ["“lots” is not a number."]}
    assert attempt.answers.get(slot=3).response == {"value": "2345"}


def test_only_the_student_taking_the_attempt_can_save_answers(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    with pytest.raises(ActionNotAllowed):
        save_answer(attempt=attempt, student=course["bob"], slot=2, response={"value": True})


def test_saving_to_a_question_the_attempt_does_not_have_is_refused(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    with pytest.raises(QuizActionError) as error:
        save_answer(attempt=attempt, student=course["alice"], slot=9, response={"value": True})
    assert error.value.code == "no_such_slot"


# --- submit ------------------------------------------------------------------------------------


def test_submitting_grades_the_attempt_as_x_of_y_points(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    mc, _tf, _num, _sa = course["questions"]
    save_answer(
        attempt=attempt,
        student=course["alice"],
        slot=1,
        response={"choice": choice_id(mc, "(0, 1)")},
    )
    save_answer(attempt=attempt, student=course["alice"], slot=3, response={"value": "2345"})
    save_answer(attempt=attempt, student=course["alice"], slot=4, response={"text": "sigmoid"})
    attempt, submitted = submit_attempt(attempt=attempt, student=course["alice"])
    assert submitted
    assert (attempt.state, attempt.finished_by) == (
        Attempt.State.FINISHED,
        Attempt.FinishedBy.STUDENT,
    )
    assert (attempt.score, attempt.max_score, attempt.percentage) == (
        Decimal(3),
        Decimal(5),
        Decimal("60.00"),
    )
    marks = dict(attempt.answers.values_list("slot", "mark"))
    assert marks == {1: Decimal(1), 2: Decimal(0), 3: Decimal(2), 4: Decimal(0)}


def test_submitting_twice_counts_once(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"], now=T0)
    answer_all_right(attempt, course["alice"], course["questions"], now=T0)
    first, submitted = submit_attempt(
        attempt=attempt, student=course["alice"], now=T0 + timedelta(minutes=5)
    )
    second, again = submit_attempt(
        attempt=attempt,
        student=course["alice"],
        responses={2: {"value": False}},
        now=T0 + timedelta(minutes=6),
    )
    assert (submitted, again) == (True, False)
    assert second.finished_at == first.finished_at == T0 + timedelta(minutes=5)
    assert second.score == Decimal(5)
    assert attempt.answers.get(slot=2).response == {"value": True}


def test_submit_can_carry_the_last_answers_and_refuses_them_all_if_one_is_bad(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    with pytest.raises(ResponseError) as error:
        submit_attempt(
            attempt=attempt,
            student=course["alice"],
            responses={2: {"value": True}, 3: {"value": "two thousand"}},
        )
    assert list(error.value.errors) == ["3"]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert attempt.answers.get(slot=2).response is None
    attempt, _ = submit_attempt(
        attempt=attempt, student=course["alice"], responses={2: {"value": True}}
    )
    assert attempt.score == Decimal(1)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_the_same_attempt_count_once(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    answer_all_right(attempt, course["alice"], course["questions"])
    results, errors = _race(
        lambda: submit_attempt(attempt=Attempt.objects.get(pk=attempt.pk), student=course["alice"])
    )
    assert errors == []
    assert sorted(submitted for _, submitted in results) == [False, True]
    assert {a.finished_at for a, _ in results} == {Attempt.objects.get(pk=attempt.pk).finished_at}
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == (Attempt.State.FINISHED, Decimal(5))


def _race(action, runners: int = 2):
    """Run `action` in threads released at the same instant; each thread has its own DB
    connection, so the database (not Python) decides who goes first."""
    barrier = threading.Barrier(runners)
    results, errors = [], []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results.append(action())
        except Exception as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


# --- deadlines -------------------------------------------------------------------------------


@pytest.fixture
def timed(course):
    quiz = course["quiz"]
    quiz.time_limit_seconds = 600
    quiz.save()
    return course


def test_a_timed_attempt_gets_a_deadline_cut_short_by_the_close_date(timed):
    quiz = timed["quiz"]
    attempt, _ = start_attempt(quiz=quiz, student=timed["alice"], now=T0)
    assert attempt.deadline == T0 + timedelta(minutes=10)
    quiz.closes_at = T0 + timedelta(hours=1, minutes=5)
    quiz.save()
    later, _ = start_attempt(quiz=quiz, student=timed["bob"], now=T0 + timedelta(hours=1))
    assert later.deadline == T0 + timedelta(hours=1, minutes=5)


def test_a_submission_after_the_deadline_is_refused_and_what_was_saved_in_time_is_graded(timed):
    with time_machine.travel(T0, tick=False):
        attempt, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    with time_machine.travel(T0 + timedelta(minutes=9, seconds=59), tick=False):
        save_answer(attempt=attempt, student=timed["alice"], slot=2, response={"value": True})
    with (
        time_machine.travel(T0 + timedelta(minutes=10, seconds=1), tick=False),
        pytest.raises(ActionConflict) as error,
    ):
        submit_attempt(attempt=attempt, student=timed["alice"], responses={3: {"value": "2345"}})
    assert error.value.code == "deadline_passed"
    attempt.refresh_from_db()
    assert (attempt.state, attempt.finished_by) == (
        Attempt.State.FINISHED,
        Attempt.FinishedBy.DEADLINE,
    )
    assert attempt.finished_at == T0 + timedelta(minutes=10)
    assert attempt.score == Decimal(1)
    assert attempt.answers.get(slot=3).response is None


def test_an_answer_saved_after_the_deadline_is_refused(timed):
    with time_machine.travel(T0, tick=False):
        attempt, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False), pytest.raises(ActionConflict):
        save_answer(attempt=attempt, student=timed["alice"], slot=2, response={"value": True})
    assert AttemptAnswer.objects.get(attempt=attempt, slot=2).response is None


def test_reading_an_overdue_attempt_closes_it(timed):
    with time_machine.travel(T0, tick=False):
        attempt, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert not refresh_attempt(attempt=attempt).is_finished
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        closed = refresh_attempt(attempt=attempt)
    assert closed.finished_by == Attempt.FinishedBy.DEADLINE


def test_starting_again_after_an_overdue_attempt_closes_it_and_opens_the_next(timed):
    with time_machine.travel(T0, tick=False):
        first, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        second, created = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    first.refresh_from_db()
    assert created
    assert second.number == 2
    assert first.finished_by == Attempt.FinishedBy.DEADLINE


def test_starting_a_timed_attempt_schedules_its_closing_task_at_the_deadline(
    timed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"], now=T0)
    assert len(callbacks) == 1
    untimed_quiz = QuizFactory(
        owner=timed["instructor"], question_set=timed["set"], classrooms=[timed["classroom"]]
    )
    with django_capture_on_commit_callbacks(execute=False) as none:
        start_attempt(quiz=untimed_quiz, student=timed["alice"], now=T0)
    assert none == []
    assert attempt.deadline == T0 + timedelta(minutes=10)


def test_the_closing_task_is_idempotent_and_leaves_an_attempt_alone_before_its_deadline(timed):
    with time_machine.travel(T0, tick=False):
        attempt, _ = start_attempt(quiz=timed["quiz"], student=timed["alice"])
    assert close_overdue_attempt(attempt_id=attempt.pk, now=T0 + timedelta(minutes=9)) is False
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert close_attempt_at_deadline.run(attempt.pk) == "closed"
        assert close_attempt_at_deadline.run(attempt.pk) == "nothing to do"
    assert close_attempt_at_deadline.run(10**9) == "nothing to do"
    attempt.refresh_from_db()
    assert attempt.finished_by == Attempt.FinishedBy.DEADLINE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_closes_a_timed_attempt_at_its_deadline(course, celery_worker):
    quiz = course["quiz"]
    quiz.time_limit_seconds = 2  # below the API's minimum, set directly to keep the test short
    quiz.save()
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": True})
    servers.wait_until(
        lambda: Attempt.objects.get(pk=attempt.pk).is_finished,
        timeout=60,
        what="the deadline task closing the attempt",
    )
    attempt.refresh_from_db()
    assert attempt.finished_by == Attempt.FinishedBy.DEADLINE
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == Decimal(1)
    assert time.time() >= attempt.deadline.timestamp()


# --- answers shown after each question ---------------------------------------------------------


def test_checking_an_answer_shows_its_grade_and_locks_it(course):
    quiz = course["quiz"]
    quiz.answers_shown = Quiz.AnswersShown.AFTER_EACH
    quiz.save()
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": False})
    checked = check_answer(attempt=attempt, student=course["alice"], slot=2)
    assert checked.mark == 0
    page = review_data(attempt, viewer=course["alice"])
    assert page["items"][1]["review"]["status"] == "incorrect"
    assert page["items"][1]["review"]["correct_response"] == {"value": True}
    assert page["items"][0]["review"] is None
    with pytest.raises(ActionConflict) as error:
        save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": True})
    assert error.value.code == "checked"


def test_checking_is_refused_when_answers_show_only_at_the_end(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    with pytest.raises(ActionConflict):
        check_answer(attempt=attempt, student=course["alice"], slot=1)


# --- free text: self-rating and the instructor's grade -----------------------------------------


@pytest.fixture
def essay(course):
    question = free_text(course["set"], points=Decimal(4))
    quiz = QuizFactory(
        owner=course["instructor"],
        selection=Quiz.Selection.FIXED,
        question_set=None,
        classrooms=[course["classroom"]],
        # Self-assessed at full weight: these tests are about rating itself, not the cap.
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=100,
    )
    quiz.quiz_questions.create(question=question, position=0)
    quiz.quiz_questions.create(question=course["questions"][1], position=1)
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"])
    save_answer(
        attempt=attempt, student=course["alice"], slot=1, response={"text": "Loss for SGD."}
    )
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": True})
    return {**course, "essay": question, "essay_quiz": quiz, "attempt": attempt}


def test_a_student_rates_a_free_text_answer_once_the_reference_is_shown(essay):
    attempt, alice = essay["attempt"], essay["alice"]
    with pytest.raises(ActionConflict) as hidden:
        rate_own_answer(attempt=attempt, student=alice, slot=1, rating=4)
    assert hidden.value.code == "reference_hidden"
    attempt, _ = submit_attempt(attempt=attempt, student=alice)
    # Self-assessed quiz: the rating is the grade, nothing waits for the instructor.
    assert (attempt.score, attempt.max_score, attempt.needs_grading) == (
        Decimal(1),
        Decimal(5),
        False,
    )
    rate_own_answer(attempt=attempt, student=alice, slot=1, rating=4)
    attempt.refresh_from_db()
    assert attempt.score == Decimal(4)  # 3 of 4 points for "4 of 5", plus the true/false point
    with pytest.raises(ActionConflict) as twice:
        rate_own_answer(attempt=attempt, student=alice, slot=1, rating=5)
    assert twice.value.code == "already_rated"


@pytest.mark.parametrize("rating", [0, 6, "5", 2.5, True])
def test_a_self_rating_outside_one_to_five_is_refused(essay, rating):
    attempt, _ = submit_attempt(attempt=essay["attempt"], student=essay["alice"])
    with pytest.raises(ResponseError) as error:
        rate_own_answer(attempt=attempt, student=essay["alice"], slot=1, rating=rating)
    assert list(error.value.errors) == ["rating"]


def test_only_free_text_answers_are_self_rated(essay):
    attempt, _ = submit_attempt(attempt=essay["attempt"], student=essay["alice"])
    with pytest.raises(QuizActionError) as error:
        rate_own_answer(attempt=attempt, student=essay["alice"], slot=2, rating=5)
    assert error.value.code == "not_self_rated"


def test_an_instructor_overrides_a_free_text_mark_with_rubric_points_and_a_comment(essay):
    attempt, _ = submit_attempt(attempt=essay["attempt"], student=essay["alice"])
    rate_own_answer(attempt=attempt, student=essay["alice"], slot=1, rating=5)
    answer = attempt.answers.get(slot=1)
    grade_by_instructor(
        answer=answer,
        grader=essay["instructor"],
        rubric_scores=[1, Decimal("0.5")],
        comment="The metric is missing its purpose.",
    )
    attempt.refresh_from_db()
    answer.refresh_from_db()
    # 1.5 of the rubric's 2 points, scaled to the question's 4 points: 3.
    assert answer.override_mark == Decimal(3)
    assert (attempt.score, attempt.needs_grading) == (Decimal(4), False)
    review = review_data(attempt, viewer=essay["alice"])
    assert review["items"][0]["review"]["instructor_grade"]["comment"] == (
        "The metric is missing its purpose."
    )
    assert review["items"][0]["review"]["mark"] == "3.00"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"points": Decimal(5)}, "points"),
        ({"points": Decimal(-1)}, "points"),
        ({"rubric_scores": [1]}, "rubric_scores"),
        ({"rubric_scores": [2, 0]}, "rubric_scores"),
        ({}, "points"),
    ],
)
def test_an_instructor_grade_outside_the_limits_is_refused_and_nothing_changes(
    essay, kwargs, field
):
    attempt, _ = submit_attempt(attempt=essay["attempt"], student=essay["alice"])
    answer = attempt.answers.get(slot=1)
    with pytest.raises(ResponseError) as error:
        grade_by_instructor(answer=answer, grader=essay["instructor"], **kwargs)
    assert field in error.value.errors
    answer.refresh_from_db()
    assert answer.override_mark is None


def test_an_attempt_in_progress_cannot_be_graded_by_the_instructor(essay):
    with pytest.raises(ActionConflict):
        grade_by_instructor(
            answer=essay["attempt"].answers.get(slot=1), grader=essay["instructor"], points=1
        )


# --- questions edited after the attempt started -----------------------------------------------


def test_an_attempt_keeps_the_question_it_was_given_after_the_author_edits_it(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    mc = course["questions"][0]
    right = choice_id(mc, "(0, 1)")
    save_answer(attempt=attempt, student=course["alice"], slot=1, response={"choice": right})
    mc.choices.update(is_correct=False)
    mc.choices.filter(text="(-1, 1)").update(is_correct=True)
    mc.prompt = "Which range does tanh have?"
    mc.version += 1
    mc.save()
    attempt, _ = submit_attempt(attempt=attempt, student=course["alice"])
    assert attempt.answers.get(slot=1).mark == Decimal(1)
    item = review_data(attempt, viewer=course["alice"])["items"][0]
    assert item["review"]["question_changed"] is True
    assert "tanh" not in item["question"]["prompt_html"]


def test_an_attempt_survives_its_question_being_deleted(course):
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": True})
    Question.objects.filter(pk=course["questions"][1].pk).delete()
    attempt, _ = submit_attempt(attempt=attempt, student=course["alice"])
    assert attempt.score == Decimal(1)
    assert review_data(attempt, viewer=course["alice"])["items"][1]["review"]["question_deleted"]


# --- spaced repetition --------------------------------------------------------------------------


def test_submitting_feeds_each_answer_to_spaced_repetition_once(course):
    """A right answer reaches the student's schedule as a 4, a wrong or blank one as a lapse."""
    attempt, _ = start_attempt(quiz=course["quiz"], student=course["alice"])
    mc, tf, num, sa = course["questions"]
    save_answer(
        attempt=attempt,
        student=course["alice"],
        slot=1,
        response={"choice": choice_id(mc, "(0, 1)")},
    )
    save_answer(attempt=attempt, student=course["alice"], slot=2, response={"value": False})
    submit_attempt(attempt=attempt, student=course["alice"])
    submit_attempt(attempt=attempt, student=course["alice"])

    logged = ReviewLog.objects.filter(student=course["alice"], source=ReviewLog.Source.QUIZ)
    assert sorted(logged.values_list("card__question_id", "rating")) == sorted(
        [(mc.pk, 4), (tf.pk, 1), (num.pk, 1), (sa.pk, 1)]
    )
    assert not AttemptAnswer.objects.filter(attempt=attempt, fed_to_study_at__isnull=True).exists()


def test_in_after_each_mode_a_self_rating_can_change_until_the_attempt_is_submitted(course):
    question = free_text(course["set"], points=Decimal(4))
    quiz = QuizFactory(
        owner=course["instructor"],
        selection=Quiz.Selection.FIXED,
        question_set=None,
        answers_shown=Quiz.AnswersShown.AFTER_EACH,
        classrooms=[course["classroom"]],
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=100,
    )
    quiz.quiz_questions.create(question=question, position=0)
    alice = course["alice"]
    attempt, _ = start_attempt(quiz=quiz, student=alice)
    save_answer(attempt=attempt, student=alice, slot=1, response={"text": "The loss."})
    check_answer(attempt=attempt, student=alice, slot=1)
    rate_own_answer(attempt=attempt, student=alice, slot=1, rating=2)
    rate_own_answer(attempt=attempt, student=alice, slot=1, rating=3)
    attempt, _ = submit_attempt(attempt=attempt, student=alice)
    assert attempt.score == Decimal(2)  # "3 of 5" is half of the 4 points
    with pytest.raises(ActionConflict):
        rate_own_answer(attempt=attempt, student=alice, slot=1, rating=5)


def test_a_close_date_alone_closes_attempts_still_open_at_that_moment(course):
    quiz = course["quiz"]
    quiz.closes_at = T0 + timedelta(hours=1)
    quiz.save()
    attempt, _ = start_attempt(quiz=quiz, student=course["alice"], now=T0)
    assert attempt.deadline == quiz.closes_at
    assert close_overdue_attempt(attempt_id=attempt.pk, now=T0 + timedelta(hours=1)) is True
