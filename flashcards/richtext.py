"""Rich text: Markdown + LaTeX math + highlighted code, rendered once and sanitised.

Authors (and importers, which carry other people's files) write Markdown.  It becomes HTML
when a row is saved, so every read path serves stored HTML.  Three layers keep it safe:

1. markdown-it runs with raw HTML switched off, so `<script>` typed by an author comes out as
   text, and its link validator drops `javascript:`/`vbscript:`/`file:` URLs;
2. the HTML is sanitised by nh3 (ammonia) against an explicit allow-list of tags, attributes,
   CSS classes (Pygments' token classes and ours) and URL schemes;
3. math is converted to MathML by latex2mathml and sanitised separately, against a MathML
   allow-list, then spliced back in place of unguessable placeholders
   (`flashcards.richtext_math`).  latex2mathml copies
   the argument of `\\text{...}` (and `\\mbox`, `\\textbf`, ...) into `<mtext>` unescaped, so
   those arguments are escaped before conversion and the MathML pass removes whatever else
   (`\\href`, `\\style`, `\\class`) could smuggle in.

Math is `$…$` / `$$…$$` (Pandoc's rules) and `\\(…\\)` / `\\[…\\]` (what Anki and Moodle
write); the backslash forms are read before Markdown's backslash escapes, which would
otherwise eat them.

Choice-like fields (a multiple-choice option, an accepted short answer, a matching item) of
one line are inline Markdown only (`choice_like=True`): emphasis, code, math, links and
images work, but no block syntax, so an option that is `#`, `*`, `+`, `-`, `1.`, `>`, `---`
or `|` shows as that text instead of an empty heading, list, quote or rule.  An option of
several lines is deliberate Markdown (a code block, a list) and renders as a block.  The
model decides which fields are choice-like (`RichTextMixin.choice_like_fields`).

Images are shown only from the site's own media (`MEDIA_URL`); any other image (a
third-party URL that could be a tracking pixel, a bare file name, a `data:` URL) becomes a
link to it (or its alt text for `data:`), never an `<img>` that loads from elsewhere.
`foreign_images()` lists them so that importers can warn with the line.

Cloze deletions (`{{c1::answer}}` or `{{c1::answer::hint}}`, Anki's syntax, which the
importers keep as it is) become
`<span class="cloze" data-cloze="1" data-hint="hint">answer</span>`: the page decides what
to hide.  `cloze_deletions()` lists them, with their place in the source, for validation, for
the quiz's blanks and for making one card per number; `render_rich_text(..., anki_cloze=True)`
keeps them in Anki's syntax for Anki packages, whose cards hide them themselves.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from flashcards.richtext_math import backslash_math_rule, render_math_display, render_math_inline

# --- allow-lists ------------------------------------------------------------------------------

HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "span": {"data-cloze", "data-hint"},
}
HTML_ATTRIBUTE_VALUES = {
    "td": {"style": {"text-align:left", "text-align:center", "text-align:right"}},
    "th": {"style": {"text-align:left", "text-align:center", "text-align:right"}},
}
# Pygments emits one short class per token type ("k" keyword, "s2" string, ...).
PYGMENTS_CLASSES = {name for name in STANDARD_TYPES.values() if name}
HTML_CLASSES = {
    "div": {"math-display"},
    "pre": {"highlight"},
    "span": {"cloze", "math-display", *PYGMENTS_CLASSES},
    "code": {"math-error"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_html_cleaner = nh3.Cleaner(
    tags=HTML_TAGS,
    attributes=HTML_ATTRIBUTES,
    tag_attribute_values=HTML_ATTRIBUTE_VALUES,
    allowed_classes=HTML_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


# --- code -------------------------------------------------------------------------------------

_formatter = HtmlFormatter(nowrap=True)


def highlight_code(code: str, language: str) -> str:
    """Pygments spans (class-based, styled by `highlight_css()`); unknown languages stay plain."""
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    body = highlight(code, lexer, _formatter) if lexer else html.escape(code)
    # markdown-it keeps a highlighter's output as is only when it starts with "<pre".
    return f'<pre class="highlight"><code>{body}</code></pre>\n'


def highlight_css(selector: str = ".highlight") -> str:
    """The stylesheet for highlighted code, for the pages that show rich text."""
    return HtmlFormatter(style="default").get_style_defs(selector)


# --- cloze --------------------------------------------------------------------------------------

CLOZE_START = re.compile(r"\{\{c(\d{1,3})::")


@dataclass(frozen=True)
class ClozeDeletion:
    number: int
    text: str
    hint: str
    # Where `{{c…}}` starts and just after its `}}` in the source.
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


def _scan_cloze(source: str, start: int) -> tuple[int, int, int] | None:
    """From just after `{{cN::`, find the end of the answer, the hint and the closing `}}`.

    Braces are counted so LaTeX such as `$\\frac{a}{b}$` inside a deletion does not close it.
    Returns (answer_end, hint_start or -1, index after `}}`), or None when it never closes.
    """
    depth, i, hint_start, answer_end = 0, start, -1, -1
    while i < len(source):
        if source.startswith("}}", i) and depth == 0:
            if answer_end < 0:
                answer_end = i
            return answer_end, hint_start, i + 2
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif source.startswith("::", i) and depth == 0 and hint_start < 0:
            answer_end, hint_start = i, i + 2
            i += 2
            continue
        i += 1
    return None


def cloze_deletions(source: str) -> list[ClozeDeletion]:
    found: list[ClozeDeletion] = []
    pos = 0
    while match := CLOZE_START.search(source, pos):
        scanned = _scan_cloze(source, match.end())
        if scanned is None:
            break
        answer_end, hint_start, end = scanned
        hint = source[hint_start : end - 2] if hint_start >= 0 else ""
        found.append(
            ClozeDeletion(
                int(match.group(1)),
                source[match.end() : answer_end],
                hint,
                start=match.start(),
                end=end,
            )
        )
        pos = end
    return found


def _cloze_rule(state: StateInline, silent: bool) -> bool:
    match = CLOZE_START.match(state.src, state.pos)
    if not match:
        return False
    scanned = _scan_cloze(state.src, match.end())
    if scanned is None or scanned[2] > state.posMax:
        return False
    answer_end, hint_start, end = scanned
    if not silent:
        token = state.push("cloze_open", "span", 1)
        token.attrs = {"class": "cloze", "data-cloze": match.group(1)}
        if hint_start >= 0:
            token.attrs["data-hint"] = state.src[hint_start : end - 2]
        old_pos, old_max = state.pos, state.posMax
        state.pos, state.posMax = match.end(), answer_end
        state.md.inline.tokenize(state)
        state.pos, state.posMax = old_pos, old_max
        state.push("cloze_close", "span", -1)
    state.pos = end
    return True


def _render_cloze_open(self, tokens, idx, options, env) -> str:
    if not env.get("anki_cloze"):
        return self.renderToken(tokens, idx, options, env)
    attrs = tokens[idx].attrs
    env["cloze_hints"].append(attrs.get("data-hint", ""))
    return "{{c" + attrs["data-cloze"] + "::"


def _render_cloze_close(self, tokens, idx, options, env) -> str:
    if not env.get("anki_cloze"):
        return self.renderToken(tokens, idx, options, env)
    hint = env["cloze_hints"].pop()
    return f"::{html.escape(str(hint))}}}}}" if hint else "}}"


# --- images -------------------------------------------------------------------------------------


def _media_prefix() -> str:
    """Where the site's own media are served from, as it appears in an image's src."""
    try:
        from django.conf import settings

        media_url = settings.MEDIA_URL or "/media/"
    except Exception:  # no Django settings (a parser used on its own): Django's default
        media_url = "/media/"
    if "://" not in media_url and not media_url.startswith("/"):
        media_url = "/" + media_url
    return media_url


def is_site_media(src: str) -> bool:
    """An image the page may load: one of the site's own media files, and nothing else."""
    src = src.strip()
    prefix = _media_prefix()
    if src.startswith("//") and not prefix.startswith("//"):
        return False  # protocol-relative: another host
    return src.startswith(prefix) and ".." not in src


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if is_site_media(src):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    if src.lower().startswith("data:") or not src:
        return html.escape(alt)
    return f'<a href="{html.escape(src)}">{html.escape(alt or src)}</a>'


def foreign_images(source: str) -> list[str]:
    """The image URLs in `source` that will be shown as links, not loaded (see the module)."""
    if "![" not in source:
        return []
    found: list[str] = []

    def walk(tokens) -> None:
        for token in tokens:
            if token.type == "image":
                src = token.attrGet("src") or ""
                if not is_site_media(src):
                    found.append(src)
            if token.children:
                walk(token.children)

    walk(_markdown().parse(source, {"math": [], "nonce": "", "cloze_hints": []}))
    return found


# --- Markdown ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": False, "highlight": lambda code, lang, attrs: highlight_code(code, lang)},
    )
    md.enable(["table", "strikethrough"])
    # No space just inside the dollars and no digit after the closing one, so "$5 and $10"
    # stays text (Pandoc's rule); `\$` always gives a literal dollar.
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.before("text", "cloze", _cloze_rule)
    md.inline.ruler.before("escape", "backslash_math", backslash_math_rule)
    md.add_render_rule("math_inline", render_math_inline)
    md.add_render_rule("math_inline_double", render_math_display)
    md.add_render_rule("math_block", render_math_display)
    md.add_render_rule("math_block_label", render_math_display)
    md.add_render_rule("cloze_open", _render_cloze_open)
    md.add_render_rule("cloze_close", _render_cloze_close)
    md.add_render_rule("image", _render_image)
    return md


# One line of letters, digits, single-purpose punctuation and spaces: no character that
# Markdown, math, cloze or HTML give a meaning to, and no start that could open a list
# ("1." / "1)"), so it renders as itself in a paragraph.  Most option texts, short answers
# and feedback are like this; an import of thousands of questions renders a lot of them.
# tests/flashcards/test_richtext.py checks, by property, that the full renderer agrees.
_PLAIN_TEXT = re.compile(r"(?!\d{1,9}[.)])[^\W_](?:[^\W_]|[ .,;:?!'%/()\"-])*(?<! )")


def render_rich_text(source: str, *, anki_cloze: bool = False, choice_like: bool = False) -> str:
    """Markdown source to sanitised HTML, deterministic for a given source.

    `anki_cloze` writes cloze deletions back as `{{cN::answer::hint}}` around their rendered
    answer, for Anki notes; the HTML is sanitised all the same.  `choice_like` applies the
    rule for options and accepted answers: one line is inline Markdown only (module docstring).
    """
    if not source or not source.strip():
        return ""
    if _PLAIN_TEXT.fullmatch(source):
        return f"<p>{source}</p>"
    inline = choice_like and "\n" not in source.strip()
    return _render_markdown(
        source.strip() if inline else source, anki_cloze=anki_cloze, inline=inline
    )


def _render_markdown(source: str, *, anki_cloze: bool = False, inline: bool = False) -> str:
    # Placeholders carry a random nonce, so text that merely looks like one stays text.
    env = {
        "math": [],
        "nonce": f"QZM{secrets.token_hex(8)}N",
        "anki_cloze": anki_cloze,
        "cloze_hints": [],
    }
    if inline:
        dirty = f"<p>{_markdown().renderInline(source, env)}</p>"
    else:
        dirty = _markdown().render(source, env)
    clean = _html_cleaner.clean(dirty).strip()
    if env["math"]:
        pattern = re.compile(re.escape(env["nonce"]) + r"(\d+)Z")
        clean = pattern.sub(lambda match: env["math"][int(match.group(1))], clean)
    return clean
