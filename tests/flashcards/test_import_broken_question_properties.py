"""N valid questions and one broken one, in GIFT and in Moodle XML: the import either keeps the
N with a warning at the broken one's line, or refuses with an error at that line; never N±k
questions silently, and never a problem blamed on a valid question."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.services.import_preview import preview_import

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=8)
words = st.lists(word, min_size=4, max_size=4)


def check(data: bytes, fmt: str, count: int, broken: range) -> None:
    """`broken` holds the lines of the broken question; problems may name any of them."""
    parsed = preview_import(data=data, fmt=fmt)
    assert len(parsed.questions) == count, parsed.problems
    at_broken = [p for p in parsed.problems if p.line in broken]
    assert at_broken, (broken, parsed.problems)
    assert all(p.line in broken for p in parsed.errors), parsed.problems
    if not parsed.errors:
        assert any(not p.is_error for p in at_broken)


# --- GIFT -------------------------------------------------------------------------------------

GIFT_VALID = [
    lambda a, b, c, d: f"::{a}::{b} {c}?{{={d} ~{a}x}}",
    lambda a, b, c, d: f"{a} {b} is {c}.{{T#{d}#{a}}}",
    lambda a, b, c, d: f"{a} is {{={b} ={c}}} of {d}.",
    lambda a, b, c, d: f"{a} {b}?{{#3.5:0.5}}",
    lambda a, b, c, d: f"Explain {a} {b}.{{}}",
    lambda a, b, c, d: f"Match {a}.{{\n\t={b} -> {c}\n\t={d} -> {a}z\n}}",
    lambda a, b, c, d: f"// [tag:{a}]\n{b} {c} {d}?{{~%50%{a}1 ~%50%{b}2 ~%-50%{c}3}}",
]
GIFT_BROKEN = [
    lambda a, b: f"{a} {b}?{{={a} ~{b}",  # never closed
    lambda a, b: f"{a} {b}?{{~{a} ~{b}}}",  # no right answer
    lambda a, b: f"{a} {b}?{{#{a}}}",  # not a number
    lambda a, b: f"::{a} {b}?{{T}}",  # title not closed
    lambda a, b: f"{a} {{=x}} {b} {{=y}}",  # two answer blocks
]


@PROPERTY
@given(
    valid=st.lists(st.tuples(st.sampled_from(GIFT_VALID), words), min_size=1, max_size=8),
    broken=st.tuples(st.sampled_from(GIFT_BROKEN), words),
    at=st.integers(0, 8),
)
def test_gift_with_one_broken_question_names_its_line(valid, broken, at):
    blocks = [template(*args) for template, args in valid]
    at = min(at, len(blocks))
    blocks.insert(at, broken[0](*broken[1][:2]))
    text = "\n\n".join(blocks) + "\n"
    first = sum(block.count("\n") + 2 for block in blocks[:at]) + 1
    check(text.encode(), "gift", len(valid), range(first, first + blocks[at].count("\n") + 1))


# --- Moodle XML -------------------------------------------------------------------------------


def _question(kind: str, name: str, inner: str) -> str:
    return (
        f'<question type="{kind}">\n'
        f"<name><text>{name}</text></name>\n"
        f'<questiontext format="html"><text><![CDATA[<p>{name} ?</p>]]></text></questiontext>\n'
        f"{inner}\n</question>"
    )


def _answer(fraction, text: str, extra: str = "") -> str:
    return f'<answer fraction="{fraction}" format="html"><text>{text}</text>{extra}</answer>'


XML_VALID = [
    lambda a, b, c, d: _question("essay", a, "<graderinfo format='html'><text/></graderinfo>"),
    lambda a, b, c, d: _question("truefalse", b, _answer(100, "true") + "\n" + _answer(0, "false")),
    lambda a, b, c, d: _question(
        "multichoice", c, "<single>true</single>\n" + _answer(100, a) + "\n" + _answer(0, b + "x")
    ),
    lambda a, b, c, d: _question("shortanswer", d, _answer(100, a)),
    lambda a, b, c, d: _question("numerical", a, _answer(100, "2.5", "<tolerance>0.1</tolerance>")),
    lambda a, b, c, d: _question(
        "matching",
        b,
        f"<subquestion><text>{a}</text><answer><text>{c}</text></answer></subquestion>\n"
        f"<subquestion><text>{b}</text><answer><text>{d}</text></answer></subquestion>",
    ),
]
XML_BROKEN = [
    lambda a, b: _question("multichoice", a, _answer(0, a) + "\n" + _answer(0, b)),
    lambda a, b: _question("numerical", a, _answer(100, b)),  # b is a word, not a number
    lambda a, b: _question("truefalse", a, _answer(50, "true") + "\n" + _answer(0, "false")),
    lambda a, b: _question("ordering", a, ""),  # a type quizsite lacks: skipped, warned
    lambda a, b: _question("multichoice", a, _answer("lots", a) + "\n" + _answer(100, b)),
]


@PROPERTY
@given(
    valid=st.lists(st.tuples(st.sampled_from(XML_VALID), words), min_size=1, max_size=8),
    broken=st.tuples(st.sampled_from(XML_BROKEN), words),
    at=st.integers(0, 8),
)
def test_moodle_xml_with_one_broken_question_names_its_line(valid, broken, at):
    elements = [template(*args) for template, args in valid]
    at = min(at, len(elements))
    elements.insert(at, broken[0](*broken[1][:2]))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    text = head + "\n".join(elements) + "\n</quiz>\n"
    first = head.count("\n") + sum(element.count("\n") + 1 for element in elements[:at]) + 1
    lines = range(first, first + elements[at].count("\n") + 1)
    check(text.encode(), "moodlexml", len(valid), lines)
