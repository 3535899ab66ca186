"""The rich-text rules imports need: math in Anki's and Moodle's `\\(…\\)` / `\\[…\\]`, options that
are Markdown syntax shown as themselves, and images only from the site's own media."""

from __future__ import annotations

import pytest

from flashcards.formats.base import ParsedChoice, ParsedQuestion
from flashcards.formats.images import image_problems
from flashcards.models import Question
from flashcards.richtext import foreign_images, is_site_media, render_rich_text
from tests.flashcards.factories import ChoiceFactory, QuestionFactory


def test_backslash_parentheses_are_inline_math():
    html = render_rich_text("The sigmoid \\(\\sigma(x) = \\frac{1}{1+e^{-x}}\\) squashes.")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html
    assert "\\(" not in html


def test_backslash_brackets_are_display_math_inline_and_on_their_own_lines():
    assert 'display="block"' in render_rich_text("Loss: \\[L = -\\log p\\]")
    assert 'display="block"' in render_rich_text("\\[\nx^2\n\\]")


def test_dollar_math_works_as_before_and_escaped_backslashes_stay_text():
    assert "<math" in render_rich_text("Both $x$ and $$y$$ are math.")
    assert render_rich_text("a \\\\(b\\\\)") == "<p>a \\(b\\)</p>"
    assert render_rich_text("unclosed \\(x") == "<p>unclosed (x</p>"


def test_math_inside_code_stays_code():
    assert "<math" not in render_rich_text("`\\(x\\)`")


def test_a_cloze_hint_in_brackets_is_not_mistaken_for_math():
    from quizzes.snapshots import _cloze

    shown = _cloze("Use {{c1::ReLU::an (activation) [function]}}.")["prompt_html"]
    assert "<math" not in shown
    assert "[an (activation) [function]]" in shown


@pytest.mark.parametrize("source", ["#", "*", "+", "-", "1.", ">", "---", "|", "2)", "- x"])
def test_a_one_line_option_that_is_markdown_syntax_shows_as_itself(source):
    html = render_rich_text(source, choice_like=True)
    expected = source.replace(">", "&gt;")
    assert html == f"<p>{expected}</p>"


def test_a_one_line_option_keeps_inline_markdown_and_math():
    html = render_rich_text("**ReLU** is $\\max(0, x)$ and `x.clamp(min=0)`", choice_like=True)
    assert html.startswith("<p><strong>ReLU</strong> is <math")
    assert "<code>x.clamp(min=0)</code>" in html


def test_an_option_of_several_lines_is_block_markdown():
    html = render_rich_text("```python\nx = 1\n```", choice_like=True)
    assert html.startswith('<pre class="highlight">')


def test_the_same_text_in_a_question_is_still_block_markdown():
    assert render_rich_text("# Heading") == "<h1>Heading</h1>"


@pytest.mark.django_db
def test_choices_short_answers_and_matching_items_use_the_option_rule():
    for kind in (
        Question.Kind.MULTIPLE_CHOICE,
        Question.Kind.SHORT_ANSWER,
        Question.Kind.MATCHING,
    ):
        choice = ChoiceFactory(question=QuestionFactory(kind=kind), text="-", feedback="- a")
        assert choice.text_html == "<p>-</p>"
        assert choice.feedback_html.startswith("<ul>")  # feedback is prose, not an option


@pytest.mark.parametrize(
    ("src", "allowed"),
    [
        ("/media/questions/relu.png", True),
        ("https://tracker.example/pixel.gif", False),
        ("//tracker.example/pixel.gif", False),
        ("relu.png", False),
        ("/media/../secret.png", False),
        ("/static/logo.png", False),
    ],
)
def test_only_the_sites_own_media_are_images(src, allowed):
    assert is_site_media(src) is allowed
    html = render_rich_text(f"![plot]({src})")
    assert ("<img" in html) is allowed
    if not allowed:
        assert '<a href="' in html
        assert ">plot</a>" in html


def test_a_data_image_becomes_its_alt_text():
    assert render_rich_text("![two pixels](data:image/png;base64,AAAA)") == "<p>two pixels</p>"


def test_images_shown_as_links_are_listed_for_a_warning():
    question = ParsedQuestion(
        "multiple_choice",
        "See ![a](https://cdn.example/a.png) and ![b](/media/b.png)",
        choices=[ParsedChoice("![c](http://x.example/c.png)", True)],
        line=7,
    )
    assert foreign_images(question.prompt) == ["https://cdn.example/a.png"]
    (warning,) = image_problems(question, [], "")
    assert (warning.line, warning.code) == (7, "image-shown-as-link")
    assert "'https://cdn.example/a.png', 'http://x.example/c.png'" in warning.message
