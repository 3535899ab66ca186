"""Turning uploaded bytes into text: UTF-8 (with or without BOM), UTF-16/32 with BOM, UTF-16
without BOM when its zero bytes give it away, and single-byte Western encodings (Latin-1 /
Windows-1252) as a reported fallback.  Anything that looks binary is refused, because decoding
junk as Latin-1 always "succeeds" and would import garbage.
"""

from __future__ import annotations

import codecs

from django.utils.translation import gettext as _

from flashcards.formats.base import WARNING, ImportFormatError, Problem

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte encodings we accept from charset-normalizer's guess; others (e.g. a Cyrillic code
# page guessed for a binary file) are more often wrong than right for this material.
WESTERN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "cp850", "mac_roman"}
CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for char in text if ord(char) in CONTROL)
    return bad / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_zeros = data[0::2].count(0) / (len(data) / 2)
    odd_zeros = data[1::2].count(0) / (len(data) / 2)
    encoding = None
    if odd_zeros > 0.3 and even_zeros < 0.05:
        encoding = "utf-16-le"
    elif even_zeros > 0.3 and odd_zeros < 0.05:
        encoding = "utf-16-be"
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _refuse(message: str) -> ImportFormatError:
    return ImportFormatError([Problem(1, 1, message)])


def decode_text(data: bytes | str) -> tuple[str, list[Problem]]:
    """Decode `data` to text, normalising newlines; return the text and any warnings.

    Raises ImportFormatError when the bytes are empty, binary or in an encoding we will not
    guess at.
    """
    warnings: list[Problem] = []
    if isinstance(data, str):
        text = data
    else:
        if not data.strip():
            raise _refuse(_("The file is empty."))
        text = None
        for bom, encoding in BOMS:
            if data.startswith(bom):
                try:
                    text = data[len(bom) :].decode(encoding)
                except UnicodeDecodeError as error:
                    raise _refuse(
                        _(
                            "The file starts with a %(encoding)s byte-order mark but is not valid "
                            "%(encoding)s (byte %(start)s)."
                        )
                        % {"encoding": encoding.upper(), "start": error.start + len(bom)}
                    ) from None
                break
        if text is None:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = _utf16_without_bom(data)
                if text is not None:
                    warnings.append(
                        Problem(
                            1,
                            1,
                            _("The file has no byte-order mark; it was read as UTF-16."),
                            WARNING,
                            code="encoding",
                        )
                    )
                else:
                    text = _decode_single_byte(data, warnings)
    if _control_ratio(text[:65536]) > 0.01 or "\x00" in text:
        raise _refuse(
            _(
                "The file looks binary, not text: it contains control characters. "
                "Upload a text file (GIFT, Aiken, CSV/TSV, Markdown, JSON) or an Anki "
                ".apkg."
            )
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise _refuse(_("The file is empty."))
    return text, warnings


def _decode_single_byte(data: bytes, warnings: list[Problem]) -> str:
    sample = data[:65536]
    if sum(1 for byte in sample if byte in CONTROL) / max(1, len(sample)) > 0.01:
        raise _refuse(
            _("The file looks binary, not text: it is not UTF-8 and contains control bytes.")
        )
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else None
    if encoding not in WESTERN:
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin_1"
        text = data.decode(encoding)
    label = {"cp1252": "Windows-1252 (Latin-1)", "latin_1": "Latin-1"}.get(encoding, encoding)
    warnings.append(
        Problem(
            1,
            1,
            _(
                "The file is not UTF-8; it was read as %(label)s. Check accented "
                "letters in the preview, or save the file as UTF-8."
            )
            % {"label": label},
            WARNING,
            code="encoding",
        )
    )
    return text
