"""Export → import round trips through the database: JSON is lossless; GIFT and CSV keep
every field they can carry; and whatever a format cannot carry is reported."""

from __future__ import annotations

import json

import pytest

from flashcards.formats import parse
from flashcards.models import QuestionSet
from flashcards.selectors.exports import export_question_set
from flashcards.services.imports import import_questions
from tests.flashcards.factories import InstructorFactory, full_question_set, snapshot

pytestmark = pytest.mark.django_db


def test_json_export_then_import_gives_an_identical_set():
    original = full_question_set()
    exported = export_question_set(question_set=original, fmt="json")
    assert exported.problems == []
    outcome = import_questions(user=original.owner, data=exported.content)
    copy = outcome.question_set
    assert copy.pk != original.pk
    assert snapshot(copy) == snapshot(original)
    assert (copy.title, copy.description, copy.language) == (
        original.title,
        original.description,
        original.language,
    )
    assert list(copy.tags.values_list("name", flat=True)) == ["chapter-4"]
    again = export_question_set(question_set=copy, fmt="json")
    assert json.loads(again.content) == json.loads(exported.content)


def test_json_export_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    question_set = full_question_set()
    with django_assert_max_num_queries(6):
        export_question_set(question_set=question_set, fmt="json")


GIFT_FIELDS = (
    "kind",
    "title",
    "prompt",
    "general_feedback",
    "allow_multiple",
    "correct_boolean",
    "tags",
)
GIFT_CHOICE_FIELDS = ("text", "is_correct", "weight", "feedback", "match_text")


def test_gift_export_then_import_keeps_every_field_gift_carries():
    original = full_question_set()
    exported = export_question_set(question_set=original, fmt="gift")
    outcome = import_questions(user=original.owner, data=exported.content, fmt="gift")
    assert outcome.parsed.errors == []
    # GIFT has no cloze (left out) and no flashcard (written as an essay); compare the rest.
    before = [q for q in snapshot(original) if q["kind"] not in ("flashcard", "cloze")]
    after = [
        q
        for q in snapshot(outcome.question_set)
        if q["prompt"] != "What does ReLU do to negative inputs?"
    ]
    assert [q["kind"] for q in after] == [q["kind"] for q in before]
    for old, new in zip(before, after, strict=True):
        assert {f: new[f] for f in GIFT_FIELDS} == {f: old[f] for f in GIFT_FIELDS}
        if old["kind"] == "free_text":  # the reference answer travels as the essay's feedback
            assert new["answer"] == old["answer"]
        assert [{f: c[f] for f in GIFT_CHOICE_FIELDS} for c in new["choices"]] == [
            {f: c[f] for f in GIFT_CHOICE_FIELDS} for c in old["choices"]
        ]
        assert [
            {k: v for k, v in a.items() if k != "position"} for a in new["numerical_answers"]
        ] == [{k: v for k, v in a.items() if k != "position"} for a in old["numerical_answers"]]


def test_gift_export_reports_what_it_cannot_carry():
    exported = export_question_set(question_set=full_question_set(), fmt="gift")
    messages = " ".join(problem.message for problem in exported.problems)
    assert "cloze" in messages  # left out: GIFT has no cloze
    assert "flashcard kind" in messages
    assert "points" in messages
    assert "rubric" in messages
    assert "answer explanation" in messages


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_delimited_export_then_import_keeps_front_back_tags_reverse_and_cloze(fmt):
    original = full_question_set()
    exported = export_question_set(question_set=original, fmt=fmt)
    outcome = import_questions(user=original.owner, data=exported.content)
    assert outcome.parsed.format == fmt
    cards = [q for q in snapshot(original) if q["kind"] in ("flashcard", "cloze")]
    copies = [
        q
        for q in snapshot(outcome.question_set)
        if q["kind"] in ("flashcard", "cloze") and q["prompt"] in {c["prompt"] for c in cards}
    ]
    fields = ("kind", "prompt", "answer", "has_reverse")
    assert [{f: q[f] for f in fields} for q in copies] == [{f: q[f] for f in fields} for q in cards]
    assert copies[0]["tags"] == ["activations", "two_words"]
    assert any("spaces in tag" in problem.message for problem in exported.problems)


def test_apkg_export_reads_back_as_the_same_cards():
    original = full_question_set()
    exported = export_question_set(question_set=original, fmt="apkg")
    parsed = parse(exported.content)
    assert parsed.format == "apkg"
    assert len(parsed.questions) == original.questions.count()
    card = parsed.questions[0]
    assert (card.kind, card.has_reverse) == ("flashcard", True)
    assert "What does ReLU do to negative inputs?" in card.prompt
    # Anki makes the cards of a cloze note from its {{cN::...}} markers: they must survive.
    (cloze,) = [q for q in parsed.questions if q.kind == "cloze"]
    assert cloze.prompt == original.questions.get(kind="cloze").prompt


def test_an_import_into_an_existing_set_appends_after_its_questions():
    original = full_question_set()
    target = QuestionSet.objects.create(title="Target", owner=original.owner)
    data = export_question_set(question_set=original, fmt="json").content
    import_questions(user=original.owner, data=data, target_set=target)
    import_questions(user=original.owner, data=data, target_set=target)
    positions = list(target.questions.values_list("position", flat=True))
    assert len(positions) == 2 * original.questions.count()
    assert len(set(positions)) == len(positions)


def test_an_import_with_one_bad_question_saves_nothing():
    owner = InstructorFactory()
    document = json.loads(
        export_question_set(question_set=full_question_set(owner), fmt="json").content
    )
    document["questions"][1]["choices"] = []  # a multiple-choice question without options
    before = QuestionSet.objects.count()
    outcome = import_questions(user=owner, data=json.dumps(document).encode())
    assert outcome.saved is False
    assert [p.message for p in outcome.parsed.errors] == [
        "Question 2, options: A multiple-choice question needs at least two choices.",
        "Question 2, options: Mark at least one choice as correct.",
    ]
    assert QuestionSet.objects.count() == before
