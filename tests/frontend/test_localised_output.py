"""Numbers that machines read are never localised: in SVG, CSS, and form attributes.

Each chart and figure template is rendered in every language and its numbers parsed as a
browser would: with an XML parser for SVG, as CSS lengths for inline styles, and as the HTML
floating-point numbers range inputs take.  `y="120,0"` (Portuguese, Danish) fails here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.services.attempts.answer import submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    InstructorFactory,
    StudentFactory,
    cards_of,
    classroom_with_students,
    numerical,
    put_state,
    studyable_set,
)
from tests.quizzes.factories import QuizFactory
from tests.training.factories import DemoRunFactory
from training.selectors.results import run_result
from training.services.run_execution import execute_run

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "pt-br", "da")
NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "width", "height", "r", "cx", "cy", "opacity"}
NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def svgs(html: str) -> list[ET.Element]:
    """Every inline <svg> of a page, parsed as XML (a localised attribute is no number)."""
    return [ET.fromstring(match) for match in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def assert_numbers_parse(element: ET.Element) -> int:
    checked = 0
    for node in element.iter():
        for name, value in node.attrib.items():
            local = name.split("}")[-1]
            if local in NUMERIC and not value.endswith(("%", "pt", "px")):
                assert NUMBER.match(value), f"<{node.tag} {local}={value!r}>"
                checked += 1
            if local == "viewBox":
                assert all(NUMBER.match(part) for part in value.split()), value
                checked += 1
    return checked


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_forecast_chart_writes_plain_numbers_in_every_language(client, language):
    student = StudentFactory()
    question_set = studyable_set(student, questions=4)
    now = timezone.now()
    for days, card in enumerate(cards_of(question_set), start=1):
        put_state(student, card, state=2, due=now + timedelta(days=days, hours=2))
    client.force_login(student)

    page = client.get(reverse("study-statistics-page"), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert f'lang="{language}"' in html
    (chart,) = svgs(html)
    assert assert_numbers_parse(chart) > 60
    for tag, attrs in elements(html):
        if tag in {"meter", "progress"}:
            assert NUMBER.match(attrs["value"]), attrs
        for name, value in attrs.items():
            if name.startswith("data-level"):
                assert value.isdigit()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_demo_result_and_its_figure_parse_in_every_language(client, language):
    run = DemoRunFactory(demo="activation-functions", raw_params={"function": "relu"})
    execute_run(run_id=run.pk, worker="test")
    run.refresh_from_db()
    with translation.override(language):
        html = render_to_string("frontend/demos/_run_panel.html", {"run": run_result(run)})
    for tag, attrs in elements(html):
        if tag == "progress":
            assert NUMBER.match(attrs["value"])
        if tag == "img":
            svg = client.get(attrs["src"], HTTP_ACCEPT_LANGUAGE=language)
            assert svg.status_code == 200
            assert assert_numbers_parse(ET.fromstring(svg.content)) > 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_form_sliders_take_plain_numbers_in_every_language(client, language):
    page = client.get(
        reverse("demo-page", args=["softmax-cross-entropy"]), HTTP_ACCEPT_LANGUAGE=language
    )
    sliders = [a for tag, a in elements(page.content.decode()) if a.get("type") == "range"]
    assert sliders
    for attrs in sliders:
        for name in ("min", "max", "step", "value"):
            assert NUMBER.match(attrs[name]), (name, attrs)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_score_distribution_writes_css_numbers_in_every_language(client, language):
    owner = InstructorFactory()
    classroom, students = classroom_with_students(owner, 3)
    quiz = QuizFactory(owner=owner, classrooms=[classroom])
    numerical(quiz.question_set, value=0.5, position=0)
    for index, student in enumerate(students):
        attempt, _ = start_attempt(quiz=quiz, student=student)
        submit_attempt(attempt=attempt, student=student, responses={1: {"value": str(index / 3)}})
    client.force_login(owner)

    page = client.get(reverse("quiz-analytics", args=[quiz.pk]), HTTP_ACCEPT_LANGUAGE=language)
    styles = re.findall(r'style="(?:height|width): ([^"]*)%"', page.content.decode())
    assert styles
    for value in styles:
        assert NUMBER.match(value), value
