"""Cloze cards hide their own gap in the renderer's real HTML, and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.richtext import render_rich_text
from flashcards.study_faces import cloze_numbers, show_cloze


def test_only_the_cards_own_gap_is_hidden_and_the_others_are_plain_text():
    rendered = render_rich_text("ReLU keeps {{c1::positive}} inputs, maps {{c2::negative}} to 0")

    front = show_cloze(rendered, 1, reveal=False)
    back = show_cloze(rendered, 1, reveal=True)

    assert "positive" not in front
    assert 'class="cloze cloze-hidden" data-cloze="1">[…]</span>' in front
    assert "negative" in front
    assert 'data-cloze="2"' not in front
    assert '<span class="cloze cloze-revealed" data-cloze="1">positive</span>' in back
    assert cloze_numbers(rendered) == {1, 2}


def test_the_hint_is_shown_escaped_even_when_it_holds_markup():
    rendered = render_rich_text('Sigmoid maps to {{c1::(0, 1)::<img src=x onerror="a">}} $x$')

    front = show_cloze(rendered, 1, reveal=False)

    assert "(0, 1)" not in front
    assert "[&lt;img src=x onerror=&quot;a&quot;&gt;]" in front
    assert "<img" not in front
    assert "<math" in front  # the rest of the prompt is left as it was


def test_markup_and_spans_inside_the_gap_are_hidden_with_it_and_kept_when_revealed():
    source = "Softmax: {{c1::**exp** of $$z_i$$ over the sum}} and {{c2::`code`}}"
    rendered = render_rich_text(source)
    assert 'class="math-display"' in rendered  # a span inside the deletion

    front = show_cloze(rendered, 1, reveal=False)
    back = show_cloze(rendered, 1, reveal=True)

    assert "exp" not in front
    assert "<math" not in front
    assert "<strong>" not in front
    assert "<code>code</code>" in front
    assert front.count("<span") == front.count("</span>")
    assert "<strong>exp</strong>" in back
    assert "<math" in back
    assert back.count("<span") == back.count("</span>")


def test_a_deletion_written_in_code_is_text_and_yields_no_card():
    rendered = render_rich_text("Anki writes `{{c1::this}}` and {{c2::that}}")

    assert cloze_numbers(rendered) == {2}
    assert "this" in show_cloze(rendered, 2, reveal=False)


def test_text_that_looks_like_a_cloze_span_is_not_taken_for_one():
    rendered = render_rich_text('Type <span class="cloze" data-cloze="7">x</span> and {{c1::y}}')

    assert cloze_numbers(rendered) == {1}


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_whatever_surrounds_the_gaps_the_answer_never_shows_on_the_front(words):
    secret = "QZSECRET"
    source = " ".join(words) + f" {{{{c1::{secret}}}}} " + " ".join(words) + " {{c2::other}}"
    rendered = render_rich_text(source)
    if 1 not in cloze_numbers(rendered):
        return  # the words turned the deletion into something else (e.g. code)
    front = show_cloze(rendered, 1, reveal=False)
    assert secret not in front
    assert len(re.findall("<span", front)) == len(re.findall("</span>", front))
    assert secret in show_cloze(rendered, 1, reveal=True)


@pytest.mark.django_db
def test_choice_questions_studied_as_cards_show_their_options_and_the_right_ones_on_the_back():
    from flashcards.models import Question
    from flashcards.selectors.study import study_queue
    from flashcards.study_faces import card_faces
    from tests.flashcards.factories import (
        ChoiceFactory,
        QuestionFactory,
        StudentFactory,
        multiple_choice,
        studyable_set,
        true_false,
    )

    student = StudentFactory()
    chapter = studyable_set(student)
    picked = multiple_choice(
        chapter, correct=("ReLU",), wrong=("Step",), prompt="Select all that apply.", position=0
    )
    claim = true_false(chapter, correct=False, prompt="Sigmoid outputs are negative.", position=1)
    pairs = QuestionFactory(question_set=chapter, kind=Question.Kind.MATCHING, position=2)
    for position, (left, right) in enumerate([("tanh", "(-1, 1)"), ("sigmoid", "(0, 1)")]):
        ChoiceFactory(question=pairs, text=left, match_text=right, position=position)

    entries = study_queue(student, [chapter.pk], limit=3).entries
    faces = {e.card.question_id: card_faces(e.card) for e in entries}

    front, back = faces[picked.pk]
    assert "ReLU" in front
    assert "Step" in front
    assert "Correct" not in front
    assert re.search(r"Correct:</strong> <p>ReLU|Correct:</strong> ReLU", back)
    front, back = faces[claim.pk]
    assert "True" in front
    assert "False" in front
    assert "<strong>False</strong>" in back
    front, back = faces[pairs.pk]
    assert front.index("(-1, 1)") < front.index("(0, 1)")  # sorted, not in the pairs' order
    assert "<td>(0, 1)</td>" in back
