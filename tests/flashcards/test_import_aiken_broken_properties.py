"""N valid Aiken questions and one broken one: the import keeps the N with a problem at the
broken one's lines, or refuses with an error there; never N±k questions silently."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.flashcards.test_import_broken_question_properties import PROPERTY, check, words


def valid(a: str, b: str, c: str, d: str) -> str:
    return f"{a} {b}?\nA. {c}\nB) {d}\nANSWER: B"


BROKEN = [
    lambda a, b: f"{a} {b}?\nA. {a}\nB. {b}\nANSWER: Z",  # the answer is not an option
    lambda a, b: f"{a} {b}?\nA. {a}\nANSWER: A",  # one option only
]


@PROPERTY
@given(
    questions=st.lists(words, min_size=1, max_size=8),
    broken=st.tuples(st.sampled_from(BROKEN), words),
    at=st.integers(0, 8),
)
def test_aiken_with_one_broken_question_names_its_line(questions, broken, at):
    blocks = [valid(*args) for args in questions]
    at = min(at, len(blocks))
    blocks.insert(at, broken[0](*broken[1][:2]))
    text = "\n\n".join(blocks) + "\n"
    first = sum(block.count("\n") + 2 for block in blocks[:at]) + 1
    check(text.encode(), "aiken", len(questions), range(first, first + blocks[at].count("\n") + 1))
