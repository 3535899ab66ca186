"""The study API: next card, rating, undo, marks, settings; authorization per role; queries."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from flashcards.api.study_serializers import (
    CardStateResponseSerializer,
    NextResponseSerializer,
    ReviewResponseSerializer,
)
from flashcards.models import CardState, ReviewLog, StudySettings
from tests.flashcards.factories import (
    PASSWORD,
    ClozeQuestionFactory,
    InstructorFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    cards_of,
    join_class,
    put_state,
    studyable_set,
)

pytestmark = pytest.mark.django_db

NEXT = reverse("flashcards:study-next")
REVIEWS = reverse("flashcards:study-review")
UNDO = reverse("flashcards:study-undo")
SETTINGS = reverse("flashcards:study-settings")


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_anonymous_visitors_get_401_or_403_from_every_study_endpoint(api_client):
    for method, url in [
        ("get", NEXT),
        ("post", REVIEWS),
        ("post", UNDO),
        ("get", SETTINGS),
        ("get", reverse("flashcards:study-statistics")),
        ("get", reverse("flashcards:study-leeches")),
        ("post", reverse("flashcards:study-bury", args=[1])),
    ]:
        response = getattr(api_client, method)(url)
        assert response.status_code in (401, 403), url


def test_next_returns_the_card_with_both_faces_its_state_and_the_interval_of_each_rating(
    api_client,
):
    student = StudentFactory()
    chapter = studyable_set(student)
    QuestionFactory(question_set=chapter, prompt="What does ReLU do?", answer="max(0, x)")
    signed_in(api_client, student)

    response = api_client.get(NEXT, {"set": chapter.pk})

    assert response.status_code == 200
    body = response.json()
    (entry,) = body["cards"]
    assert entry["queue"] == "new"
    assert "ReLU" in entry["card"]["front_html"]
    assert "max(0, x)" in entry["card"]["back_html"]
    assert entry["state"]["state"] == "new"
    assert entry["state"]["version"] == 0
    intervals = entry["intervals"]
    assert set(intervals) == {"1", "2", "3", "4", "5"}
    assert intervals["1"] <= intervals["3"] <= intervals["4"] <= intervals["5"]
    assert body["counts"] == {"learning": 0, "review": 0, "new": 1}


def test_a_cloze_card_hides_only_its_own_gap(api_client):
    student = StudentFactory()
    chapter = studyable_set(student)
    ClozeQuestionFactory(question_set=chapter)
    signed_in(api_client, student)

    cards = api_client.get(NEXT, {"set": chapter.pk, "limit": 2}).json()["cards"]

    first, second = (c["card"] for c in cards)
    assert "cloze-hidden" in first["front_html"]
    assert "negative" in first["front_html"]
    assert "positive" not in first["front_html"]
    assert "positive" in first["back_html"]
    assert "positive" in second["front_html"]
    assert "negative" not in second["front_html"]


def test_rating_through_the_api_is_idempotent_and_reports_the_new_state(api_client):
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    signed_in(api_client, student)
    body = {"card": card.pk, "rating": 4, "client_review_id": "abc-1", "expected_version": 0}

    first = api_client.post(REVIEWS, body, format="json")
    again = api_client.post(REVIEWS, body, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["review"]["id"] == again.json()["review"]["id"]
    assert first.json()["state"]["version"] == 1
    assert ReviewLog.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6, "client_review_id": "x"}, "rating"),
        ({"rating": 0, "client_review_id": "x"}, "rating"),
        ({"rating": "good", "client_review_id": "x"}, "rating"),
        ({"rating": 3}, "client_review_id"),
        ({"rating": 3, "client_review_id": "x" * 65}, "client_review_id"),
        ({"rating": 3, "client_review_id": "x", "duration_ms": -5}, "duration_ms"),
        ({"rating": 3, "client_review_id": "x", "mode": "fast"}, "mode"),
    ],
)
def test_a_bad_rating_request_gets_a_clear_400_and_changes_nothing(api_client, body, field):
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    signed_in(api_client, student)

    response = api_client.post(REVIEWS, {"card": card.pk, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewLog.objects.exists()
    assert not CardState.objects.exists()


def test_rating_a_card_shown_in_an_older_version_is_a_409_conflict(api_client):
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    signed_in(api_client, student)
    api_client.post(
        REVIEWS, {"card": card.pk, "rating": 4, "client_review_id": "a", "expected_version": 0}
    )

    response = api_client.post(
        REVIEWS, {"card": card.pk, "rating": 1, "client_review_id": "b", "expected_version": 0}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_card_state"


def test_a_student_cannot_rate_or_mark_a_card_of_a_set_they_cannot_see(api_client):
    owner, outsider = StudentFactory(), StudentFactory()
    card = cards_of(studyable_set(owner, questions=1))[0]
    signed_in(api_client, outsider)

    rate = api_client.post(REVIEWS, {"card": card.pk, "rating": 4, "client_review_id": "x"})
    bury = api_client.post(reverse("flashcards:study-bury", args=[card.pk]))
    peek = api_client.get(NEXT, {"set": card.question_set_id})
    cls = api_client.get(NEXT, {"classroom": card.question_set.classrooms.get().pk})

    assert (rate.status_code, bury.status_code, peek.status_code, cls.status_code) == (
        404,
        404,
        404,
        404,
    )
    assert not CardState.objects.exists()


def test_undo_through_the_api_restores_the_state_and_then_says_there_is_nothing_left(api_client):
    student = StudentFactory()
    card = cards_of(studyable_set(student, questions=1))[0]
    signed_in(api_client, student)
    api_client.post(REVIEWS, {"card": card.pk, "rating": 5, "client_review_id": "u"})

    undone = api_client.post(UNDO)
    nothing = api_client.post(UNDO)

    assert undone.status_code == 200
    assert undone.json()["state"]["state"] == "new"
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_undo"


def test_bury_suspend_and_flag_change_only_the_students_own_state(api_client):
    student, classmate = StudentFactory(), StudentFactory()
    chapter = studyable_set(student, questions=3)
    join_class(classmate, chapter.classrooms.get())
    buried, suspended, flagged = cards_of(chapter)
    signed_in(api_client, student)

    assert api_client.post(reverse("flashcards:study-bury", args=[buried.pk])).status_code == 200
    r = api_client.post(
        reverse("flashcards:study-suspend", args=[suspended.pk]), {"suspended": True}
    )
    assert r.status_code == 200
    assert r.json()["state"]["suspended"] is True
    r = api_client.post(reverse("flashcards:study-flag", args=[flagged.pk]), {"flagged": True})
    assert r.status_code == 200
    assert r.json()["state"]["flagged"] is True
    bad = api_client.post(reverse("flashcards:study-flag", args=[flagged.pk]), {"flagged": "maybe"})
    assert bad.status_code == 400

    ids = [c["card"]["id"] for c in api_client.get(NEXT, {"limit": 10}).json()["cards"]]
    assert ids == [flagged.pk]
    assert not CardState.objects.filter(student=classmate).exists()


def test_settings_can_be_read_and_changed_within_their_bounds(api_client):
    student = StudentFactory()
    signed_in(api_client, student)

    assert api_client.get(SETTINGS).json()["desired_retention"] == 0.9
    ok = api_client.patch(
        SETTINGS, {"desired_retention": 0.85, "learning_steps": [30, 300, 1800]}, format="json"
    )
    too_low = api_client.patch(SETTINGS, {"desired_retention": 0.5}, format="json")
    too_high = api_client.patch(SETTINGS, {"desired_retention": 0.98}, format="json")
    bad_steps = api_client.patch(SETTINGS, {"learning_steps": [0]}, format="json")
    read_only = api_client.patch(SETTINGS, {"parameters": [1, 2, 3]}, format="json")

    assert ok.status_code == 200
    assert ok.json()["learning_steps"] == [30, 300, 1800]
    assert too_low.status_code == too_high.status_code == bad_steps.status_code == 400
    assert "desired_retention" in too_low.json()
    assert read_only.status_code == 200
    row = StudySettings.objects.get(student=student)
    assert (row.desired_retention, row.parameters) == (0.85, [])


def test_leeches_are_shown_to_the_student_and_to_the_instructor_of_the_class_only(api_client):
    instructor = InstructorFactory()
    student = StudentFactory()
    chapter = studyable_set(student, questions=2, owner=instructor)
    classroom = chapter.classrooms.get()
    leech = cards_of(chapter)[0]
    put_state(student, leech, state=2, due=datetime.now(UTC), lapses=9, is_leech=True)

    signed_in(api_client, student)
    mine = api_client.get(reverse("flashcards:study-leeches")).json()["leeches"]
    assert [(row["card"], row["lapses"]) for row in mine] == [(leech.pk, 9)]
    api_client.logout()

    signed_in(api_client, instructor)
    url = reverse("flashcards:study-leeches")
    theirs = api_client.get(url, {"classroom": classroom.pk}).json()["leeches"]
    assert [(row["student"]["id"], row["card"]) for row in theirs] == [(student.pk, leech.pk)]
    stats = api_client.get(reverse("flashcards:study-classroom-statistics", args=[classroom.pk]))
    assert stats.status_code == 200
    assert stats.json()["students"][0]["leeches"] == 1
    api_client.logout()

    other = InstructorFactory()
    signed_in(api_client, other)
    assert api_client.get(url, {"classroom": classroom.pk}).status_code == 404
    assert (
        api_client.get(
            reverse("flashcards:study-classroom-statistics", args=[classroom.pk])
        ).status_code
        == 404
    )
    api_client.logout()
    signed_in(api_client, student)
    assert (
        api_client.get(
            reverse("flashcards:study-classroom-statistics", args=[classroom.pk])
        ).status_code
        == 403
    )


def test_a_student_only_sees_their_own_statistics(api_client):
    student, classmate = StudentFactory(), StudentFactory()
    chapter = studyable_set(student, questions=2)
    join_class(classmate, chapter.classrooms.get())
    card = cards_of(chapter)[0]
    put_state(classmate, card, state=2, due=datetime.now(UTC) + timedelta(days=3), stability=40)
    signed_in(api_client, student)

    stats = api_client.get(reverse("flashcards:study-statistics"), {"set": chapter.pk}).json()

    assert stats["mastery"]["mastered"] == 0
    assert sum(day["due"] for day in stats["due_forecast"]) == 0


def test_next_card_and_submit_run_in_a_constant_number_of_queries(
    api_client, django_assert_max_num_queries
):
    student = StudentFactory()
    chapters = [studyable_set(student, questions=n) for n in (5, 30)]
    signed_in(api_client, student)
    for i, card in enumerate(cards_of(chapters[1])[:12]):
        state = 2 if i % 2 else 1
        put_state(student, card, state=state, due=datetime.now(UTC) - timedelta(hours=i + 1))
    StudySettings.objects.create(student=student)
    api_client.get(NEXT)  # derive cards once; later calls only check they are current

    # Session and user (2), the scope with what study must withhold (quiz-only sets, a quiz
    # in progress) in one statement, the queue's context (counts, settings), learning and
    # reviews with card and question joined; new cards and their states (2) only when the due
    # cards do not fill the request.
    for limit in (1, 10, 30):
        with django_assert_max_num_queries(5 if limit <= 12 else 7):
            response = api_client.get(NEXT, {"limit": limit})
        assert len(response.json()["cards"]) == limit
    for i, card in enumerate(cards_of(chapters[1])[10:20]):
        # Session and user (2), savepoint and release (2: the test's transaction), the lock
        # that also counts the review, card + state + earlier submit + what study must
        # withhold (quiz-only sets, a quiz in progress) in one statement, state, review.
        with django_assert_max_num_queries(8):
            response = api_client.post(
                REVIEWS, {"card": card.pk, "rating": 1 + i % 5, "client_review_id": f"q{i}"}
            )
        assert response.status_code == 201


def test_an_instructor_can_study_a_set_they_own(api_client):
    instructor = InstructorFactory()
    chapter = QuestionSetFactory(owner=instructor)
    QuestionFactory(question_set=chapter)
    signed_in(api_client, instructor)

    cards = api_client.get(NEXT).json()["cards"]

    assert len(cards) == 1
    ok = api_client.post(
        REVIEWS, {"card": cards[0]["card"]["id"], "rating": 3, "client_review_id": "i"}
    )
    assert ok.status_code == 201


def test_the_hot_answers_are_exactly_what_their_documented_serializers_would_write(api_client):
    """next, rate and the card marks build their JSON by hand for speed; the serializers that
    document them in the OpenAPI schema must read it back and write it out unchanged, with
    datetimes in the student's own time zone."""
    student = StudentFactory(time_zone="America/Sao_Paulo")
    chapter = studyable_set(student, questions=3)
    review_card, learning_card, _new_card = cards_of(chapter)
    now = timezone.now()
    put_state(student, review_card, state=2, due=now - timedelta(hours=5), stability=12.5)
    put_state(student, learning_card, state=1, due=now - timedelta(minutes=3), difficulty=6.25)
    signed_in(api_client, student)

    shown = api_client.get(NEXT, {"set": chapter.pk, "limit": 3}).json()
    rated = api_client.post(
        REVIEWS,
        {"card": review_card.pk, "rating": 4, "client_review_id": "fixed-1", "expected_version": 0},
        format="json",
    ).json()
    buried = api_client.post(reverse("flashcards:study-bury", args=[learning_card.pk])).json()

    assert [entry["queue"] for entry in shown["cards"]] == ["learning", "review", "new"]
    assert shown["day_ends_at"].endswith("-03:00")
    assert buried["state"]["buried_until"].endswith("-03:00")
    with timezone.override(zoneinfo.ZoneInfo("America/Sao_Paulo")):
        for serializer, answer in [
            (NextResponseSerializer, shown),
            (ReviewResponseSerializer, rated),
            (CardStateResponseSerializer, buried),
        ]:
            parsed = serializer(data=answer)
            assert parsed.is_valid(), parsed.errors
            assert serializer(parsed.validated_data).data == answer


@override_settings(ROOT_URLCONF="benchmarks.urls")
def test_the_benchmarks_ping_endpoint_is_a_trivial_json_answer(client):
    response = client.get(reverse("benchmark-ping"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_the_production_api_has_no_ping_endpoint(client):
    assert client.get("/api/study/ping/").status_code == 404


def test_bad_query_parameters_of_next_get_a_400_that_names_the_field(api_client):
    student = StudentFactory()
    chapter = studyable_set(student, questions=1)
    signed_in(api_client, student)
    classroom = chapter.classrooms.get()

    both = api_client.get(NEXT, {"set": chapter.pk, "classroom": classroom.pk})
    too_many = api_client.get(NEXT, {"limit": 500})
    mode = api_client.get(NEXT, {"mode": "fast"})

    assert (both.status_code, too_many.status_code, mode.status_code) == (400, 400, 400)
    assert "classroom" in both.json()
    assert "limit" in too_many.json()
    assert "mode" in mode.json()
    assert not CardState.objects.exists()
