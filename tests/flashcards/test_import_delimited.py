"""CSV/TSV front/back files as Anki and Quizlet write them."""

from __future__ import annotations

from flashcards.formats import delimited, delimited_writer, detect_format


def test_it_reads_a_quizlet_style_tab_separated_export():
    parsed = delimited.parse("epoch\tone pass over the training data\nbatch\ta group of samples\n")
    assert parsed.errors == []
    assert [(q.kind, q.prompt, q.answer) for q in parsed.questions] == [
        ("flashcard", "epoch", "one pass over the training data"),
        ("flashcard", "batch", "a group of samples"),
    ]


def test_it_detects_comma_and_semicolon_separators():
    comma = delimited.parse('sigmoid,"squashes input into (0, 1)"\nrelu,"max(0, x)"\n')
    assert [q.answer for q in comma.questions] == ["squashes input into (0, 1)", "max(0, x)"]
    semicolon = delimited.parse("loss;how wrong the model is\nmetric;what people care about\n")
    assert [q.prompt for q in semicolon.questions] == ["loss", "metric"]


def test_quoted_fields_may_hold_newlines_and_lines_are_counted_across_them():
    parsed = delimited.parse('"first\nfront",back one\nsecond,back two\nbroken-row\n')
    assert parsed.questions[0].prompt == "first\nfront"
    assert parsed.questions[1].line == 3
    (problem,) = parsed.errors
    assert problem.line == 4
    assert "one column" in problem.message


def test_anki_headers_choose_separator_html_tags_and_note_type():
    text = (
        "#separator:Pipe\n#html:true\n#notetype:Basic (and reversed card)\n#tags column:3\n"
        "What is <b>dropout</b>?|Zeroing random activations<br>while training|regularisation nn\n"
    )
    (question,) = delimited.parse(text).questions
    assert question.prompt == "What is **dropout**?"
    assert question.answer.startswith("Zeroing random activations")
    assert question.tags == ["regularisation", "nn"]
    assert question.has_reverse is True


def test_a_header_row_names_the_columns():
    parsed = delimited.parse("Back,Front,Tags\nthe answer,the question,t1\n")
    (question,) = parsed.questions
    assert (question.prompt, question.answer, question.tags) == (
        "the question",
        "the answer",
        ["t1"],
    )


def test_cloze_text_becomes_a_cloze_question():
    parsed = delimited.parse("{{c1::Backpropagation}} computes gradients\tchain rule\n")
    assert parsed.questions[0].kind == "cloze"


def test_html_media_is_reported_not_dropped():
    parsed = delimited.parse('#html:true\nfront <img src="plot.png">\tback\n')
    assert any("plot.png" in p.message for p in parsed.warnings)
    assert "plot.png" in parsed.questions[0].prompt


def test_an_empty_front_is_an_error_on_its_line():
    parsed = delimited.parse("good\tcard\n\tno front\n")
    assert [(p.line, "front" in p.message) for p in parsed.errors] == [(2, True)]


def test_export_writes_anki_headers_and_reads_back_every_field_it_carries():
    parsed = delimited.parse(
        "#separator:tab\n#html:false\n#notetype column:3\n#tags column:4\n"
        '"# starts with a hash"\tback, with comma\tBasic (and reversed card)\tt1 t2\n'
        "{{c1::Cloze}} text\textra\tCloze\t\n"
    )
    for separator in ("\t", ","):
        result = delimited_writer.export(parsed, separator=separator)
        again = delimited.parse(result.content)
        assert [(q.kind, q.prompt, q.answer, q.tags, q.has_reverse) for q in again.questions] == [
            (q.kind, q.prompt, q.answer, q.tags, q.has_reverse) for q in parsed.questions
        ]


def test_content_detection_tells_tsv_from_csv():
    assert detect_format("a\tb\nc\td\n") == "tsv"
    assert detect_format("#separator:comma\na,b\n") == "csv"
    assert detect_format('a,"b, c"\nd,e\n') == "csv"


def test_a_stray_quote_never_swallows_the_rows_after_it():
    parsed = delimited.parse('six feet\t6" tall\nepoch\tone pass\nbatch\ta "group\n')
    assert [(q.prompt, q.answer) for q in parsed.questions] == [
        ("six feet", '6" tall'),
        ("epoch", "one pass"),
        ("batch", 'a "group'),
    ]
    (warning,) = parsed.warnings
    assert (warning.line, warning.code) == (1, "quote-literal")


def test_an_unclosed_quote_at_a_field_start_is_text_too():
    parsed = delimited.parse('"attention\tall you need\nReLU\tmax(0, x)\n')
    assert [q.prompt for q in parsed.questions] == ['"attention', "ReLU"]
    assert [(p.line, p.code) for p in parsed.warnings] == [(1, "quote-literal")]


def test_a_quoted_field_that_spans_lines_is_reported_with_its_lines():
    parsed = delimited.parse('front,"back on\ntwo lines"\nnext,card\n')
    assert [q.answer for q in parsed.questions] == ["back on\ntwo lines", "card"]
    (warning,) = parsed.warnings
    assert (warning.line, warning.code) == (1, "row-merged")
    assert "Lines 1–2" in warning.message


def test_forcing_quoting_on_makes_a_broken_quote_an_error_at_its_line():
    import pytest

    from flashcards.formats.base import ImportFormatError

    with pytest.raises(ImportFormatError) as raised:
        delimited.parse('a\tb\nc\t"d\n', separator="\t", quoting="on")
    assert raised.value.problems[0].line == 2


def test_quoting_off_reads_csv_quotes_as_text():
    parsed = delimited.parse('"a",b\n', quoting="off", separator=",")
    assert parsed.questions[0].prompt == '"a"'


def test_quizlet_custom_term_and_row_separators():
    parsed = delimited.parse(
        "loss - how wrong$$metric - what we report - to people$$",
        separator=" - ",
        row_separator="$$",
    )
    assert [(q.prompt, q.answer) for q in parsed.questions] == [
        ("loss", "how wrong"),
        ("metric", "what we report - to people"),
    ]


def test_blank_line_separated_cards_may_have_definitions_over_several_lines():
    text = "epoch;one pass\nover the data\n\n\nbatch;a few samples\n"
    parsed = delimited.parse(text, separator="semicolon", row_separator="blank")
    assert [(q.line, q.prompt, q.answer) for q in parsed.questions] == [
        (1, "epoch", "one pass\nover the data"),
        (5, "batch", "a few samples"),
    ]


def test_a_ten_megabyte_file_of_junk_is_read_in_seconds():
    import random
    import string
    import time

    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " \t\n"
    junk = "".join(rng.choices(alphabet, k=10 * 1024 * 1024))
    started = time.process_time()
    parsed = delimited.parse(junk)
    assert time.process_time() - started < 30  # ~5 s here; the benchmark tracks the figure
    assert parsed.problems
