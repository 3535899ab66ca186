"""Study pages through the test client: the session page and its queue, statistics and the
dashboard's study section, per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flashcards.models import ReviewLog
from flashcards.services.study import submit_review
from tests.frontend.factories import class_world
from tests.training.factories import DemoAttachmentFactory, DemoRunFactory
from training.models import DemoRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return class_world(cards=3)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in (
        reverse("study-set", args=[world["set"].pk]),
        reverse("study-statistics-page"),
        f"{reverse('study-queue')}?set={world['set'].pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_student_in_the_class_gets_the_session_page_with_its_key_hints(client, world):
    client.force_login(world["student"])
    response = client.get(reverse("study-set", args=[world["set"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="study-card"' in page
    assert "How well did you know this?" in page
    for key, label in [("1", "Not at all"), ("5", "Perfectly")]:
        assert f'data-rating="{key}"' in page
        assert label in page
    assert "<kbd>U</kbd>" in page
    assert "frontend/study" in page
    assert ".js" in page


@pytest.mark.parametrize("role", ["outsider", "other_instructor"])
def test_people_who_may_not_read_the_set_get_404(client, world, role):
    client.force_login(world[role])
    assert client.get(reverse("study-set", args=[world["set"].pk])).status_code == 404
    queue = client.get(f"{reverse('study-queue')}?set={world['set'].pk}")
    assert queue.status_code == 404


def test_the_owner_may_study_their_own_set(client, world):
    client.force_login(world["owner"])
    assert client.get(reverse("study-set", args=[world["set"].pk])).status_code == 200


def test_a_class_session_covers_the_class_sets_and_outsiders_get_404(client, world):
    client.force_login(world["student"])
    url = reverse("study-class", args=[world["classroom"].pk])
    assert client.get(url).status_code == 200
    body = client.get(f"{reverse('study-queue')}?classroom={world['classroom'].pk}").json()
    assert {c["card"]["question_set"] for c in body["cards"]} == {world["set"].pk}
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404


def test_the_queue_gives_new_cards_in_order_with_faces_and_versions(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["student"])
    url = f"{reverse('study-queue')}?set={world['set'].pk}"
    client.get(url)  # the first read derives the cards
    with django_assert_max_num_queries(14):
        body = client.get(url).json()
    prompts = [c["card"]["front_html"] for c in body["cards"]]
    assert len(prompts) == 3
    assert "Card 0" in prompts[0]
    assert "Card 2" in prompts[2]
    assert "Answer 0" in body["cards"][0]["card"]["back_html"]
    assert body["cards"][0]["state"]["version"] == 0
    assert body["counts"]["new"] == 3
    assert body["cards"][0]["demos_html"] == ""


def test_a_rated_card_leaves_the_queue_and_cram_mode_keeps_every_card(client, world):
    student = world["student"]
    client.force_login(student)
    url = f"{reverse('study-queue')}?set={world['set'].pk}"
    first = client.get(url).json()["cards"][0]
    submit_review(student=student, card_id=first["card"]["id"], rating=5, client_review_id="a")
    after = client.get(url).json()
    assert first["card"]["id"] not in [c["card"]["id"] for c in after["cards"]]
    cram = client.get(f"{url}&mode=cram").json()
    assert cram["mode"] == "cram"
    assert len(cram["cards"]) == 3
    assert cram["cards"][-1]["card"]["id"] == first["card"]["id"]  # least recently seen first


def test_the_answers_demo_results_come_with_the_card(client, world):
    question = world["questions"][0]
    run = DemoRunFactory(
        status=DemoRun.Status.DONE,
        result={"summary": "cat gets 0.87 of the probability", "notes": [], "data": {}},
        figures=[
            {
                "name": "probabilities",
                "title": "Softmax probabilities",
                "alt": "Bars: cat 0.87, dog 0.13",
                "table": {"columns": ["label", "p"], "rows": [["cat", 0.87], ["dog", 0.13]]},
            }
        ],
    )
    DemoAttachmentFactory(question=question, run=run, caption="Softmax of four logits.")
    client.force_login(world["student"])
    body = client.get(f"{reverse('study-queue')}?set={world['set'].pk}").json()
    html = body["cards"][0]["demos_html"]
    assert "Softmax of four logits." in html
    assert "cat gets 0.87" in html
    assert reverse("training:run-figure", args=[run.pk, "probabilities"]) in html
    assert 'alt="Bars: cat 0.87, dog 0.13"' in html


def test_a_bad_queue_request_answers_400(client, world):
    client.force_login(world["student"])
    response = client.get(f"{reverse('study-queue')}?set=abc")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_statistics_show_streak_retention_mastery_forecast_and_heatmap(
    client, world, django_assert_max_num_queries
):
    student = world["student"]
    client.force_login(student)
    cards = client.get(f"{reverse('study-queue')}?set={world['set'].pk}").json()["cards"]
    for number, card in enumerate(cards):
        submit_review(
            student=student, card_id=card["card"]["id"], rating=4, client_review_id=f"r{number}"
        )
    with django_assert_max_num_queries(16):
        response = client.get(f"{reverse('study-statistics-page')}?set={world['set'].pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cards due in the next 30 days" in page
    assert 'class="forecast-chart"' in page
    assert page.count('<rect x="') == 30
    assert "Reviews per day over the last year" in page
    assert "3 reviews on 1 day." in page
    assert 'id="streak-heading"' in page
    assert "True retention" in page
    assert "Mastery" in page
    assert ReviewLog.objects.filter(student=student).count() == 3


def test_the_statistics_of_a_set_one_may_not_read_are_404(client, world):
    client.force_login(world["outsider"])
    response = client.get(f"{reverse('study-statistics-page')}?set={world['set'].pk}")
    assert response.status_code == 404


def test_the_students_dashboard_lists_due_cards_per_set_and_the_streak(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["student"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("dashboard"))
    page = response.content.decode()
    assert "Study today" in page
    assert f'data-set="{world["set"].pk}"' in page
    assert reverse("study-set", args=[world["set"].pk]) in page
    assert 'id="streak"' in page
    assert reverse("study-class", args=[world["classroom"].pk]) in page


def test_an_instructors_dashboard_has_no_study_section(client, world):
    client.force_login(world["owner"])
    assert "Study today" not in client.get(reverse("dashboard")).content.decode()


def test_the_set_page_offers_studying_and_cramming(client, world):
    client.force_login(world["student"])
    page = client.get(reverse("set-detail", args=[world["set"].pk])).content.decode()
    study_url = reverse("study-set", args=[world["set"].pk])
    assert f'href="{study_url}"' in page
    assert f'href="{study_url}?mode=cram"' in page


@pytest.mark.parametrize(
    ("language", "question", "key_word"),
    [
        ("pt-br", "Quão bem você sabia isto?", "Espaço"),
        ("da", "Hvor godt vidste du det?", "Mellemrum"),
    ],
)
def test_the_session_and_statistics_pages_speak_the_students_language(
    client, world, language, question, key_word
):
    student = world["student"]
    student.language = language
    student.save()
    client.force_login(student)
    page = client.get(reverse("study-set", args=[world["set"].pk])).content.decode()
    assert question in page
    assert key_word in page
    assert "How well did you know this?" not in page
    stats = client.get(reverse("study-statistics-page")).content.decode()
    assert "Cards due in the next 30 days" not in stats
