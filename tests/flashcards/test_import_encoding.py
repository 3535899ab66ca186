"""Bytes to text: the encodings users' files arrive in, and what is refused."""

from __future__ import annotations

import codecs

import pytest

from flashcards.formats import parse
from flashcards.formats.base import ImportFormatError
from flashcards.formats.encoding import decode_text

SAMPLE = "Q: Qual é a função de ativação mais usada?\nA: ReLU — også i Danmark\n"


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "crlf"],
)
def test_unicode_encodings_are_read_exactly(encoded):
    text, warnings = decode_text(encoded)
    assert text == SAMPLE
    assert warnings == []


def test_utf16_without_a_bom_is_recognised_and_reported():
    text, warnings = decode_text(SAMPLE.encode("utf-16-le"))
    assert text == SAMPLE
    assert "UTF-16" in warnings[0].message


def test_latin1_is_read_with_a_warning():
    latin = "Q: Qual é a função?\nA: ativação não linear\n"
    text, warnings = decode_text(latin.encode("latin-1"))
    assert text == latin
    assert "not UTF-8" in warnings[0].message
    parsed = parse(latin.encode("cp1252"))
    assert parsed.questions[0].prompt == "Qual é a função?"
    assert parsed.warnings


@pytest.mark.parametrize(
    "junk",
    [bytes(range(256)) * 4, b"\x00\x01\x02\x03" * 100, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64],
    ids=["all-bytes", "control", "png"],
)
def test_binary_junk_is_refused_clearly(junk):
    with pytest.raises(ImportFormatError, match="binary") as caught:
        parse(junk)
    assert caught.value.problems[0].line == 1


@pytest.mark.parametrize("empty", [b"", b"   \n\t\n", codecs.BOM_UTF8])
def test_empty_files_are_refused(empty):
    with pytest.raises(ImportFormatError, match="empty"):
        parse(empty)


def test_a_broken_utf8_file_with_a_bom_is_refused_not_guessed():
    with pytest.raises(ImportFormatError, match="byte-order mark"):
        decode_text(codecs.BOM_UTF8 + b"ok \xff\xfe broken")
