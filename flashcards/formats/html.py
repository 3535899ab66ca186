"""HTML fields (Anki notes, GIFT `[html]` text, CSV with `#html:true`) turned into Markdown.

Our rich-text fields hold Markdown that is rendered and sanitised on save, so imported HTML is
first cleaned with nh3 (dropping scripts, styles, event handlers and unknown tags) and then
converted, keeping what a learner needs: paragraphs and line breaks, emphasis, code, lists,
links and images.  Images and sounds are collected so that the caller can report the media it
did not import instead of dropping them silently.
"""

from __future__ import annotations

import re
from html import unescape
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
BLOCK = {"p", "div", "blockquote", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}


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
        elif tag in {"td", "th"}:
            self.parts.append(" | ")
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
        elif tag in BLOCK:
            self._newline(2)

    def handle_data(self, data):
        if not self.in_pre:
            data = re.sub(r"[ \t\r\n]+", " ", data)
        self.parts.append(data)


def html_to_markdown(source: str) -> tuple[str, list[str]]:
    """Convert an HTML fragment to Markdown; return it with the media names it referred to."""
    media = [match.group(1) for match in SOUND.finditer(source)]
    if not looks_like_html(source):
        return unescape(source).strip(), media
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
    return text.strip(), list(dict.fromkeys(media))
