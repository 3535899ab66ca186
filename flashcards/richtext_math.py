"""Math in rich text: LaTeX written `$…$` / `$$…$$` (Pandoc's rules) or `\\(…\\)` / `\\[…\\]`
(what Anki and Moodle write), converted to MathML by latex2mathml and sanitised against a
MathML allow-list; the Markdown renderer (`flashcards.richtext`) splices the result in place
of unguessable placeholders.  latex2mathml copies the argument of `\\text{...}` (and `\\mbox`,
`\\textbf`, ...) into `<mtext>` unescaped, so those arguments are escaped before conversion and
the MathML pass removes whatever else (`\\href`, `\\style`, `\\class`) could smuggle in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

MATHML_TAGS = {
    "math", "maction", "menclose", "merror", "mfenced", "mfrac", "mi", "mmultiscripts", "mn",
    "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace",
    "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
    "munderover", "none", "semantics", "annotation",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "*": {
        "accent", "accentunder", "align", "columnalign", "columnlines", "columnspacing",
        "columnspan", "depth", "dir", "displaystyle", "equalrows", "equalcolumns", "fence",
        "form", "frame", "framespacing", "height", "largeop", "linethickness", "lspace",
        "mathbackground", "mathcolor", "mathsize", "mathvariant", "maxsize", "minsize",
        "movablelimits", "notation", "rowalign", "rowlines", "rowspacing", "rowspan", "rspace",
        "scriptlevel", "separator", "separators", "stretchy", "symmetric", "voffset", "width",
    },
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
}  # fmt: skip

_mathml_cleaner = nh3.Cleaner(
    tags=MATHML_TAGS,
    attributes=MATHML_ATTRIBUTES,
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)


# --- math ------------------------------------------------------------------------------------

# Commands whose braced argument latex2mathml copies verbatim into <mtext>.
_TEXT_COMMAND = re.compile(r"\\(?:text[a-z]*|mbox|hbox|fbox)\s*\{")


def escape_text_arguments(latex: str) -> str:
    """Escape `<`, `>` and `&` inside `\\text{...}`-like arguments, which are copied as-is."""
    out: list[str] = []
    pos = 0
    while match := _TEXT_COMMAND.search(latex, pos):
        out.append(latex[pos : match.end()])
        depth, i = 1, match.end()
        while i < len(latex) and depth:
            char = latex[i]
            if char == "\\" and i + 1 < len(latex):
                out.append(html.escape(latex[i : i + 2], quote=False))
                i += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            out.append(html.escape(char, quote=False) if char in "<>&" else char)
            i += 1
        pos = i
    out.append(latex[pos:])
    return "".join(out)


def render_math(latex: str, *, display: bool) -> str:
    """LaTeX to sanitised MathML; LaTeX that does not convert is shown as code, not lost."""
    try:
        mathml = latex_to_mathml(
            escape_text_arguments(latex), display="block" if display else "inline"
        )
    except Exception:  # latex2mathml raises a zoo of exception types on malformed input
        return f'<code class="math-error">{html.escape(latex)}</code>'
    return _mathml_cleaner.clean(mathml)


# --- math written \\(…\\) and \\[…\\] -------------------------------------------------------------

_BACKSLASH_MATH = {"(": ("\\)", "math_inline"), "[": ("\\]", "math_inline_double")}


def backslash_math_rule(state: StateInline, silent: bool) -> bool:
    """`\\(x\\)` is inline math and `\\[x\\]` display math, as Anki and Moodle write them."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] not in _BACKSLASH_MATH:
        return False
    closing, kind = _BACKSLASH_MATH[src[pos + 1]]
    end = src.find(closing, pos + 2, state.posMax)
    if end == -1 or not src[pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = src[pos : pos + 2]
    state.pos = end + 2
    return True


def has_math(source: str) -> bool:
    """Whether `source` may hold math (a cheap test for callers that treat math specially)."""
    return "$" in source or "\\(" in source or "\\[" in source


def _math_placeholder(env: dict, latex: str, *, display: bool) -> str:
    env["math"].append(render_math(latex, display=display))
    return f"{env['nonce']}{len(env['math']) - 1}Z"


def render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    return _math_placeholder(env, tokens[idx].content, display=False)


def render_math_display(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    # Labels (`$$...$$ (eq1)`) are dropped: ids would clash between questions on one page.
    placeholder = _math_placeholder(env, tokens[idx].content.strip(), display=True)
    if tokens[idx].block:
        return f'<div class="math-display">{placeholder}</div>\n'
    return f'<span class="math-display">{placeholder}</span>'  # `$$...$$` inside a paragraph
