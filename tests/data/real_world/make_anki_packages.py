"""Regenerate the Anki packages of this corpus with Anki's own library (the `anki` package).

    .venv/bin/python tests/data/real_world/make_anki_packages.py

Writes `anki-modern-with-media.apkg` (Anki's current default: collection.anki21b, zstd, a
protobuf media map, zstd media files) and `anki-legacy-with-media.apkg` ("Support older Anki
versions": collection.anki21, JSON media map) from one collection: a Basic note with a PNG,
a Basic (and reversed card) note with a JPEG used twice, a Cloze note, a note of a custom
note type with three fields and two card templates, a note with a sound, a note whose
"image" is text, and a media file no note uses (which Anki leaves out).  The files are
checked in, so the tests do not need `anki`; run this again after changing what the
packages hold (the test states what must come out).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent


def _image(fmt: str, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, fmt)
    return buffer.getvalue()


def main() -> None:
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        collection = Collection(str(folder / "corpus.anki2"))
        try:
            files = {
                "relu curve.png": _image("PNG", (200, 30, 30)),
                "tanh-range.jpg": _image("JPEG", (30, 30, 200)),
                "lecture-intro.mp3": b"ID3\x03\x00" + bytes(64),
                "not-an-image.png": b"this is a text file with an image's name\n",
                "unused-diagram.png": _image("PNG", (0, 120, 0)),
            }
            for name, data in files.items():
                (folder / name).write_bytes(data)
                collection.media.add_file(str(folder / name))
            custom = collection.models.new("Vocabulary (quizsite corpus)")
            for field_name in ("Term", "Meaning", "Example"):
                collection.models.add_field(custom, collection.models.new_field(field_name))
            for name, front, back in (
                ("Term to meaning", "{{Term}}", "{{Meaning}}<br>{{Example}}"),
                ("Meaning to term", "{{Meaning}}", "{{Term}}"),
            ):
                template = collection.models.new_template(name)
                template["qfmt"], template["afmt"] = front, back
                collection.models.add_template(custom, template)
            collection.models.add(custom)
            deck_id = collection.decks.id("Deep learning::Chapter 4")
            notes = [
                (
                    "Basic",
                    {
                        "Front": "Which activation is <b>zero</b> for negative inputs?",
                        "Back": 'ReLU<br><img src="relu curve.png">',
                    },
                    ["activations", "chapter-4"],
                ),
                (
                    "Basic (and reversed card)",
                    {"Front": "tanh output range", "Back": '(-1, 1) <img src="tanh-range.jpg">'},
                    ["activations"],
                ),
                (
                    "Cloze",
                    {
                        "Text": "{{c1::Softmax}} turns logits into {{c2::probabilities}}",
                        "Back Extra": 'Seen before in <img src="tanh-range.jpg">',
                    },
                    ["output"],
                ),
                (
                    "Vocabulary (quizsite corpus)",
                    {
                        "Term": "epoch",
                        "Meaning": "one pass over the training data",
                        "Example": "<i>we trained for 20 epochs</i>",
                    },
                    [],
                ),
                (
                    "Basic",
                    {
                        "Front": "What does the lecture start with?",
                        "Back": "An overview [sound:lecture-intro.mp3]",
                    },
                    [],
                ),
                (
                    "Basic",
                    {"Front": "Which plot is this?", "Back": 'A plot <img src="not-an-image.png">'},
                    [],
                ),
            ]
            for notetype, fields, tags in notes:
                note = collection.new_note(collection.models.by_name(notetype))
                for name, value in fields.items():
                    note[name] = value
                note.tags = tags
                collection.add_note(note, deck_id)
            for legacy, name in (
                (False, "anki-modern-with-media.apkg"),
                (True, "anki-legacy-with-media.apkg"),
            ):
                collection.export_anki_package(
                    out_path=str(HERE / name),
                    options=ExportAnkiPackageOptions(
                        with_scheduling=False,
                        with_deck_configs=False,
                        with_media=True,
                        legacy=legacy,
                    ),
                    limit=DeckIdLimit(deck_id=deck_id),
                )
                print(f"wrote {HERE / name}", file=sys.stderr)
        finally:
            collection.close()


if __name__ == "__main__":
    main()
