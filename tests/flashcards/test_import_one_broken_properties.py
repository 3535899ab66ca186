"""Property tests: a file of N good questions and one broken one either imports the N with a
warning naming the broken one, or imports nothing with an error naming its line — never N±k
silently.  For CSV/TSV, students' Markdown notes and Anki packages."""

from __future__ import annotations

import os
import tempfile
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.formats import apkg, delimited
from flashcards.formats.base import ParsedSet
from flashcards.services.import_preview import preview_import

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=12).map(str.strip)
word = words.filter(bool)
# Card text as Quizlet writes it: quotes are ordinary characters there.
card_text = (
    st.text(alphabet="abcdefghij \"'()-.", min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda s: s and not s.startswith("#"))
)


def either_n_and_a_warning_or_an_error(parsed: ParsedSet, n: int, line: int) -> None:
    errors = parsed.errors
    if errors:
        assert any(problem.line == line for problem in errors), parsed.problems
        return
    assert len(parsed.questions) == n, (len(parsed.questions), parsed.problems)
    assert any(problem.line == line for problem in parsed.warnings), parsed.problems


@FAST
@given(
    cards=st.lists(st.tuples(card_text, card_text), min_size=1, max_size=8),
    at=st.integers(0, 8),
    broken=st.sampled_from(["one column", "empty front", "extra column"]),
    separator=st.sampled_from(["\t", ";"]),
)
def test_delimited_n_cards_and_one_broken_row(cards, at, broken, separator):
    rows = [f"{front}{separator}{back}" for front, back in cards]
    at = min(at, len(rows))
    bad = {
        "one column": "just-one-column",
        "empty front": f"{separator}a back without a front",
        "extra column": f"front{separator}back{separator}a third column",
    }[broken]
    rows.insert(at, bad)
    parsed = delimited.parse("\n".join(rows) + "\n", separator=separator)
    expected = len(cards) + (1 if broken == "extra column" else 0)
    either_n_and_a_warning_or_an_error(parsed, expected, at + 1)


@FAST
@given(cards=st.lists(st.tuples(card_text, card_text), min_size=1, max_size=10))
def test_quotes_in_quizlet_cards_never_merge_or_drop_rows_silently(cards):
    text = "".join(f"{front}\t{back}\n" for front, back in cards)
    parsed = delimited.parse(text, separator="\t", fmt="tsv")
    if parsed.errors:  # e.g. a front of just "" read as an empty quoted field
        assert all(1 <= problem.line <= len(cards) for problem in parsed.errors)
        return
    assert len(parsed.questions) == len(cards)
    assert [q.line for q in parsed.questions] == list(range(1, len(cards) + 1))
    if any(p.code == "quote-literal" for p in parsed.warnings):
        assert [(q.prompt, q.answer) for q in parsed.questions] == [
            (front, back) for front, back in cards
        ]


@FAST
@given(
    items=st.lists(st.tuples(word, word), min_size=1, max_size=8),
    at=st.integers(0, 8),
    broken=st.sampled_from(["no answer", "a section", "a gap"]),
)
def test_markdown_notes_n_questions_and_one_broken_item(items, at, broken):
    numbered = [f"What is {term}?" for term, _ in items]
    lines = ["# Notes", ""]
    number = 1
    broken_line = None
    at = min(at, len(items) - 1)
    for index, (question, (_, answer)) in enumerate(zip(numbered, items, strict=True)):
        if index == at and broken == "a section":
            broken_line = len(lines) + 1
            lines += ["### 10:15 - Lab", "", "Bring the laptop.", ""]
        if index == at and broken == "a gap":
            number += 1
            broken_line = len(lines) + 1
        lines += [f"- {number}. {question}", f"  The answer is {answer or 'this'}."]
        number += 1
    if broken == "no answer":
        broken_line = len(lines) + 1
        lines += [f"- {number}. What is left without an answer?"]
    parsed = preview_import(data="\n".join(lines).encode(), fmt="markdown")
    either_n_and_a_warning_or_an_error(parsed, len(items), broken_line)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fronts=st.lists(word, min_size=1, max_size=5, unique=True),
    at=st.integers(0, 5),
    broken=st.sampled_from(["empty front", "only a sound"]),
)
def test_anki_n_notes_and_one_broken_note(fronts, at, broken):
    genanki = pytest.importorskip("genanki")
    deck = genanki.Deck(1_600_000_000, "Properties")
    at = min(at, len(fronts))
    notes = [[front, f"back of {front}"] for front in fronts]
    notes.insert(at, ["" if broken == "empty front" else "[sound:x.mp3]", "a back"])
    for fields in notes:
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=fields))
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            genanki.Package(deck).write_to_file(path)
        with open(path, "rb") as package:
            parsed = apkg.parse(package.read())
    finally:
        os.unlink(path)
    either_n_and_a_warning_or_an_error(parsed, len(fronts), at + 1)
