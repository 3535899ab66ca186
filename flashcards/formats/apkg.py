"""Anki packages (.apkg): a zip holding a SQLite collection and a media map.

Import reads `collection.anki21` (or the older `collection.anki2`), the schema-11 layout that
Anki writes when "Support older Anki versions" is ticked and that genanki writes.  Packages
holding only `collection.anki21b` (zstd-compressed, Anki 2.1.50+ default) are refused with
instructions, as no zstd decoder ships with the project.  Basic, Basic (and reversed card),
Basic (optional reversed card) and Cloze note types are mapped onto flashcards and cloze
questions; other standard note types become flashcards (first field front, the rest back)
with a warning.  HTML fields are sanitised and converted to Markdown.  Media files are not
imported yet: they are listed in a warning and the notes keep links to them.

Problem positions for packages: `line` is the note's number in the package (1-based) and
`column` the field's number.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile

from flashcards.formats import base
from flashcards.formats.base import (
    WARNING,
    ExportResult,
    ImportFormatError,
    ParsedQuestion,
    ParsedSet,
    Problem,
    card_back,
    card_front,
)
from flashcards.formats.html import html_to_markdown

# A compressed upload may expand a lot; the collection is streamed to disk up to this size.
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
STUB_TEXT = "Please update to the latest Anki version"
CLOZE_MARK = re.compile(r"\{\{c\d+::")


def _refuse(message: str) -> ImportFormatError:
    return ImportFormatError([Problem(1, 1, message)])


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise _refuse("This is not an Anki package: an .apkg file is a zip archive.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse(f"The Anki package is not a readable zip archive ({error}).") from None


def _collection_member(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "collection.anki21" in names:
        return "collection.anki21"
    if "collection.anki21b" in names:
        raise _refuse(
            "This package uses Anki's newest compressed format (collection.anki21b), which "
            "cannot be read here yet. In Anki, export the deck again with 'Support older Anki "
            "versions' ticked."
        )
    if "collection.anki2" in names:
        return "collection.anki2"
    raise _refuse("The zip archive holds no Anki collection (collection.anki2 / .anki21).")


def parse(data: bytes | str) -> ParsedSet:
    if isinstance(data, str):
        raise _refuse("An Anki package is binary; upload the .apkg file itself.")
    archive = _open_zip(data)
    member = _collection_member(archive)
    info = archive.getinfo(member)
    if info.file_size > MAX_COLLECTION_BYTES:
        raise _refuse("The Anki collection inside the package is too large.")
    result = ParsedSet(format="apkg")
    handle, path = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                _copy_limited(archive, member, out)
            except ImportFormatError:
                raise
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as error:
                raise _refuse(f"The collection cannot be extracted ({error}).") from None
        media = _read_collection(path, result)
    finally:
        os.unlink(path)
    _report_media(archive, result, media)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, "The package holds no notes."))
    return result


def _copy_limited(archive: zipfile.ZipFile, member: str, out) -> None:
    """Stream a member to disk, refusing it once it grows past the limit (zip bombs lie about
    their sizes in the directory, so the declared size alone is not trusted)."""
    written = 0
    with archive.open(member) as source:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > MAX_COLLECTION_BYTES:
                raise _refuse("The Anki collection inside the package is too large.")
            out.write(chunk)


def _read_collection(path: str, result: ParsedSet) -> list[str]:
    """Fill `result` from the collection; return the media names the notes refer to."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:  # pragma: no cover - sqlite opens any file lazily
        raise _refuse(f"The collection is not a SQLite database ({error}).") from None
    try:
        notetypes = _notetypes(connection)
        decks = _deck_names(connection)
        rows = connection.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id").fetchall()
        deck_counts: dict[int, int] = {}
        for (deck_id,) in connection.execute("SELECT did FROM cards"):
            deck_counts[deck_id] = deck_counts.get(deck_id, 0) + 1
    except sqlite3.Error as error:
        raise _refuse(f"The package's collection cannot be read ({error}).") from None
    finally:
        connection.close()
    if len(rows) == 1 and STUB_TEXT in (rows[0][3] or ""):
        raise _refuse(
            "This package was written by a newer Anki for newer Anki only. Export it again "
            "with 'Support older Anki versions' ticked."
        )
    if deck_counts:
        main = max(deck_counts, key=deck_counts.get)
        result.title = decks.get(main, "").replace("::", " / ")
    warned: set[str] = set()
    media: list[str] = []
    for number, (_, notetype_id, tags, fields_raw) in enumerate(rows, start=1):
        notetype = notetypes.get(
            notetype_id, {"name": "", "cloze": False, "fields": [], "templates": 1}
        )
        fields = (fields_raw or "").split("\x1f")
        question = _note(number, notetype, fields, result, warned, media)
        if question is None:
            continue
        question.tags = [tag for tag in (tags or "").split() if tag]
        result.questions.append(question)
    return media


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
    # Schema 18 keeps note types in tables; the kind lives in a protobuf blob, so cloze is
    # recognised by name.
    with contextlib.suppress(sqlite3.Error):
        for notetype_id, name in connection.execute("SELECT id, name FROM notetypes"):
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
                "cloze": "cloze" in name.lower(),
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


def _note(number, notetype: dict, fields: list[str], result: ParsedSet, warned: set, media):
    name = notetype["name"]
    lowered = name.lower().removesuffix(" (genanki)")
    if "image occlusion" in lowered:
        result.problems.append(
            Problem(
                number,
                1,
                "Image Occlusion notes are not supported; this note was left out.",
                WARNING,
            )
        )
        return None
    texts = []
    for field in fields:
        text, referenced = html_to_markdown(field)
        texts.append(text)
        media.extend(referenced)
    front = texts[0] if texts else ""
    if notetype["cloze"] or (not notetype["fields"] and CLOZE_MARK.search(front)):
        if not CLOZE_MARK.search(front):
            result.problems.append(
                Problem(number, 1, "This cloze note has no {{c1::...}} deletion.")
            )
            return None
        extra = "\n\n".join(text for text in texts[1:] if text)
        return ParsedQuestion(kind=base.CLOZE, prompt=front, answer=extra, line=number)
    if not front:
        result.problems.append(Problem(number, 1, "The note's first field is empty."))
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
                f"Note type {name!r}: fields after the first were joined into "
                "the back of the card.",
                WARNING,
            )
        )
    back = "\n\n".join(text for text in back_fields if text)
    return ParsedQuestion(
        kind=base.FLASHCARD, prompt=front, answer=back, has_reverse=has_reverse, line=number
    )


def _report_media(archive: zipfile.ZipFile, result: ParsedSet, referenced: list[str]) -> None:
    names: list[str] = []
    try:
        raw = archive.read("media") if "media" in archive.namelist() else b""
        mapping = json.loads(raw.decode("utf-8")) if raw else {}
        if isinstance(mapping, dict):
            names = [str(value) for value in mapping.values()]
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError, RuntimeError):
        names = []
    every = list(dict.fromkeys([*names, *referenced]))
    if every:
        shown = ", ".join(every[:10]) + (f" and {len(every) - 10} more" if len(every) > 10 else "")
        result.problems.append(
            Problem(
                1,
                1,
                f"{len(every)} media file(s) were not imported (images and sounds are "
                f"not supported yet); the notes keep links to them: {shown}.",
                WARNING,
            )
        )


# --- export ----------------------------------------------------------------------------------


def _stable_id(text: str) -> int:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return (1 << 30) + int(digest[:8], 16) % (1 << 30)


def _html(markdown_source: str, *, cloze: bool = False) -> str:
    from flashcards.richtext import render_rich_text

    # Anki makes a cloze note's cards from its `{{cN::...}}` markers, so they stay markers.
    return render_rich_text(markdown_source, anki_cloze=cloze)


def export(parsed: ParsedSet, *, deck_name: str | None = None) -> ExportResult:
    """An .apkg that Anki opens; non-card kinds become Basic notes with their options listed."""
    import genanki

    name = deck_name or parsed.title or "quizsite"
    deck = genanki.Deck(_stable_id(f"quizsite-deck:{name}"), name)
    problems: list[Problem] = []
    for number, question in enumerate(parsed.questions, start=1):
        tags = []
        for tag in question.tags:
            if any(char.isspace() for char in tag):
                problems.append(
                    Problem(
                        number,
                        1,
                        f"Question {number}: Anki tags have no spaces; "
                        f"{tag!r} was written with underscores.",
                        WARNING,
                    )
                )
            tags.append("_".join(tag.split()))
        guid = genanki.guid_for(question.ref or f"{name}\x1f{question.kind}\x1f{question.prompt}")
        if question.kind == base.CLOZE:
            model, fields = genanki.CLOZE_MODEL, [question.prompt, question.answer]
        elif question.kind == base.FLASHCARD:
            model = (
                genanki.BASIC_AND_REVERSED_CARD_MODEL
                if question.has_reverse
                else genanki.BASIC_MODEL
            )
            fields = [question.prompt, question.answer]
        else:
            model = genanki.BASIC_MODEL
            fields = [card_front(question), card_back(question)]
            problems.append(
                Problem(
                    number,
                    1,
                    f"Question {number} ({question.kind}) was written as a "
                    "front/back card: Anki does not grade it.",
                    WARNING,
                )
            )
        note = genanki.Note(
            model=model,
            fields=[_html(field, cloze=question.kind == base.CLOZE) for field in fields],
            tags=tags,
            guid=guid,
        )
        deck.add_note(note)
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        genanki.Package(deck).write_to_file(path)
        with open(path, "rb") as package:
            content = package.read()
    finally:
        os.unlink(path)
    return ExportResult(content, problems, ".apkg", "application/apkg")
