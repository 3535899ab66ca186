"""The corpus under tests/data/real_world/: files written the way Anki, Quizlet, spreadsheets and
students write them.  One test per file states what must come out of it.

The Anki packages are made by Anki's own library (`make_anki_packages.py` beside them
regenerates them); the notes and the delimited files were written for this corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flashcards import formats

CORPUS = Path(__file__).parents[1] / "data" / "real_world"


def parse(name: str, **options):
    return formats.parse((CORPUS / name).read_bytes(), filename=name, options=options)


def warnings_by_code(parsed) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for problem in parsed.warnings:
        found.setdefault(problem.code, []).append(problem.line)
    return found


@pytest.mark.parametrize("name", ["anki-modern-with-media.apkg", "anki-legacy-with-media.apkg"])
def test_an_anki_package_gives_six_notes_two_images_and_says_what_it_left_out(name):
    parsed = parse(name)
    assert parsed.format == "apkg"
    assert parsed.errors == []
    assert parsed.title == "Deep learning / Chapter 4"
    assert [(q.kind, q.has_reverse) for q in parsed.questions] == [
        ("flashcard", False),  # Basic
        ("flashcard", True),  # Basic (and reversed card)
        ("cloze", False),  # Cloze
        ("flashcard", True),  # the custom type: two templates
        ("flashcard", False),
        ("flashcard", False),
    ]
    basic, reversed_card, cloze, custom, with_sound, with_fake_image = parsed.questions
    assert basic.prompt == "Which activation is **zero** for negative inputs?"
    assert basic.answer == "ReLU  \n![](relu_curve.png)"
    assert basic.tags == ["activations", "chapter-4"]
    assert basic.media == ["relu_curve.png"]
    assert reversed_card.media == cloze.media == ["tanh-range.jpg"]
    assert cloze.prompt == "{{c1::Softmax}} turns logits into {{c2::probabilities}}"
    assert custom.answer == "one pass over the training data\n\n*we trained for 20 epochs*"
    assert with_sound.answer == "An overview"
    assert with_fake_image.answer == "A plot"
    assert {name: (m.content_type, m.original_name) for name, m in parsed.media.items()} == {
        "relu_curve.png": ("image/png", "relu curve.png"),
        "tanh-range.jpg": ("image/jpeg", "tanh-range.jpg"),
    }
    assert warnings_by_code(parsed) == {
        "fields-joined": [4],
        "media-skipped": [5, 6],
    }
    sound, fake = [p for p in parsed.warnings if p.code == "media-skipped"]
    assert "lecture-intro.mp3" in sound.message
    assert sound.dropped
    assert "not-an-image.png" in fake.message
    assert "not a PNG" in fake.message


def test_numbered_list_notes_in_english_give_nine_questions_and_flag_the_guesses():
    parsed = parse("notes-en-numbered-list.md")
    assert parsed.errors == []
    assert parsed.title == "Week 5 — optimisation notes"
    assert [q.line for q in parsed.questions] == [9, 12, 16, 22, 24, 26, 29, 31, 33]
    assert {q.kind for q in parsed.questions} == {"free_text"}
    by_line = {q.line: q for q in parsed.questions}
    assert by_line[12].answer.endswith("- too large: the loss bounces or diverges")
    assert by_line[16].answer.startswith("```python\nloss = ")
    assert "![loss curve](loss-curve.png)" in by_line[26].answer
    assert by_line[33].prompt.startswith("How many updates does one epoch")
    assert "10:15" not in " ".join(q.prompt for q in parsed.questions)
    assert warnings_by_code(parsed) == {
        "prose-skipped": [3, 36],  # the time-stamp sections and their prose
        "unsure-question": [22],  # "- 4. Mini-batches" asks nothing
        "numbering-gap": [24],  # 4 → 6
    }


def test_portuguese_heading_notes_give_five_questions_keeping_the_sub_heading_answer():
    parsed = parse("notas-pt-titulos.md")
    assert parsed.errors == []
    assert [(q.line, q.prompt) for q in parsed.questions] == [
        (7, "O que é uma função de ativação?"),
        (11, "Por que a ReLU é tão usada?"),
        (16, "O que acontece se a taxa de aprendizado for alta demais?"),
        (20, "O que é SGD?"),
        (34, "Como inicializar os pesos?"),
    ]
    sgd = parsed.questions[3]
    assert "### Exemplo" in sgd.answer
    assert "opt.step()" in sgd.answer
    assert warnings_by_code(parsed) == {"prose-skipped": [3]}


def test_danish_bold_line_notes_give_five_questions_and_leave_the_exam_note_out():
    parsed = parse("noter-da-fed-skrift.md")
    assert parsed.errors == []
    assert [q.prompt for q in parsed.questions] == [
        "Hvad er en epoke?",
        "Hvorfor deler vi data op i trænings- og valideringssæt?",
        "Forklar forskellen på batch og mini-batch.",
        "Hvad viser figuren?",
        "Hvordan vælger man læringsraten?",
    ]
    assert "kapitel 4" not in parsed.questions[2].answer
    assert parsed.questions[3].answer.startswith("![Tabskurve](tab.png)")
    assert warnings_by_code(parsed) == {"prose-skipped": [3, 15]}


def test_a_quizlet_tsv_with_stray_quotes_keeps_all_six_cards_and_their_quotes():
    parsed = parse("quizlet-terms-with-quotes.tsv")
    assert parsed.format == "tsv"
    assert parsed.errors == []
    assert [q.prompt for q in parsed.questions] == [
        "dropout",
        "epoch",
        '"attention" paper',
        "batch norm",
        "learning rate",
        "ReLU",
    ]
    assert parsed.questions[4].answer == 'the size of each step; 6" is not a learning rate'
    assert warnings_by_code(parsed) == {"quote-literal": [1]}


def test_a_windows_1252_spreadsheet_keeps_its_letters_and_its_quoted_separator():
    parsed = parse("spreadsheet-windows-1252.csv")
    assert parsed.format == "csv"
    assert parsed.errors == []
    assert [(q.prompt, q.answer) for q in parsed.questions] == [
        ("Overtilpasning", "modellen lærer støjen i træningsdata – ikke mønstret"),
        ("Læringsrate", "skridtlængden; typisk 0,01"),
        ("Aktiveringsfunktion", "f.eks. ReLU eller sigmoid – ikke-lineær"),
        ("Regularização", "penalidade nos pesos grandes (“weight decay”)"),
    ]
    (warning,) = parsed.warnings
    assert warning.code == "encoding"
    assert "Windows-1252" in warning.message
