"""Anki packages: reading what Anki itself writes, and writing packages Anki opens.

The packages are made by Anki's own Python library (the `anki` package) in a temporary
directory, so the tests read real Anki output rather than hand-made zips.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from flashcards.formats import apkg, apkg_media, apkg_writer, detect_format
from flashcards.formats.base import ImportFormatError, ParsedChoice, ParsedQuestion, ParsedSet

anki_collection = pytest.importorskip("anki.collection")


@pytest.fixture(scope="module")
def anki_packages(tmp_path_factory):
    """A small deck exported by Anki twice: legacy (collection.anki21) and current (.anki21b)."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    folder = tmp_path_factory.mktemp("anki")
    collection = Collection(str(folder / "source.anki2"))
    try:
        deck_id = collection.decks.id("Deep learning::Activations")
        notes = [
            (
                "Basic",
                {
                    "Front": "Which activation is <b>zero</b> for x &lt; 0?",
                    "Back": 'ReLU<br><img src="relu-plot.png">',
                },
                ["activations", "ch4"],
            ),
            ("Basic (and reversed card)", {"Front": "tanh range", "Back": "(-1, 1)"}, []),
            (
                "Cloze",
                {
                    "Text": "{{c1::Softmax}} turns logits into {{c2::probabilities}}",
                    "Back Extra": "Used in the last layer",
                },
                ["output"],
            ),
            (
                "Basic (optional reversed card)",
                {"Front": "GELU", "Back": "a smooth ReLU", "Add Reverse": "y"},
                [],
            ),
        ]
        for notetype, fields, tags in notes:
            note = collection.new_note(collection.models.by_name(notetype))
            for name, value in fields.items():
                note[name] = value
            note.tags = tags
            collection.add_note(note, deck_id)
        image = folder / "relu-plot.png"
        image.write_bytes(b"\x89PNG\r\n\x1a\nnot really an image")
        collection.media.add_file(str(image))
        packages = {}
        for legacy in (True, False):
            path = folder / f"deck-{'legacy' if legacy else 'current'}.apkg"
            collection.export_anki_package(
                out_path=str(path),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
                ),
                limit=DeckIdLimit(deck_id=deck_id),
            )
            packages["legacy" if legacy else "current"] = path.read_bytes()
    finally:
        collection.close()
    return packages


def test_it_reads_basic_reversed_optional_reversed_and_cloze_notes(anki_packages):
    parsed = apkg.parse(anki_packages["legacy"])
    assert parsed.errors == []
    assert parsed.title == "Deep learning / Activations"
    by_prompt = {q.prompt: q for q in parsed.questions}
    basic = by_prompt["Which activation is **zero** for x < 0?"]
    assert basic.kind == "flashcard"
    assert basic.answer.startswith("ReLU")
    assert basic.tags == ["activations", "ch4"]
    assert basic.has_reverse is False
    assert by_prompt["tanh range"].has_reverse is True
    assert by_prompt["GELU"].has_reverse is True
    assert by_prompt["GELU"].answer == "a smooth ReLU"
    cloze = by_prompt["{{c1::Softmax}} turns logits into {{c2::probabilities}}"]
    assert cloze.kind == "cloze"
    assert cloze.answer == "Used in the last layer"


def test_a_file_named_as_an_image_that_is_not_one_is_left_out_with_a_warning(anki_packages):
    parsed = apkg.parse(anki_packages["legacy"])
    (warning,) = [p for p in parsed.warnings if p.code == "media-skipped"]
    assert "relu-plot.png" in warning.message
    assert "not a PNG" in warning.message
    assert warning.dropped
    assert parsed.media == {}
    basic = parsed.questions[0]
    assert basic.answer == "ReLU"
    assert basic.media == []


@pytest.mark.parametrize("version", ["legacy", "current"])
def test_both_package_formats_read_the_same_notes(anki_packages, version):
    parsed = apkg.parse(anki_packages[version])
    assert parsed.errors == []
    assert [(q.kind, q.prompt, q.answer, q.has_reverse, q.tags) for q in parsed.questions] == [
        (q.kind, q.prompt, q.answer, q.has_reverse, q.tags)
        for q in apkg.parse(anki_packages["legacy"]).questions
    ]
    assert len(parsed.questions) == 4


def test_a_package_from_a_newer_anki_than_we_know_is_refused_with_instructions():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta", b"\x08\x07")  # PackageMetadata{version: 7}
        archive.writestr("collection.anki21b", b"")
    with pytest.raises(ImportFormatError, match="newer Anki"):
        apkg.parse(buffer.getvalue())


def test_a_zstd_collection_that_is_not_zstd_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta", b"\x08\x03")
        archive.writestr("collection.anki21b", b"not zstd at all" * 10)
    with pytest.raises(ImportFormatError, match="cannot be extracted"):
        apkg.parse(buffer.getvalue())


def test_a_zstd_bomb_is_refused_before_it_fills_the_disk(monkeypatch):
    import zstandard

    monkeypatch.setattr(apkg, "MAX_COLLECTION_BYTES", 1 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta", b"\x08\x03")
        archive.writestr("collection.anki21b", zstandard.compress(bytes(4 << 20)))
    with pytest.raises(ImportFormatError, match="too large"):
        apkg.parse(buffer.getvalue())


def test_media_names_are_made_safe_for_urls_and_disks():
    assert apkg_media.safe_media_name("../../etc/pass wd.PNG", ".png") == "pass_wd.png"
    assert apkg_media.safe_media_name("Über ç.jpeg", ".jpg") == "Uber_c.jpg"
    assert apkg_media.safe_media_name("...", ".gif") == "image.gif"


def test_packages_are_detected_from_their_content(anki_packages):
    assert detect_format(anki_packages["legacy"]) == "apkg"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"PK\x03\x04 not really a zip", "zip"),
        (b"just text", "not an Anki package"),
    ],
)
def test_broken_packages_are_refused(data, fragment):
    with pytest.raises(ImportFormatError, match=fragment):
        apkg.parse(data)


def test_a_zip_without_a_collection_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFormatError, match="no Anki collection"):
        apkg.parse(buffer.getvalue())


def test_a_collection_that_is_not_sqlite_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("collection.anki2", b"definitely not sqlite" * 100)
    with pytest.raises(ImportFormatError, match="cannot be read"):
        apkg.parse(buffer.getvalue())


def exported_set() -> ParsedSet:
    return ParsedSet(
        title="Optimisers",
        questions=[
            ParsedQuestion(
                kind="flashcard",
                prompt="What does SGD stand for?",
                answer="Stochastic gradient descent",
                tags=["optim", "two words"],
            ),
            ParsedQuestion(
                kind="flashcard", prompt="Adam", answer="Adaptive moments", has_reverse=True
            ),
            ParsedQuestion(
                kind="cloze", prompt="{{c1::Momentum}} smooths updates", answer="Like a heavy ball"
            ),
            ParsedQuestion(
                kind="multiple_choice",
                prompt="Which optimiser adapts per-parameter rates?",
                choices=[
                    ParsedChoice("Adam", True),
                    ParsedChoice("Plain SGD", False, Decimal("-50")),
                ],
            ),
        ],
    )


def test_an_exported_package_opens_in_anki_with_its_notes_and_fields(tmp_path):
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    result = apkg_writer.export(exported_set())
    package = tmp_path / "export.apkg"
    package.write_bytes(result.content)
    collection = Collection(str(tmp_path / "target.anki2"))
    try:
        collection.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        assert collection.note_count() == 4
        notes = [collection.get_note(note_id) for note_id in collection.find_notes("")]
        fields: dict[str, list] = {}
        for note in notes:
            # genanki names its stock note types "Basic (genanki)" and so on.
            name = note.note_type()["name"].removesuffix(" (genanki)")
            fields.setdefault(name, []).append(list(note.fields))
        assert any("What does SGD stand for?" in f[0] for f in fields["Basic"])
        assert any("Stochastic gradient descent" in f[1] for f in fields["Basic"])
        assert any("Adam" in f[0] for f in fields["Basic (and reversed card)"])
        assert "{{c1::Momentum}}" in fields["Cloze"][0][0]
        tags = {tag for note in notes for tag in note.tags}
        assert {"optim", "two_words"} <= tags
        assert collection.card_count() == 5  # the reversed note has two cards
        assert collection.decks.by_name("Optimisers") is not None
    finally:
        collection.close()
    reported = " ".join(p.message for p in result.problems)
    assert "multiple_choice" in reported
    assert "underscores" in reported


def test_our_own_package_reads_back(tmp_path):
    parsed = apkg.parse(apkg_writer.export(exported_set()).content)
    assert [(q.kind, q.prompt, q.has_reverse) for q in parsed.questions][:3] == [
        ("flashcard", "What does SGD stand for?", False),
        ("flashcard", "Adam", True),
        ("cloze", "{{c1::Momentum}} smooths updates", False),
    ]
    assert parsed.questions[0].tags == ["optim", "two_words"]


def test_a_collection_that_expands_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(apkg, "MAX_COLLECTION_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\0" * 50_000)
    assert len(buffer.getvalue()) < 10_000  # small upload, large content: a zip bomb in miniature
    with pytest.raises(ImportFormatError, match="too large"):
        apkg.parse(buffer.getvalue())


def test_an_image_over_the_size_limit_is_left_out_with_a_warning_naming_its_note(monkeypatch):
    from pathlib import Path

    package = Path(__file__).parents[1] / "data" / "real_world" / "anki-modern-with-media.apkg"
    monkeypatch.setattr(apkg_media, "MAX_IMAGE_BYTES", 100)  # the JPEG has 633 bytes, the PNG 77
    parsed = apkg.parse(package.read_bytes())
    assert list(parsed.media) == ["relu_curve.png"]
    too_large = [p for p in parsed.warnings if "larger than" in p.message]
    assert [p.line for p in too_large] == [2, 3]  # each note that used it
    assert all("tanh-range.jpg" in p.message for p in too_large)
    assert "tanh-range.jpg" not in parsed.questions[1].answer
    assert "tanh-range.jpg" not in parsed.questions[2].answer
