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
are reported, per note, and left out.

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
import unicodedata
import zipfile

import zstandard

from flashcards.formats import anki_proto, base
from flashcards.formats.base import (
    WARNING,
    ExportResult,
    ImportFormatError,
    ParsedMedia,
    ParsedQuestion,
    ParsedSet,
    Problem,
    card_back,
    card_front,
)
from flashcards.formats.html import html_to_markdown

# A compressed upload may expand a lot; the collection is streamed to disk up to this size.
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_MEDIA_BYTES = 64 * 1024 * 1024
STUB_TEXT = "Please update to the latest Anki version"
CLOZE_MARK = re.compile(r"\{\{c\d+::")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SOUND = re.compile(r"\[sound:([^\]]+)\]")
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
LEGACY_1, LEGACY_2, LATEST = 1, 2, 3
COLLECTIONS = {
    LEGACY_1: "collection.anki2",
    LEGACY_2: "collection.anki21",
    LATEST: "collection.anki21b",
}


def _refuse(message: str) -> ImportFormatError:
    return ImportFormatError([Problem(1, 1, message)])


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise _refuse("This is not an Anki package: an .apkg file is a zip archive.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse(f"The Anki package is not a readable zip archive ({error}).") from None


def _version(archive: zipfile.ZipFile) -> int:
    names = set(archive.namelist())
    if "meta" in names:
        try:
            version = anki_proto.package_version(archive.read("meta"))
        except (anki_proto.DecodeError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
            raise _refuse("The package's 'meta' member cannot be read.") from None
        if version not in COLLECTIONS:
            raise _refuse(
                f"This package was written by a newer Anki (package version {version}) than "
                "this site reads. Export it again with 'Support older Anki versions' ticked."
            )
        if COLLECTIONS[version] not in names:
            raise _refuse(f"The package has no {COLLECTIONS[version]}, which its 'meta' names.")
        return version
    if "collection.anki21" in names:
        return LEGACY_2
    if "collection.anki2" in names:
        return LEGACY_1
    if "collection.anki21b" in names:
        return LATEST
    raise _refuse(
        "The zip archive holds no Anki collection (collection.anki2 / .anki21 / .anki21b)."
    )


def parse(data: bytes | str) -> ParsedSet:
    if isinstance(data, str):
        raise _refuse("An Anki package is binary; upload the .apkg file itself.")
    archive = _open_zip(data)
    version = _version(archive)
    member = COLLECTIONS[version]
    if archive.getinfo(member).file_size > MAX_COLLECTION_BYTES:
        raise _refuse("The Anki collection inside the package is too large.")
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
                raise _refuse(f"The collection cannot be extracted ({error}).") from None
        notes = _read_collection(path, result)
    finally:
        os.unlink(path)
    _Media(archive, version, result).attach(notes)
    if not result.questions and not result.errors:
        result.problems.append(Problem(1, 1, "The package holds no notes."))
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
                raise _refuse("The Anki collection inside the package is too large.")
            out.write(chunk)


def _read_collection(path: str, result: ParsedSet) -> list[tuple[ParsedQuestion, list[str]]]:
    """Fill `result` from the collection; return each question with the raw HTML of its
    fields' image tags and sounds still to resolve (see `_Media`)."""
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
        result.title = decks.get(main, "").replace("\x1f", " / ").replace("::", " / ")
    warned: set[str] = set()
    notes = []
    for number, (_, notetype_id, tags, fields_raw) in enumerate(rows, start=1):
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


def _dropped(number: int, message: str, code: str = "note-dropped") -> Problem:
    return Problem(number, 1, message, WARNING, code=code, dropped=True)


def _note(number, notetype: dict, fields: list[str], result: ParsedSet, warned: set):
    name = notetype["name"]
    lowered = name.lower().removesuffix(" (genanki)")
    if "image occlusion" in lowered:
        result.problems.append(
            _dropped(number, "Image Occlusion notes are not supported; this note was left out.")
        )
        return None
    texts = [html_to_markdown(field)[0] for field in fields]
    front = texts[0] if texts else ""
    if notetype["cloze"] or (not notetype["fields"] and CLOZE_MARK.search(front)):
        if not CLOZE_MARK.search(front):
            result.problems.append(
                Problem(number, 1, "This cloze note has no {{c1::...}} deletion.")
            )
            return None
        extra = "\n\n".join(text for text in texts[1:] if text)
        return ParsedQuestion(kind=base.CLOZE, prompt=front, answer=extra, line=number)
    if not front and not IMG_TAG.search(fields[0] if fields else ""):
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
                code="fields-joined",
            )
        )
    back = "\n\n".join(text for text in back_fields if text)
    return ParsedQuestion(
        kind=base.FLASHCARD, prompt=front, answer=back, has_reverse=has_reverse, line=number
    )


def safe_media_name(name: str, extension: str) -> str:
    """A file name safe in a URL and on any disk: ASCII letters, digits, '-', '_' and one
    extension that matches the content."""
    stem = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:80] or "image"
    return f"{stem}{extension}"


class _Media:
    """Resolves the notes' images against the package's media and reports the rest."""

    def __init__(self, archive: zipfile.ZipFile, version: int, result: ParsedSet):
        self.archive, self.version, self.result = archive, version, result
        self.by_name: dict[str, str] = {}  # media name → zip member
        self.loaded: dict[str, str | None] = {}  # media name → sanitised name, None if refused
        self.refused: dict[str, str] = {}  # media name → why
        self._current = ""
        self.total = 0
        self.used: set[str] = set()
        self._read_map()

    def _read_map(self) -> None:
        if "media" not in self.archive.namelist():
            return
        try:
            raw = self.archive.read("media")
            if self.version == LATEST:
                raw = _inflate(raw, MAX_COLLECTION_BYTES)
                mapping = anki_proto.media_entries(raw)
            else:
                mapping = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (
            anki_proto.DecodeError,
            zstandard.ZstdError,
            ValueError,
            UnicodeDecodeError,
            zipfile.BadZipFile,
            OSError,
            RuntimeError,
        ):
            self.result.problems.append(
                Problem(
                    1,
                    1,
                    "The package's media list cannot be read; its images were not imported.",
                    WARNING,
                    code="media-skipped",
                    dropped=True,
                )
            )
            return
        if isinstance(mapping, dict):
            self.by_name = {str(name): str(member) for member, name in mapping.items()}

    def attach(self, notes: list[tuple[ParsedQuestion, list[str]]]) -> None:
        for question, fields in notes:
            number = question.line
            html = "\x1f".join(fields)
            for sound in dict.fromkeys(SOUND.findall(html)):
                self.used.add(sound)
                self.result.problems.append(
                    _dropped(
                        number,
                        f"Note {number}: the sound {sound!r} was not imported "
                        "(audio is not supported).",
                        "media-skipped",
                    )
                )
            replacements = {}
            for tag in IMG_TAG.findall(html):
                match = IMG_SRC.search(tag)
                source = next((g for g in match.groups() if g), "") if match else ""
                if not source or re.match(r"^[a-z][a-z0-9+.-]*:", source, re.I):
                    continue  # a web image stays a link; nothing in the package to import
                self.used.add(source)
                stored = self._load(number, source)
                replacements[source] = stored
                if stored and stored not in question.media:
                    question.media.append(stored)
            if replacements:
                question.prompt = _relink(question.prompt, replacements)
                question.answer = _relink(question.answer, replacements)
            # Sounds are left out of the text with the warning above, not kept as "[sound:…]".
            question.prompt = SOUND.sub("", question.prompt).strip()
            question.answer = SOUND.sub("", question.answer).strip()
            if not question.prompt:
                self.result.questions.remove(question)
                self.result.problems.append(
                    _dropped(
                        number,
                        f"Note {number} has nothing but sound on its front; it was left out.",
                    )
                )
        unused = [name for name in self.by_name if name not in self.used]
        if unused:
            shown = ", ".join(unused[:10]) + (
                f" and {len(unused) - 10} more" if len(unused) > 10 else ""
            )
            self.result.problems.append(
                Problem(
                    1,
                    1,
                    f"{len(unused)} media file(s) in the package are used by no note and "
                    f"were not imported: {shown}.",
                    WARNING,
                    code="media-unused",
                    dropped=True,
                )
            )

    def _load(self, number: int, source: str) -> str | None:
        from urllib.parse import unquote

        name = unquote(source)
        if name in self.loaded:
            if self.loaded[name] is None:  # refused for an earlier note: say so here too
                self._skip(number, self.refused.get(name, f"the image {name!r}"), again=True)
            return self.loaded[name]
        self.loaded[name] = None
        self._current = name
        member = self.by_name.get(name)
        if member is None:
            self._skip(number, f"the image {name!r} is not in the package")
            return None
        try:
            data = self._read_member(member)
        except _TooLarge:
            self._skip(number, f"the image {name!r} is larger than {MAX_IMAGE_BYTES // 2**20} MB")
            return None
        except (
            zipfile.BadZipFile,
            zstandard.ZstdError,
            OSError,
            RuntimeError,
            KeyError,
            ValueError,
        ):
            self._skip(number, f"the image {name!r} cannot be extracted")
            return None
        if self.total + len(data) > MAX_MEDIA_BYTES:
            self._skip(number, f"the package's images pass {MAX_MEDIA_BYTES // 2**20} MB; {name!r}")
            return None
        kind = image_kind(data)
        if kind is None:
            self._skip(number, f"{name!r} is not a PNG, JPEG, GIF or WebP image")
            return None
        stored = safe_media_name(name, EXTENSIONS[kind])
        taken = {media.name for media in self.result.media.values()}
        stem, extension = os.path.splitext(stored)
        counter = 2
        while stored in taken:
            stored, counter = f"{stem}-{counter}{extension}", counter + 1
        self.total += len(data)
        self.result.media[stored] = ParsedMedia(stored, data, IMAGE_TYPES[kind], name)
        self.loaded[name] = stored
        return stored

    def _read_member(self, member: str) -> bytes:
        with self.archive.open(member) as source:
            head = source.read(len(ZSTD_MAGIC))
            rest = source.read(MAX_IMAGE_BYTES + 1 - len(head))
            raw = head + rest
            if self.version == LATEST and head == ZSTD_MAGIC:
                remaining = source.read()
                return _inflate(raw + remaining, MAX_IMAGE_BYTES)
            if len(raw) > MAX_IMAGE_BYTES:
                raise _TooLarge
            return raw

    def _skip(self, number: int, what: str, *, again: bool = False) -> None:
        if not again:
            self.refused[self._current] = what
        self.result.problems.append(
            _dropped(number, f"Note {number}: {what}; it was left out.", "media-skipped")
        )


class _TooLarge(Exception):
    pass


def _inflate(data: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
    out = reader.read(limit + 1)
    if len(out) > limit:
        raise _TooLarge
    return out


def image_kind(data: bytes) -> str | None:
    """'PNG', 'JPEG', 'GIF' or 'WEBP' when Pillow reads the bytes as that image, else None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return kind if kind in IMAGE_TYPES else None


def _relink(markdown: str, replacements: dict[str, str | None]) -> str:
    """Point `![alt](source)` at the stored name, or drop an image that was left out (its
    alt text stays), so no note shows a broken image."""

    def replace(match: re.Match) -> str:
        alt, source = match.group(1), match.group(2)
        from urllib.parse import unquote

        for candidate in (source, unquote(source)):
            if candidate in replacements:
                stored = replacements[candidate]
                return f"![{alt}]({stored})" if stored else alt
        return match.group(0)

    return re.sub(r"!\[([^\]]*)\]\(([^)]*)\)", replace, markdown)


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
