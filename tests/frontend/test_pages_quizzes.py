"""Quiz pages through the test client: listing, taking (autosave, resume, submit), review,
settings, analytics, free-text grading and the gradebook download, per role."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts.answer import submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    StudentFactory,
    choice_id,
    classroom_with_students,
    free_text,
    multiple_choice,
    numerical,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    """An instructor's quiz of three questions, assigned to a class with one student in it."""
    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    quiz = QuizFactory(
        owner=owner,
        classrooms=[classroom],
        title="Activations quiz",
        free_text_grading=Quiz.FreeTextGrading.SELF_ASSESSED,
        self_assessment_cap=100,
    )
    mc = multiple_choice(
        quiz.question_set,
        correct=("sigmoid",),
        wrong=("ReLU",),
        prompt="Which function squashes into (0, 1)?",
        answer="Sigmoid maps every real number into the open interval.",
        position=0,
    )
    num = numerical(quiz.question_set, value=0.5, prompt="What is sigmoid(0)?", position=1)
    text = free_text(
        quiz.question_set, prompt="Loss or metric: which one is optimised?", position=2
    )
    return {
        "owner": owner,
        "student": student,
        "classroom": classroom,
        "quiz": quiz,
        "mc": mc,
        "num": num,
        "text": text,
    }


def as_user(client, user):
    client.force_login(user)
    return client


def started(course) -> Attempt:
    attempt, _created = start_attempt(quiz=course["quiz"], student=course["student"])
    return attempt


def finished(course, **responses) -> Attempt:
    attempt = started(course)
    default = {
        1: {"choices": [choice_id(course["mc"], "sigmoid")]},
        2: {"value": "0.5"},
        3: {"text": "The loss is optimised; metrics are for people."},
    }
    attempt, _ = submit_attempt(
        attempt=attempt, student=course["student"], responses={**default, **responses}
    )
    return attempt


# --- lists ---------------------------------------------------------------------------------------


def test_the_dashboard_lists_the_open_quizzes_of_a_students_classes(client, course):
    page = as_user(client, course["student"]).get(reverse("dashboard")).content.decode()
    assert "Activations quiz" in page
    assert reverse("quiz-page", args=[course["quiz"].pk]) in page


def test_the_dashboard_hides_quizzes_of_other_classes_and_closed_ones(client, course):
    QuizFactory(
        classrooms=[course["classroom"]],
        title="Closed quiz",
        closes_at=timezone.now() - timedelta(days=1),
    )
    page = as_user(client, StudentFactory()).get(reverse("dashboard")).content.decode()
    assert "Activations quiz" not in page
    page = as_user(client, course["student"]).get(reverse("dashboard")).content.decode()
    assert "Closed quiz" not in page


def test_the_quiz_list_shows_an_instructor_their_quizzes(client, course):
    page = as_user(client, course["owner"]).get(reverse("quiz-home")).content.decode()
    assert "Activations quiz" in page
    assert reverse("quiz-create") in page


def test_the_dashboard_with_quizzes_runs_in_a_bounded_number_of_queries(
    client, course, django_assert_max_num_queries
):
    for _ in range(3):
        QuizFactory(owner=course["owner"], classrooms=[course["classroom"]])
    as_user(client, course["student"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard")).status_code == 200


# --- the quiz page, per role ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, course):
    response = client.get(reverse("quiz-page", args=[course["quiz"].pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_student_in_the_class_sees_the_start_button(client, course):
    page = as_user(client, course["student"]).get(reverse("quiz-page", args=[course["quiz"].pk]))
    assert page.status_code == 200
    assert "Start the quiz" in page.content.decode()
    assert "Analytics" not in page.content.decode()


def test_a_student_outside_the_class_gets_not_found(client, course):
    client.force_login(StudentFactory())
    assert client.get(reverse("quiz-page", args=[course["quiz"].pk])).status_code == 404
    assert client.post(reverse("quiz-start", args=[course["quiz"].pk])).status_code == 404


def test_the_owner_sees_settings_analytics_grading_and_the_gradebook(client, course):
    page = as_user(client, course["owner"]).get(reverse("quiz-page", args=[course["quiz"].pk]))
    text = page.content.decode()
    for url in ("quiz-settings", "quiz-analytics", "quiz-grading", "quizzes:quiz-gradebook"):
        assert reverse(url, args=[course["quiz"].pk]) in text


def test_another_instructor_gets_not_found(client, course):
    client.force_login(InstructorFactory())
    for name in ("quiz-page", "quiz-settings", "quiz-analytics", "quiz-grading"):
        assert client.get(reverse(name, args=[course["quiz"].pk])).status_code == 404


# --- taking a quiz ---------------------------------------------------------------------------


def test_starting_opens_the_attempt_page_with_every_question(client, course):
    as_user(client, course["student"])
    response = client.post(reverse("quiz-start", args=[course["quiz"].pk]))
    attempt = Attempt.objects.get(student=course["student"])
    assert response.url == reverse("attempt-page", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert "Which function squashes into (0, 1)?" in page
    assert 'name="q2-value"' in page
    assert 'name="q3-text"' in page
    assert "quiz-timer" not in page  # no time limit


def test_a_timed_attempt_shows_the_time_left(client, course):
    Quiz.objects.filter(pk=course["quiz"].pk).update(time_limit_seconds=600)
    course["quiz"].refresh_from_db()
    attempt = started(course)
    page = as_user(client, course["student"]).get(reverse("attempt-page", args=[attempt.pk]))
    text = page.content.decode()
    assert 'role="timer"' in text
    assert 'data-remaining="600"' in text or 'data-remaining="599"' in text
    assert "10:00" in text or "9:59" in text


def test_autosave_keeps_each_answer_and_a_reload_shows_it_again(client, course):
    attempt = started(course)
    as_user(client, course["student"])
    sigmoid = choice_id(course["mc"], "sigmoid")
    response = client.post(
        reverse("attempt-autosave", args=[attempt.pk, 1]),
        {"q1-present": "1", "q1-choices": str(sigmoid)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    assert attempt.answers.get(slot=1).response == {"choices": [sigmoid]}
    page = client.get(reverse("attempt-page", args=[attempt.pk])).content.decode()
    assert f'value="{sigmoid}" checked' in page


def test_autosave_refuses_a_bad_number_and_keeps_the_saved_one(client, course):
    attempt = started(course)
    as_user(client, course["student"])
    url = reverse("attempt-autosave", args=[attempt.pk, 2])
    client.post(url, {"q2-present": "1", "q2-value": "0.5"})
    response = client.post(url, {"q2-present": "1", "q2-value": "a half"})
    assert response.status_code == 422  # swapped in place by the page, in DEBUG or not
    assert "is not a number" in response.content.decode()
    assert attempt.answers.get(slot=2).response == {"value": "0.5"}


def test_someone_else_cannot_autosave_or_submit_an_attempt(client, course):
    attempt = started(course)
    client.force_login(StudentFactory())
    url = reverse("attempt-autosave", args=[attempt.pk, 2])
    assert client.post(url, {"q2-present": "1", "q2-value": "1"}).status_code == 404
    client.force_login(course["owner"])
    assert client.post(url, {"q2-present": "1", "q2-value": "1"}).status_code == 403
    assert client.post(reverse("attempt-finish", args=[attempt.pk])).status_code == 403
    assert attempt.answers.get(slot=2).response is None


def test_submitting_a_bad_number_keeps_everything_typed_and_finishes_nothing(client, course):
    attempt = started(course)
    as_user(client, course["student"])
    response = client.post(
        reverse("attempt-finish", args=[attempt.pk]),
        {
            "q1-present": "1",
            "q2-present": "1",
            "q2-value": "one half",
            "q3-present": "1",
            "q3-text": "My carefully written paragraph.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a number" in page
    assert 'value="one half"' in page
    assert "My carefully written paragraph." in page
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_submitting_grades_the_attempt_and_opens_the_review(client, course):
    attempt = started(course)
    as_user(client, course["student"])
    response = client.post(
        reverse("attempt-finish", args=[attempt.pk]),
        {
            "q1-present": "1",
            "q1-choices": str(choice_id(course["mc"], "ReLU")),
            "q2-present": "1",
            "q2-value": "0,5",
            "q3-present": "1",
            "q3-text": "The loss.",
        },
    )
    assert response.url == reverse("attempt-review-page", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.score == Decimal(1)
    page = client.get(response.url).content.decode()
    assert "Incorrect" in page
    assert "correct answer" in page
    assert "Sigmoid maps every real number into the open interval." in page  # explanation
    assert "Waiting for your rating" in page
    # A finished attempt's page goes to its review.
    assert client.get(reverse("attempt-page", args=[attempt.pk])).url == response.url


def test_a_student_rates_a_free_text_answer_in_the_review(client, course):
    attempt = finished(course)
    as_user(client, course["student"])
    response = client.post(reverse("attempt-rate", args=[attempt.pk, 3]), {"rating": "5"})
    assert response.status_code == 302
    assert attempt.answers.get(slot=3).self_rating == 5
    bad = client.post(reverse("attempt-rate", args=[attempt.pk, 3]), {"rating": "9"}, follow=True)
    assert "A rating is a whole number from 1 to 5." in bad.content.decode()


def test_the_review_is_only_for_the_student_and_their_instructors(client, course):
    attempt = finished(course)
    url = reverse("attempt-review-page", args=[attempt.pk])
    assert as_user(client, course["owner"]).get(url).status_code == 200
    assert as_user(client, StudentFactory()).get(url).status_code == 404
    assert as_user(client, InstructorFactory()).get(url).status_code == 404


def test_the_attempt_and_review_pages_run_in_a_bounded_number_of_queries(
    client, course, django_assert_max_num_queries
):
    for position in range(3, 15):
        numerical(course["quiz"].question_set, value=position, position=position)
    attempt = started(course)
    as_user(client, course["student"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("attempt-page", args=[attempt.pk])).status_code == 200
    submit_attempt(attempt=attempt, student=course["student"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("attempt-review-page", args=[attempt.pk])).status_code == 200


def test_a_quiz_that_shows_answers_after_closing_hides_them_in_the_review(client, course):
    Quiz.objects.filter(pk=course["quiz"].pk).update(
        answers_shown=Quiz.AnswersShown.AFTER_CLOSE, closes_at=timezone.now() + timedelta(days=2)
    )
    course["quiz"].refresh_from_db()
    attempt = finished(course)
    page = as_user(client, course["student"]).get(reverse("attempt-review-page", args=[attempt.pk]))
    text = page.content.decode()
    assert "The answers are shown after the quiz closes" in text
    assert "Sigmoid maps every real number" not in text


# --- settings ------------------------------------------------------------------------------------


def quiz_post(course, **overrides) -> dict:
    data = {
        "title": "Chapter 4 check",
        "description": "",
        "selection": "set",
        "question_set": str(course["quiz"].question_set_id),
        "classrooms": [str(course["classroom"].pk)],
        "time_limit_minutes": "15",
        "attempts_allowed": "2",
        "answers_shown": "after_submit",
        "grading_method": "highest",
        "pass_mark": "60",
    }
    data.update(overrides)
    return data


def test_an_instructor_creates_a_quiz_for_a_class(client, course):
    as_user(client, course["owner"])
    response = client.post(reverse("quiz-create"), quiz_post(course))
    quiz = Quiz.objects.get(title="Chapter 4 check")
    assert response.url == reverse("quiz-page", args=[quiz.pk])
    assert quiz.time_limit_seconds == 900
    assert list(quiz.classrooms.all()) == [course["classroom"]]


def test_quiz_settings_that_do_not_fit_keep_what_was_typed(client, course):
    as_user(client, course["owner"])
    opens = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("quiz-create"),
        quiz_post(
            course,
            opens_at=opens.strftime("%Y-%m-%dT%H:%M"),
            closes_at=(opens - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The quiz must close after it opens." in page
    assert 'value="Chapter 4 check"' in page
    assert not Quiz.objects.filter(title="Chapter 4 check").exists()


def test_a_whole_set_quiz_without_a_set_is_refused(client, course):
    as_user(client, course["owner"])
    response = client.post(reverse("quiz-create"), quiz_post(course, question_set=""))
    assert response.status_code == 400
    assert "Choose the question set" in response.content.decode()


def test_the_owner_changes_the_settings(client, course):
    as_user(client, course["owner"])
    url = reverse("quiz-settings", args=[course["quiz"].pk])
    assert 'value="Activations quiz"' in client.get(url).content.decode()
    client.post(url, quiz_post(course, title="Renamed", time_limit_minutes=""))
    course["quiz"].refresh_from_db()
    assert course["quiz"].title == "Renamed"
    assert course["quiz"].time_limit_seconds is None


def test_students_cannot_create_or_change_quizzes(client, course):
    as_user(client, course["student"])
    assert client.get(reverse("quiz-create")).status_code == 403
    assert client.get(reverse("quiz-settings", args=[course["quiz"].pk])).status_code == 403


# --- analytics, grading, gradebook -----------------------------------------------------------


def test_analytics_show_facility_discrimination_and_choices(
    client, course, django_assert_max_num_queries
):
    finished(course)
    as_user(client, course["owner"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("quiz-analytics", args=[course["quiz"].pk]))
    page = response.content.decode()
    assert "Facility" in page
    assert "Discrimination" in page
    assert "sigmoid" in page
    assert "(correct)" in page
    assert "1 answer to grade" in page


def test_students_cannot_see_analytics_or_the_grading_queue(client, course):
    as_user(client, course["student"])
    assert client.get(reverse("quiz-analytics", args=[course["quiz"].pk])).status_code == 403
    assert client.get(reverse("quiz-grading", args=[course["quiz"].pk])).status_code == 403


def test_an_instructor_grades_a_free_text_answer_with_the_rubric(client, course):
    attempt = finished(course)
    as_user(client, course["owner"])
    page = client.get(reverse("quiz-grading", args=[course["quiz"].pk])).content.decode()
    assert "The loss is optimised; metrics are for people." in page
    response = client.post(
        reverse("answer-grade", args=[attempt.pk, 3]),
        {"grade-3-rubric_0": "1", "grade-3-rubric_1": "0.5", "grade-3-comment": "Say why."},
    )
    assert response.url == reverse("quiz-grading", args=[course["quiz"].pk])
    answer = attempt.answers.get(slot=3)
    assert answer.override_mark == Decimal("0.75")
    assert answer.grader_comment == "Say why."
    review = as_user(client, course["student"]).get(
        reverse("attempt-review-page", args=[attempt.pk])
    )
    assert "Say why." in review.content.decode()


def test_a_rubric_score_above_its_points_is_refused_and_the_comment_kept(client, course):
    attempt = finished(course)
    as_user(client, course["owner"])
    response = client.post(
        reverse("answer-grade", args=[attempt.pk, 3]),
        {"grade-3-rubric_0": "3", "grade-3-rubric_1": "1", "grade-3-comment": "Nearly there."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Criterion 1: a score from 0 to 1." in page
    assert "Nearly there." in page
    assert attempt.answers.get(slot=3).override_mark is None


def test_points_override_the_rubric_from_the_review_page(client, course):
    attempt = finished(course)
    as_user(client, course["owner"])
    response = client.post(
        reverse("answer-grade", args=[attempt.pk, 3]),
        {"grade-3-points": "0.25", "grade-3-comment": "", "next": "review"},
    )
    assert response.url.startswith(reverse("attempt-review-page", args=[attempt.pk]))
    assert attempt.answers.get(slot=3).override_mark == Decimal("0.25")


def test_only_the_students_instructors_may_grade(client, course):
    attempt = finished(course)
    url = reverse("answer-grade", args=[attempt.pk, 3])
    as_user(client, course["student"])
    assert client.post(url, {"grade-3-points": "1"}).status_code == 403
    as_user(client, InstructorFactory())
    assert client.post(url, {"grade-3-points": "1"}).status_code == 404


def test_the_gradebook_button_downloads_the_csv(client, course):
    finished(course)
    as_user(client, course["owner"])
    page = client.get(reverse("quiz-analytics", args=[course["quiz"].pk])).content.decode()
    url = reverse("quizzes:quiz-gradebook", args=[course["quiz"].pk])
    assert f'href="{url}" download' in page
    csv = client.get(url)
    assert csv.status_code == 200
    assert course["student"].username in csv.content.decode()


@pytest.mark.parametrize(
    ("language", "start", "submit"),
    [
        ("pt-br", "Começar o quiz", "Enviar minhas respostas"),
        ("da", "Start quizzen", "Aflevér mine svar"),
    ],
)
def test_the_quiz_pages_speak_portuguese_and_danish(client, course, language, start, submit):
    course["student"].language = language
    course["student"].save(update_fields=["language"])
    as_user(client, course["student"])
    assert start in client.get(reverse("quiz-page", args=[course["quiz"].pk])).content.decode()
    attempt = started(course)
    page = client.get(reverse("attempt-page", args=[attempt.pk])).content.decode()
    assert submit in page


def test_after_each_question_a_student_checks_an_answer_and_sees_its_feedback(client, course):
    Quiz.objects.filter(pk=course["quiz"].pk).update(answers_shown=Quiz.AnswersShown.AFTER_EACH)
    course["quiz"].refresh_from_db()
    attempt = started(course)
    as_user(client, course["student"])
    response = client.post(
        reverse("attempt-check", args=[attempt.pk, 2]), {"q2-present": "1", "q2-value": "0.5"}
    )
    assert response.url == reverse("attempt-page", args=[attempt.pk]) + "#q2"
    page = client.get(response.url).content.decode()
    assert "Check this answer" in page  # still offered for the other questions
    assert "Correct answer" in page
    assert 'name="q2-value"' not in page  # a checked answer is locked
    assert attempt.answers.get(slot=2).checked_at is not None


def test_matching_and_cloze_answers_are_read_from_the_form(client):
    from flashcards.models import Question
    from tests.flashcards.factories import ChoiceFactory, QuestionFactory

    owner = InstructorFactory()
    classroom, (student,) = classroom_with_students(owner, 1)
    quiz = QuizFactory(owner=owner, classrooms=[classroom])
    matching = QuestionFactory(
        question_set=quiz.question_set, kind=Question.Kind.MATCHING, position=0
    )
    sig = ChoiceFactory(question=matching, text="sigmoid", match_text="(0, 1)")
    ChoiceFactory(question=matching, text="ReLU", match_text="[0, ∞)")
    QuestionFactory(
        question_set=quiz.question_set,
        kind=Question.Kind.CLOZE,
        prompt="ReLU maps negatives to {{c1::zero}} and keeps {{c2::positives::which ones?}}.",
        position=1,
    )
    attempt, _ = start_attempt(quiz=quiz, student=student)
    as_user(client, student)
    page = client.get(reverse("attempt-page", args=[attempt.pk])).content.decode()
    assert f'name="q1-match-{sig.pk}"' in page
    assert "(which ones?)" in page
    client.post(
        reverse("attempt-finish", args=[attempt.pk]),
        {
            "q1-present": "1",
            f"q1-match-{sig.pk}": "(0, 1)",
            "q2-present": "1",
            "q2-blank-0": "zero",
            "q2-blank-1": "positives",
        },
    )
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.score == Decimal("1.5")  # half the pairs, both blanks


def test_a_fixed_list_quiz_keeps_the_chosen_questions_in_order(client, course):
    as_user(client, course["owner"])
    chosen = [course["text"].pk, course["mc"].pk]
    client.post(
        reverse("quiz-create"),
        quiz_post(course, selection="fixed", question_set="", questions=[str(pk) for pk in chosen]),
    )
    quiz = Quiz.objects.get(title="Chapter 4 check")
    assert [qq.question_id for qq in quiz.quiz_questions.order_by("position")] == chosen


def test_the_review_shows_a_demos_plot_with_its_text_alternative_and_numbers():
    """The partial the review fills from `review_data(...)["items"][n]["review"]["demos"]`."""
    from django.template.loader import render_to_string
    from django.utils import translation

    svg = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L1 1"/></svg>'
    with translation.override("en"):
        html = _render_demos(render_to_string, svg)
    assert svg in html
    assert 'aria-label="An S-shaped curve from 0 to 1"' in html
    assert "<td>0.5</td>" in html
    assert "The demo is still running" in html


def _render_demos(render_to_string, svg: str) -> str:
    return render_to_string(
        "frontend/quizzes/_demo_results.html",
        {
            "demos": [
                {
                    "demo": "activation-plot",
                    "caption": "Sigmoid over [-6, 6]",
                    "status": "succeeded",
                    "figures": [
                        {
                            "title": "sigmoid",
                            "alt": "An S-shaped curve from 0 to 1",
                            "svg": svg,
                            "table": {"columns": ["x", "sigmoid(x)"], "rows": [[0, 0.5]]},
                        }
                    ],
                },
                {"demo": "sgd-steps", "caption": "", "status": "running", "figures": []},
            ]
        },
    )


def test_a_submit_after_the_deadline_shows_the_review_of_what_was_saved_in_time(client, course):
    import time_machine

    Quiz.objects.filter(pk=course["quiz"].pk).update(time_limit_seconds=60)
    course["quiz"].refresh_from_db()
    attempt = started(course)
    as_user(client, course["student"])
    client.post(
        reverse("attempt-autosave", args=[attempt.pk, 2]), {"q2-present": "1", "q2-value": "0.5"}
    )
    with time_machine.travel(attempt.deadline + timedelta(seconds=5)):
        response = client.post(
            reverse("attempt-finish", args=[attempt.pk]),
            {"q2-present": "1", "q2-value": "0.7", "q3-present": "1", "q3-text": "Too late."},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("attempt-review-page", args=[attempt.pk])
    assert "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.finished_by == Attempt.FinishedBy.DEADLINE
    assert attempt.answers.get(slot=2).response == {"value": "0.5"}
    assert attempt.answers.get(slot=3).response is None


def test_an_instructors_dashboard_lists_their_quizzes_with_answers_to_grade(client, course):
    course["quiz"].free_text_grading = Quiz.FreeTextGrading.INSTRUCTOR
    course["quiz"].save(update_fields=["free_text_grading"])
    finished(course)
    page = as_user(client, course["owner"]).get(reverse("dashboard")).content.decode()
    assert "Quizzes I run" in page
    assert "Activations quiz" in page
    assert "1 to grade" in page


def test_the_quiz_list_detail_and_grading_pages_run_in_bounded_queries(
    client, course, django_assert_max_num_queries
):
    for _ in range(3):
        finished(course)
    as_user(client, course["student"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("quiz-home")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("quiz-page", args=[course["quiz"].pk])).status_code == 200
    as_user(client, course["owner"])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("quiz-grading", args=[course["quiz"].pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("quiz-settings", args=[course["quiz"].pk])).status_code == 200


def test_the_start_button_is_hidden_when_no_attempt_is_left_or_the_quiz_is_not_open(client, course):
    Quiz.objects.filter(pk=course["quiz"].pk).update(attempts_allowed=1)
    course["quiz"].refresh_from_db()
    finished(course)
    as_user(client, course["student"])
    url = reverse("quiz-page", args=[course["quiz"].pk])
    page = client.get(url).content.decode()
    assert "Start another attempt" not in page
    assert "0 attempts left" in page
    refused = client.post(reverse("quiz-start", args=[course["quiz"].pk]), follow=True)
    assert "You have used all your attempts at this quiz." in refused.content.decode()
    Quiz.objects.filter(pk=course["quiz"].pk).update(
        attempts_allowed=0, opens_at=timezone.now() + timedelta(hours=1)
    )
    assert "This quiz has not opened yet." in client.get(url).content.decode()
