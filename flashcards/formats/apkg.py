"""Anki packages (.apkg): a zip holding a SQLite collection, a media map and the media files.

Every package layout current and older Anki writes is read, as Anki itself decides it
(`rslib/src/import_export/package/meta.rs`): the `meta` member (protobuf PackageMetadata)
says the version; without it the package is legacy.

* version 3 (Anki 2.1.50+ default): `collection.anki21b`, a zstd-compressed schema-18
  collection; the `media` map is a zstd-compressed protobuf `MediaEntries`; each media file is
  zstd-compressed and named by its index in the map;
* version 2 ("Support older Anki versions", genanki): `collection.anki21`, schema 11, a JSON
  `media` map {"0": "name.png"}; version 1: `collection.anki2`, the same.

Why `zstandard` and not Anki's own library: `anki` is a 10 MB wheel with a Rust backend that
opens a whole collection (locks, media folders, a background thread) and pulls in its GUI's
dependencies; all an import needs is to inflate two members and read SQLite tables, which
`zstandard` (a small binding of the reference C library, maintained since 2016) does with a
streaming decoder that lets us cap the inflated size.  `anki` stays a development dependency:
the tests make their packages with it.  The small protobuf messages are decoded by the protobuf
runtime (see `anki_proto`).

Basic, Basic (and reversed card), Basic (optional reversed card) and Cloze note types are
mapped onto flashcards and cloze questions (cloze types are recognised by their kind, not by
name); other note types become flashcards (first field front, the rest back) with a warning.
HTML fields are sanitised and converted to Markdown.  Images the notes show are imported:
their names sanitised, their type read from the bytes with Pillow (PNG, JPEG, GIF, WebP), each
at most MAX_IMAGE_BYTES; the service stores them with the questions.  Sounds and anything else
are reported, per note, and left out (`flashcards.formats.apkg_media`).  The writer is
`flashcards.formats.apkg_writer`.

Problem positions for packages: `line` is the note's number in the package (1-based) and
`column` the field's number.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile

import zstandard
from django.utils.translation import gettext as _

from flashcards.formats import anki_proto
from flashcards.formats.apkg_media import (
    IMG_TAG,
    LATEST,
    LEGACY_1,
    LEGACY_2,
    MAX_COLLECTION_BYTES,
    Media,
    dropped,
)
from flashcards.formats.base import WARNING, ImportFormatError, ParsedQuestion, ParsedSet, Problem
from flashcards.formats.html import html_to_markdown
from flashcards.models import Question

Kind = Question.Kind

STUB_TEXT = "Please update to the latest Anki version"
CLOZE_MARK = re.compile(r"\{\{c\d+::")
COLLECTIONS = {
    LEGACY_1: "collection.anki2",
    LEGACY_2: "collection.anki21",
    LATEST: "collection.anki21b",
}


def _refuse(message: str) -> ImportFormatError:
    return ImportFormatError([Problem(1, 1, message)])


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise _refuse(_("This is not an Anki package: an .apkg file is a zip archive."))
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse(
            _("The Anki package is not a readable zip archive (%(error)s).") % {"error": error}
        ) from None


def _version(archive: zipfile.ZipFile) -> int:
    names = set(archive.namelist())
    if "meta" in names:
        try:
            version = anki_proto.package_version(archive.read("meta"))
        except (anki_proto.DecodeError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
            raise _refuse(_("The package's 'meta' member cannot be read.")) from None
        if version not in COLLECTIONS:
            raise _refuse(
                _(
                    "This package was written by a newer Anki (package version "
                    "%(version)s) than this site reads. Export it again with 'Support "
                    "older Anki versions' ticked."
                )
                % {"version": version}
            )
        if COLLECTIONS[version] not in names:
            raise _refuse(
                _("The package has no %(member)s, which its 'meta' names.")
                % {"member": COLLECTIONS[version]}
            )
        return version
    if "collection.anki21" in names:
        return LEGACY_2
    if "collection.anki2" in names:
        return LEGACY_1
    if "collection.anki21b" in names:
        return LATEST
    raise _refuse(
        _("The zip archive holds no Anki collection (collection.anki2 / .anki21 / .anki21b).")
    )


def parse(data: bytes | str) -> ParsedSet:
    if isinstance(data, str):
        raise _refuse(_("An Anki package is binary; upload the .apkg file itself."))
    archive = _open_zip(data)
    version = _version(archive)
    member = COLLECTIONS[version]
    if archive.getinfo(member).file_size > MAX_COLLECTION_BYTES:
        raise _refuse(_("The Anki collection inside the package is too large."))
    result = ParsedSet(format="apkg")
    handle, path = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                _copy_limited(archive, member, out, zstd=version == LATEST)
            except ImportFormatError:
                raise
            except (
                zipfile.BadZipFile,
                zstandard.ZstdError,
                OSError,
                RuntimeError,
                ValueError,
                EOFError,
            ) as error:
                raise _refuse(
                    _("The collection cannot be extracted (%(error)s).") % {"error": error}
                ) from None
        notes = _read_collection(path, result)
    finally:
        os.unlink(path)
    Media(archive, version, result).attach(notes)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, _("The package holds no notes.")))
    return result


def _copy_limited(archive: zipfile.ZipFile, member: str, out, *, zstd: bool = False) -> None:
    """Stream a member to disk, refusing it once it grows past the limit (zip bombs lie about
    their sizes in the directory, and a zstd frame need not declare its size at all)."""
    written = 0
    with archive.open(member) as source:
        reader = zstandard.ZstdDecompressor().stream_reader(source) if zstd else source
        while chunk := reader.read(1 << 20):
            written += len(chunk)
            if written > MAX_COLLECTION_BYTES:
                raise _refuse(_("The Anki collection inside the package is too large."))
            out.write(chunk)


def _read_collection(path: str, result: ParsedSet) -> list[tuple[ParsedQuestion, list[str]]]:
    """Fill `result` from the collection; return each question with the raw HTML of its
    fields' image tags and sounds still to resolve (see `Media`)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:  # pragma: no cover - sqlite opens any file lazily
        raise _refuse(
            _("The collection is not a SQLite database (%(error)s).") % {"error": error}
        ) from None
    try:
        notetypes = _notetypes(connection)
        decks = _deck_names(connection)
        rows = connection.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id").fetchall()
        deck_counts: dict[int, int] = {}
        for (deck_id,) in connection.execute("SELECT did FROM cards"):
            deck_counts[deck_id] = deck_counts.get(deck_id, 0) + 1
    except sqlite3.Error as error:
        raise _refuse(
            _("The package's collection cannot be read (%(error)s).") % {"error": error}
        ) from None
    finally:
        connection.close()
    if len(rows) == 1 and STUB_TEXT in (rows[0][3] or ""):
        raise _refuse(
            _(
                "This package was written by a newer Anki for newer Anki only. Export "
                "it again with 'Support older Anki versions' ticked."
            )
        )
    if deck_counts:
        main = max(deck_counts, key=deck_counts.get)
        result.title = decks.get(main, "").replace("\x1f", " / ").replace("::", " / ")
    warned: set[str] = set()
    notes = []
    for number, (_note_id, notetype_id, tags, fields_raw) in enumerate(rows, start=1):
        notetype = notetypes.get(
            notetype_id, {"name": "", "cloze": False, "fields": [], "templates": 1}
        )
        fields = (fields_raw or "").split("\x1f")
        question = _note(number, notetype, fields, result, warned)
        if question is None:
            continue
        question.tags = [tag for tag in (tags or "").split() if tag]
        result.questions.append(question)
        notes.append((question, fields))
    return notes


def _notetypes(connection: sqlite3.Connection) -> dict[int, dict]:
    (models_json,) = connection.execute("SELECT models FROM col").fetchone()
    notetypes: dict[int, dict] = {}
    try:
        models = json.loads(models_json or "{}")
    except ValueError:
        models = {}
    for key, model in (models or {}).items():
        try:
            notetypes[int(key)] = {
                "name": str(model.get("name", "")),
                "cloze": model.get("type") == 1,
                "fields": [str(field.get("name", "")) for field in model.get("flds", [])],
                "templates": len(model.get("tmpls", [])),
            }
        except (AttributeError, TypeError, ValueError):
            continue
    if notetypes:
        return notetypes
    # Schema 18 keeps note types in tables; whether one is a cloze type is field 1 of the
    # protobuf blob in `config`.
    with contextlib.suppress(sqlite3.Error):
        for notetype_id, name, config in connection.execute(
            "SELECT id, name, config FROM notetypes"
        ):
            field_names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM fields WHERE ntid = ? ORDER BY ord", (notetype_id,)
                )
            ]
            templates = connection.execute(
                "SELECT count(*) FROM templates WHERE ntid = ?", (notetype_id,)
            ).fetchone()[0]
            notetypes[notetype_id] = {
                "name": name,
                "cloze": anki_proto.notetype_kind(config) == anki_proto.KIND_CLOZE,
                "fields": field_names,
                "templates": templates,
            }
    return notetypes


def _deck_names(connection: sqlite3.Connection) -> dict[int, str]:
    names: dict[int, str] = {}
    try:
        (decks_json,) = connection.execute("SELECT decks FROM col").fetchone()
        for key, deck in (json.loads(decks_json or "{}") or {}).items():
            names[int(key)] = str(deck.get("name", ""))
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        pass
    if not names:
        with contextlib.suppress(sqlite3.Error):
            names = dict(connection.execute("SELECT id, name FROM decks").fetchall())
    return names


def _note(number, notetype: dict, fields: list[str], result: ParsedSet, warned: set):
    name = notetype["name"]
    lowered = name.lower().removesuffix(" (genanki)")
    if "image occlusion" in lowered:
        result.problems.append(
            dropped(number, _("Image Occlusion notes are not supported; this note was left out."))
        )
        return None
    texts = [html_to_markdown(field)[0] for field in fields]
    front = texts[0] if texts else ""
    if notetype["cloze"] or (not notetype["fields"] and CLOZE_MARK.search(front)):
        if not CLOZE_MARK.search(front):
            result.problems.append(
                Problem(number, 1, _("This cloze note has no {{c1::...}} deletion."))
            )
            return None
        extra = "\n\n".join(text for text in texts[1:] if text)
        return ParsedQuestion(kind=Kind.CLOZE, prompt=front, answer=extra, line=number)
    if not front and not IMG_TAG.search(fields[0] if fields else ""):
        result.problems.append(Problem(number, 1, _("The note's first field is empty.")))
        return None
    has_reverse = False
    back_fields = texts[1:]
    field_names = [field.lower() for field in notetype["fields"]]
    if "add reverse" in field_names:
        index = field_names.index("add reverse")
        has_reverse = index < len(texts) and bool(texts[index].strip())
        back_fields = [text for i, text in enumerate(texts) if i not in (0, index)]
    elif notetype["templates"] >= 2 and len(texts) >= 2:
        has_reverse = True
    known = lowered in {
        "basic",
        "basic (and reversed card)",
        "basic (optional reversed card)",
        "basic (type in the answer)",
    } or lowered.startswith("quizsite")
    if not known and len([text for text in back_fields if text]) > 1 and name not in warned:
        warned.add(name)
        result.problems.append(
            Problem(
                number,
                1,
                _(
                    "Note type %(name)r: fields after the first were joined into the back "
                    "of the card."
                )
                % {"name": name},
                WARNING,
                code="fields-joined",
            )
        )
    back = "\n\n".join(text for text in back_fields if text)
    return ParsedQuestion(
        kind=Kind.FLASHCARD, prompt=front, answer=back, has_reverse=has_reverse, line=number
    )
