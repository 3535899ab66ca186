"""Property-based tests: no input makes a parser raise anything but ImportFormatError, and
generated valid sets survive export → import in every format that can carry them."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flashcards import formats
from flashcards.formats import (
    aiken,
    apkg,
    apkg_writer,
    delimited,
    delimited_writer,
    gift,
    gift_writer,
    json_format,
    markdown,
    moodlexml,
)
from flashcards.formats.base import (
    ImportFormatError,
    ParsedChoice,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
)
from flashcards.models import Question

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARSERS = {
    "gift": gift.parse,
    "aiken": aiken.parse,
    "csv": delimited.parse,
    "tsv": lambda data: delimited.parse(data, separator="\t", fmt="tsv"),
    "markdown": markdown.parse,
    "json": json_format.parse,
    "moodlexml": moodlexml.parse,
    "apkg": apkg.parse,
    "detected": formats.parse,
}
SYNTAX = "{}~=#:%\\->.[]/$\n\t ,;|\"'`*_()ABTFQ0123456789ab?"


def only_our_error(parse, data) -> None:
    """Any other exception escapes and fails the test; ours must explain itself."""
    try:
        result = parse(data)
    except ImportFormatError as error:
        problems = error.problems
        assert problems
    else:
        assert isinstance(result, ParsedSet)
        problems = result.problems
    assert all(problem.line >= 1 and problem.column >= 1 for problem in problems)


@pytest.mark.parametrize("name", PARSERS)
@FAST
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_raise_nothing_but_the_import_error(name, data):
    only_our_error(PARSERS[name], data)


@pytest.mark.parametrize("name", PARSERS)
@FAST
@given(text=st.text(alphabet=SYNTAX, max_size=300) | st.text(max_size=200))
def test_arbitrary_text_raises_nothing_but_the_import_error(name, text):
    only_our_error(PARSERS[name], text)


@FAST
@given(
    member=st.sampled_from(["collection.anki2", "collection.anki21", "media"]),
    payload=st.binary(max_size=300),
)
def test_zips_with_junk_collections_raise_nothing_but_the_import_error(member, payload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, payload)
    only_our_error(apkg.parse, buffer.getvalue())


# --- generated valid sets ------------------------------------------------------------------

# Text GIFT and CSV can hold: no control characters, trimmed (both formats trim), and free of
# the few sequences GIFT gives meaning to without an escape ("->", a leading "%", "_____").
ALPHABET = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff")
text = (
    st.text(alphabet=ALPHABET, min_size=1, max_size=25)
    .map(str.strip)
    .filter(lambda s: s and "->" not in s and "___" not in s and not s.startswith("%"))
)
multiline = st.lists(text, min_size=1, max_size=3).map("\n".join)
optional = st.one_of(st.just(""), text)
tag = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
tags = st.lists(tag, max_size=3, unique=True)
weight = st.integers(-10000, 10000).map(lambda cents: Decimal(cents) / 100)
positive = st.integers(1, 10000).map(lambda cents: Decimal(cents) / 100)
not_positive = st.integers(-10000, 0).map(lambda cents: Decimal(cents) / 100)
number = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def multiple_choice(draw):
    several = draw(st.booleans())
    choices = []
    if several:
        for _ in range(draw(st.integers(2, 5))):
            w = draw(weight)
            choices.append(ParsedChoice(draw(text), w > 0, w, draw(optional)))
        assume(any(c.is_correct for c in choices) and not all(c.is_correct for c in choices))
    else:
        choices.append(ParsedChoice(draw(text), True, draw(st.none() | positive), draw(optional)))
        for _ in range(draw(st.integers(1, 4))):
            choices.append(
                ParsedChoice(draw(text), False, draw(st.none() | not_positive), draw(optional))
            )
        choices = draw(st.permutations(choices))
    return ParsedQuestion("multiple_choice", "", choices=list(choices), allow_multiple=several)


@st.composite
def true_false(draw):
    return ParsedQuestion(
        "true_false",
        "",
        correct_boolean=draw(st.booleans()),
        true_feedback=draw(optional),
        false_feedback=draw(optional),
    )


@st.composite
def short_answer(draw):
    choices = [
        ParsedChoice(draw(text), True, draw(st.none() | positive), draw(optional))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return ParsedQuestion("short_answer", "", choices=choices)


@st.composite
def matching(draw):
    choices = [
        ParsedChoice(draw(text), True, None, "", draw(text)) for _ in range(draw(st.integers(2, 4)))
    ]
    return ParsedQuestion("matching", "", choices=choices)


@st.composite
def numerical(draw):
    answers = []
    for _ in range(draw(st.integers(1, 3))):
        w = draw(st.integers(0, 100).map(Decimal))
        if draw(st.booleans()):
            low, high = sorted([draw(number), draw(number)])
            answers.append(ParsedNumericalAnswer(None, 0.0, low, high, w, draw(optional)))
        else:
            tolerance = abs(draw(number))
            answers.append(
                ParsedNumericalAnswer(draw(number), tolerance, None, None, w, draw(optional))
            )
    if draw(st.booleans()):  # "any other number", wherever it stands
        at = draw(st.integers(0, len(answers)))
        answers.insert(at, ParsedNumericalAnswer(None, 0.0, None, None, Decimal(0), draw(text)))
    return ParsedQuestion("numerical", "", numerical_answers=answers)


@st.composite
def gift_question(draw):
    kind = draw(st.sampled_from(["mc", "tf", "sa", "match", "num", "essay", "description"]))
    if kind == "essay":
        question = ParsedQuestion("free_text", "", answer=draw(optional))
    elif kind == "description":
        question = ParsedQuestion("description", "")
    else:
        factory = {
            "mc": multiple_choice,
            "tf": true_false,
            "sa": short_answer,
            "match": matching,
            "num": numerical,
        }[kind]
        question = draw(factory())
    question.prompt = draw(multiline)
    question.title = draw(optional)
    question.tags = draw(tags)
    if question.kind not in ("description", "free_text"):
        question.general_feedback = draw(optional)
    return question


GIFT_FIELDS = (
    "kind",
    "title",
    "prompt",
    "answer",  # an essay's (its general feedback in GIFT)
    "general_feedback",
    "allow_multiple",
    "correct_boolean",
    "true_feedback",
    "false_feedback",
    "tags",
)


def gift_view(question: ParsedQuestion) -> dict:
    view = {name: getattr(question, name) for name in GIFT_FIELDS}
    view["choices"] = [
        (c.text, c.is_correct, c.weight, c.feedback, c.match_text) for c in question.choices
    ]
    # GIFT writes "any other number" last; it means the same wherever it stands.
    answers = sorted(
        question.numerical_answers,
        key=lambda a: a.value is None and a.minimum is None and a.maximum is None,
    )
    view["numerical"] = [
        (a.value, a.tolerance, a.minimum, a.maximum, a.weight, a.feedback) for a in answers
    ]
    return view


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions=st.lists(gift_question(), min_size=1, max_size=6))
def test_generated_sets_survive_gift_export_and_import(questions):
    exported = gift_writer.export(ParsedSet(questions=questions))
    assert exported.problems == []
    parsed = gift.parse(exported.content)
    assert parsed.errors == []
    assert [gift_view(q) for q in parsed.questions] == [gift_view(q) for q in questions]


@st.composite
def card(draw):
    if draw(st.booleans()):
        hidden = draw(text).replace("}", ")")
        prompt = draw(text) + " {{c1::" + hidden + "}}"
        return ParsedQuestion("cloze", prompt, answer=draw(optional), tags=draw(tags))
    prompt = draw(multiline)
    assume("{{c" not in prompt)
    return ParsedQuestion(
        "flashcard",
        prompt,
        answer=draw(multiline),
        tags=draw(tags),
        has_reverse=draw(st.booleans()),
    )


@pytest.mark.parametrize("separator", ["\t", ","])
@FAST
@given(questions=st.lists(card(), min_size=1, max_size=6))
def test_generated_cards_survive_csv_and_tsv_export_and_import(separator, questions):
    exported = delimited_writer.export(ParsedSet(questions=questions), separator=separator)
    parsed = formats.parse(exported.content)
    assert parsed.errors == []

    def view(q):
        return (q.kind, q.prompt, q.answer, q.tags, q.has_reverse)

    assert [view(q) for q in parsed.questions] == [view(q) for q in questions]


@st.composite
def aiken_question(draw):
    options = draw(st.lists(text.filter(lambda s: "\n" not in s), min_size=2, max_size=6))
    right = draw(st.integers(0, len(options) - 1))
    prompt = draw(text).replace("\n", " ")
    assume(not aiken.OPTION.match(prompt) and not aiken.ANSWER.match(prompt))
    return ParsedQuestion(
        "multiple_choice",
        prompt,
        choices=[ParsedChoice(option, index == right) for index, option in enumerate(options)],
    )


@FAST
@given(questions=st.lists(aiken_question(), min_size=1, max_size=5))
def test_generated_single_answer_questions_survive_aiken_export_and_import(questions):
    parsed = aiken.parse(aiken.export(ParsedSet(questions=questions)).content)
    assert parsed.errors == []
    assert [(q.prompt, [(c.text, c.is_correct) for c in q.choices]) for q in parsed.questions] == [
        (q.prompt, [(c.text, c.is_correct) for c in q.choices]) for q in questions
    ]


any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
cents = st.integers(-10000, 10000).map(lambda c: Decimal(c) / 100)


@st.composite
def any_question(draw):
    question = ParsedQuestion(
        kind=draw(st.sampled_from(Question.Kind.values)),
        prompt=draw(any_text),
        title=draw(any_text),
        answer=draw(any_text),
        general_feedback=draw(any_text),
        points=draw(st.integers(0, 9999999).map(lambda c: Decimal(c) / 100)),
        tags=draw(st.lists(any_text, max_size=3)),
        has_reverse=draw(st.booleans()),
        allow_multiple=draw(st.booleans()),
        correct_boolean=draw(st.none() | st.booleans()),
        case_sensitive=draw(st.booleans()),
        normalize_whitespace=draw(st.booleans()),
        ignore_accents=draw(st.booleans()),
        rubric=draw(
            st.lists(
                st.fixed_dictionaries({"criterion": any_text, "points": st.integers(0, 5)}),
                max_size=2,
            )
        ),
        version=draw(st.integers(1, 1000)),
        position=draw(st.none() | st.integers(0, 10000)),
    )
    question.choices = [
        ParsedChoice(
            draw(any_text),
            draw(st.booleans()),
            draw(st.none() | cents),
            draw(any_text),
            draw(any_text),
            draw(st.none() | st.integers(0, 99)),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    question.numerical_answers = [
        ParsedNumericalAnswer(
            draw(st.none() | number),
            draw(number),
            draw(st.none() | number),
            draw(st.none() | number),
            draw(cents),
            draw(any_text),
            draw(st.none() | st.integers(0, 99)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return question


@FAST
@given(
    questions=st.lists(any_question(), max_size=4),
    title=any_text,
    description=any_text,
    set_tags=st.lists(any_text, max_size=3),
)
def test_generated_sets_survive_json_export_and_import_exactly(
    questions, title, description, set_tags
):
    original = ParsedSet(
        title=title, description=description, language="da", tags=set_tags, questions=questions
    )
    parsed = json_format.parse(json_format.export(original).content)
    assert parsed.errors == []
    assert (parsed.title, parsed.description, parsed.language, parsed.tags) == (
        title,
        description,
        "da",
        set_tags,
    )
    assert [json_format.question_to_dict(q) for q in parsed.questions] == [
        json_format.question_to_dict(q) for q in questions
    ]


@FAST
@given(questions=st.lists(any_question(), min_size=1, max_size=4))
def test_the_content_rules_report_anything_a_file_holds_as_problems_never_raise(questions):
    from flashcards.services.import_preview import preview_import

    data = json_format.export(ParsedSet(questions=questions)).content
    parsed = preview_import(data=data, fmt="json")
    assert len(parsed.questions) == len(questions)
    assert all(p.line >= 1 and p.column >= 1 and p.message for p in parsed.problems)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions=st.lists(card(), min_size=1, max_size=4))
def test_generated_cards_survive_apkg_export_and_import(questions):
    parsed = apkg.parse(apkg_writer.export(ParsedSet(title="Deck", questions=questions)).content)
    assert parsed.errors == []
    assert [(q.kind, q.has_reverse, q.tags) for q in parsed.questions] == [
        (q.kind, q.has_reverse, q.tags) for q in questions
    ]
