"""HTML fields (Anki notes, GIFT `[html]` text, CSV with `#html:true`) turned into Markdown.

Our rich-text fields hold Markdown that is rendered and sanitised on save, so imported HTML is
first cleaned with nh3 (dropping scripts, styles, event handlers and unknown tags) and then
converted, keeping what a learner needs: paragraphs and line breaks, emphasis, code, lists,
links, images and tables (as GitHub-flavoured pipe tables, the first row as the header).
Images and sounds are collected so that the caller can report the media it did not import
instead of dropping them silently; `convert_html(..., keep_image=...)` also takes out the
images a format cannot carry (Moodle's `@@PLUGINFILE@@/…`, `data:` URLs), leaving their alt
text and returning their sources, so no broken `<img>` is left behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "td",
    "th", "tr", "u", "ul", "tbody", "thead",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
SOUND = re.compile(r"\[sound:([^\]]+)\]")
TAG_LIKE = re.compile(r"<[a-zA-Z/!]")
BLOCK = {"p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
# An <img> tag with its attributes, quoted values included (they may hold '>').
IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
IMG_ATTRIBUTE = re.compile(
    r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)


def looks_like_html(text: str) -> bool:
    return bool(TAG_LIKE.search(text)) or ("&" in text and bool(re.search(r"&#?\w+;", text)))


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.lists: list[list] = []  # stack of [kind, counter]
        self.in_pre = 0
        self.href: list[str | None] = []
        # Tables being read: rows of cells, each cell a list of text parts.
        self.tables: list[list[list[list[str]]]] = []
        self.outer_parts: list[list[str]] = []
        self.in_cell = False
        # A table inside a table cell is read as text in that cell (Markdown has no nesting).
        self.nested = 0

    def _cell_text(self, parts: list[str]) -> str:
        text = " ".join("".join(parts).split())
        return text.replace("|", "\\|")

    def _start_table(self) -> None:
        self._newline(2)
        self.tables.append([])
        self.outer_parts.append(self.parts)
        self.parts = []

    def _end_table(self) -> None:
        if not self.tables:
            return
        self._end_cell()
        rows = [row for row in self.tables.pop() if row]
        self.parts = self.outer_parts.pop()
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = []
        for index, row in enumerate(rows):
            cells = [self._cell_text(cell) for cell in row] + [""] * (width - len(row))
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("|" + "---|" * width)
        self.parts.append("\n".join(lines))
        self._newline(2)

    def _end_cell(self) -> None:
        """Close the open cell; text between cells (whitespace in the source) is dropped."""
        if self.in_cell and self.tables:
            if not self.tables[-1]:
                self.tables[-1].append([])
            self.tables[-1][-1].append(self.parts)
        self.in_cell = False
        self.parts = []

    def close(self) -> None:
        super().close()
        while self.tables:  # a table the fragment never closed still comes out as one
            self._end_table()

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.parts)
        existing = len(text) - len(text.rstrip("\n"))
        if text.strip():
            self.parts.append("\n" * max(0, count - existing))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"b", "strong"}:
            self.parts.append("**")
        elif tag in {"i", "em"}:
            self.parts.append("*")
        elif tag == "code" and not self.in_pre:
            self.parts.append("`")
        elif tag == "pre":
            self._newline(2)
            self.parts.append("```\n")
            self.in_pre += 1
        elif tag == "br":
            self.parts.append("\n" if self.in_pre else "  \n")
        elif tag == "hr":
            self._newline(2)
            self.parts.append("---\n\n")
        elif tag in {"ul", "ol"}:
            self._newline(1 if self.lists else 2)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._newline(1)
            indent = "   " * (len(self.lists) - 1)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.parts.append(f"{indent}{self.lists[-1][1]}. ")
            else:
                self.parts.append(f"{indent}- ")
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._newline(2)
            self.parts.append("#" * int(tag[1]) + " ")
        elif tag in BLOCK:
            self._newline(2)
        elif tag == "table":
            if self.tables:
                self.nested += 1
            else:
                self._start_table()
        elif tag in {"tr", "td", "th"} and self.nested:
            self.parts.append(" ")
        elif tag == "tr" and self.tables:
            self._end_cell()
            self.tables[-1].append([])
        elif tag in {"td", "th"} and self.tables:
            self._end_cell()
            self.in_cell = True
        elif tag == "a":
            self.href.append(attrs.get("href"))
            self.parts.append("[")
        elif tag == "img":
            src = attrs.get("src") or ""
            if src:
                self.media.append(src)
            self.parts.append(f"![{attrs.get('alt') or ''}]({src})")

    def handle_endtag(self, tag):
        if tag in {"b", "strong"}:
            self.parts.append("**")
        elif tag in {"i", "em"}:
            self.parts.append("*")
        elif tag == "code" and not self.in_pre:
            self.parts.append("`")
        elif tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)
            self._newline(1)
            self.parts.append("```\n\n")
        elif tag in {"ul", "ol"}:
            if self.lists:
                self.lists.pop()
            self._newline(2 if not self.lists else 1)
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.parts.append(f"]({href})" if href else "]")
        elif tag == "table" and self.nested:
            self.nested -= 1
        elif tag == "table":
            self._end_table()
        elif tag in {"td", "th", "tr"} and self.nested:
            self.parts.append(" ")
        elif tag in {"td", "th", "tr"} and self.tables:
            self._end_cell()
        elif tag in BLOCK:
            self._newline(2)

    def handle_data(self, data):
        if not self.in_pre:
            data = re.sub(r"[ \t\r\n]+", " ", data)
        self.parts.append(data)


@dataclass
class Converted:
    markdown: str
    # Media names the text referred to (images kept, sounds), for callers that import media.
    media: list[str] = field(default_factory=list)
    # Sources of the images `keep_image` refused, taken out of the text.
    dropped_images: list[str] = field(default_factory=list)


def _drop_images(source: str, keep_image: Callable[[str], bool], dropped: list[str]) -> str:
    def replace(match: re.Match) -> str:
        attributes = {}
        for name, *values in IMG_ATTRIBUTE.findall(match.group(0)):
            attributes.setdefault(name.lower(), next((v for v in values if v), ""))
        src = unescape(attributes.get("src", "")).strip()
        if keep_image(src):
            return match.group(0)
        dropped.append(src)
        alt = unescape(attributes.get("alt", "")).strip()
        return escape(alt)

    return IMG_TAG.sub(replace, source)


def html_to_markdown(source: str) -> tuple[str, list[str]]:
    """Convert an HTML fragment to Markdown; return it with the media names it referred to."""
    converted = convert_html(source)
    return converted.markdown, converted.media


def convert_html(source: str, *, keep_image: Callable[[str], bool] | None = None) -> Converted:
    """Convert an HTML fragment to Markdown; images `keep_image` refuses are taken out."""
    dropped: list[str] = []
    if keep_image is not None and "<img" in source.lower():
        source = _drop_images(source, keep_image, dropped)
    media = [match.group(1) for match in SOUND.finditer(source)]
    if not looks_like_html(source):
        return Converted(unescape(source).strip(), media, dropped)
    cleaned = nh3.clean(
        source,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"} | {""},
        link_rel=None,
    )
    converter = _Converter()
    converter.feed(cleaned)
    converter.close()
    text = "".join(converter.parts)
    # The <img> src may have been a bare file name, which nh3 keeps; collect before cleaning.
    media.extend(re.findall(r"<img[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", source, re.I))
    text = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return Converted(text.strip(), list(dict.fromkeys(media)), dropped)
