"""Anki packages, their media: the images the notes show, resolved against the package's
media map (each package version keeps it differently, see `flashcards.formats.apkg`), their
names sanitised and their type read from the bytes with Pillow (PNG, JPEG, GIF, WebP), each
at most MAX_IMAGE_BYTES and all together at most MAX_MEDIA_BYTES; sounds and anything else
are reported per note and left out.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
import zipfile

import zstandard
from django.utils.translation import gettext as _

from flashcards.formats import anki_proto
from flashcards.formats.base import WARNING, ParsedMedia, ParsedQuestion, ParsedSet, Problem

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_MEDIA_BYTES = 64 * 1024 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SOUND = re.compile(r"\[sound:([^\]]+)\]")
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
LEGACY_1, LEGACY_2, LATEST = 1, 2, 3
# A compressed upload may expand a lot; the collection is streamed to disk up to this size.
MAX_COLLECTION_BYTES = 256 * 1024 * 1024


def dropped(number: int, message: str, code: str = "note-dropped") -> Problem:
    return Problem(number, 1, message, WARNING, code=code, dropped=True)


def safe_media_name(name: str, extension: str) -> str:
    """A file name safe in a URL and on any disk: ASCII letters, digits, '-', '_' and one
    extension that matches the content."""
    stem = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:80] or "image"
    return f"{stem}{extension}"


class Media:
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
                    _("The package's media list cannot be read; its images were not imported."),
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
                    dropped(
                        number,
                        _(
                            "Note %(number)s: the sound %(sound)r was not imported (audio is not "
                            "supported)."
                        )
                        % {"number": number, "sound": sound},
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
                    dropped(
                        number,
                        _("Note %(number)s has nothing but sound on its front; it was left out.")
                        % {"number": number},
                    )
                )
        unused = [name for name in self.by_name if name not in self.used]
        if unused:
            shown = ", ".join(unused[:10]) + (
                _(" and %(count)s more") % {"count": len(unused) - 10} if len(unused) > 10 else ""
            )
            self.result.problems.append(
                Problem(
                    1,
                    1,
                    _(
                        "%(unused)s media file(s) in the package are used by no note and were "
                        "not imported: %(shown)s."
                    )
                    % {"unused": len(unused), "shown": shown},
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
                self._skip(
                    number,
                    self.refused.get(name, _("the image %(name)r") % {"name": name}),
                    again=True,
                )
            return self.loaded[name]
        self.loaded[name] = None
        self._current = name
        member = self.by_name.get(name)
        if member is None:
            self._skip(number, _("the image %(name)r is not in the package") % {"name": name})
            return None
        try:
            data = self._read_member(member)
        except _TooLarge:
            self._skip(
                number,
                _("the image %(name)r is larger than %(megabytes)s MB")
                % {"name": name, "megabytes": MAX_IMAGE_BYTES // 2**20},
            )
            return None
        except (
            zipfile.BadZipFile,
            zstandard.ZstdError,
            OSError,
            RuntimeError,
            KeyError,
            ValueError,
        ):
            self._skip(number, _("the image %(name)r cannot be extracted") % {"name": name})
            return None
        if self.total + len(data) > MAX_MEDIA_BYTES:
            self._skip(
                number,
                _("the package's images pass %(megabytes)s MB; %(name)r")
                % {"megabytes": MAX_MEDIA_BYTES // 2**20, "name": name},
            )
            return None
        kind = image_kind(data)
        if kind is None:
            self._skip(number, _("%(name)r is not a PNG, JPEG, GIF or WebP image") % {"name": name})
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
            dropped(
                number,
                _("Note %(number)s: %(what)s; it was left out.") % {"number": number, "what": what},
                "media-skipped",
            )
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
