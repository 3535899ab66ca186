"""The three small protobuf messages of current Anki packages, read with the protobuf runtime.

Anki 2.1.50+ writes `meta` (PackageMetadata), the `media` map (MediaEntries) and, inside the
schema-18 collection, each note type's `config` (Notetype.Config, whose field 1 says whether
it is a cloze type) as protobuf.  Anki's own generated modules live in the `anki` wheel, which
is far too heavy to ship for three messages, so the messages are declared here with the field
numbers and types of Anki's `proto/anki/import_export.proto` and `notetypes.proto`, and
decoded by Google's `protobuf` runtime rather than a hand-written wire parser: unknown fields,
varint edge cases and truncated input are then its well-tested business.
"""

from __future__ import annotations

from functools import lru_cache

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

__all__ = ["DecodeError", "media_entries", "notetype_kind", "package_version"]

F = descriptor_pb2.FieldDescriptorProto
VERSION_LATEST = 3
KIND_CLOZE = 1


@lru_cache(maxsize=1)
def _messages() -> dict:
    file = descriptor_pb2.FileDescriptorProto(
        name="quizsite_anki_package.proto", package="quizsite_anki", syntax="proto3"
    )
    meta = file.message_type.add(name="PackageMetadata")
    meta.field.add(name="version", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    entries = file.message_type.add(name="MediaEntries")
    entry = entries.nested_type.add(name="MediaEntry")
    entry.field.add(name="name", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    entry.field.add(name="size", number=2, type=F.TYPE_UINT32, label=F.LABEL_OPTIONAL)
    entry.field.add(name="sha1", number=3, type=F.TYPE_BYTES, label=F.LABEL_OPTIONAL)
    entry.field.add(
        name="legacy_zip_filename",
        number=255,
        type=F.TYPE_UINT32,
        label=F.LABEL_OPTIONAL,
        proto3_optional=True,
        oneof_index=0,
    )
    entry.oneof_decl.add(name="_legacy_zip_filename")
    entries.field.add(
        name="entries",
        number=1,
        type=F.TYPE_MESSAGE,
        label=F.LABEL_REPEATED,
        type_name=".quizsite_anki.MediaEntries.MediaEntry",
    )
    config = file.message_type.add(name="NotetypeConfig")
    config.field.add(name="kind", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"quizsite_anki.{name}"))
        for name in ("PackageMetadata", "MediaEntries", "NotetypeConfig")
    }


def package_version(data: bytes) -> int:
    """PackageMetadata.version: 1 and 2 legacy, 3 the zstd format; raises DecodeError."""
    message = _messages()["PackageMetadata"]()
    message.ParseFromString(data)
    return message.version


def media_entries(data: bytes) -> dict[str, str]:
    """{zip member name: media file name}; a member is named by its index unless the entry
    says otherwise (Anki's `legacy_zip_filename`).  Raises DecodeError."""
    message = _messages()["MediaEntries"]()
    message.ParseFromString(data)
    mapping = {}
    for index, entry in enumerate(message.entries):
        member = entry.legacy_zip_filename if entry.HasField("legacy_zip_filename") else index
        mapping[str(member)] = entry.name
    return mapping


def notetype_kind(data: bytes | None) -> int:
    """Notetype.Config.kind (0 normal, 1 cloze); 0 when the blob cannot be read."""
    message = _messages()["NotetypeConfig"]()
    try:
        message.ParseFromString(data or b"")
    except DecodeError:
        return 0
    return message.kind
