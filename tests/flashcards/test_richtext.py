"""Rich text: Markdown, math as MathML, highlighted code, cloze, and an XSS corpus that must
come out inert through every rich-text field of the content model."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.models import NumericalAnswer, Question
from flashcards.richtext import (
    _PLAIN_TEXT,
    HTML_TAGS,
    _render_markdown,
    cloze_deletions,
    highlight_css,
    render_rich_text,
)
from flashcards.richtext_math import MATHML_TAGS, escape_text_arguments
from tests import servers
from tests.flashcards.factories import ChoiceFactory, QuestionFactory, QuestionSetFactory

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](%6A%61vascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](javascript:alert(1))",
    '![pic](https://ok.example/x.png "a" onerror="alert(1)")',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math href="javascript:alert(1)">x</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<object data="javascript:alert(1)"></object>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "$\\text{<script>alert(1)</script>}$",
    "$$\\text{<img src=x onerror=alert(1)>}$$",
    "$\\textbf{</mtext></math><script>alert(1)</script>}$",
    "$\\mbox{<svg onload=alert(1)>}$",
    "$\\href{javascript:alert(1)}{x}$",
    "$\\style{background:url(javascript:alert(1))}{x}$",
    '$\\class{x" onmouseover="alert(1)}{y}$',
    '$\\color{red" onload="alert(1)}{y}$',
    "$$\n\\text{<iframe src=javascript:alert(1)>}\n$$",
    "```html\n<script>alert(1)</script>\n```",
    '```javascript" onmouseover="alert(1)\n<img src=x onerror=alert(1)>\n```',
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "    <script>alert(1)</script>",
    "{{c1::<script>alert(1)</script>::<img src=x onerror=alert(1)>}}",
    '{{c1::x::" onmouseover="alert(1)}}',
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\(\\text{<script>alert(1)</script>}\\)",
    "\\[\\href{javascript:alert(1)}{x}\\]",
    '\\(\\class{x" onmouseover="alert(1)}{y}\\)',
    "![pixel](//tracker.example/p.gif)",
    "![up](/media/../../etc/passwd)",
    '![x](/media/a.png" onerror="alert(1))',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
]

ALLOWED_TAGS = HTML_TAGS | MATHML_TAGS
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data"}


class InertChecker(HTMLParser):
    """Collects everything in rendered HTML that could run script or load something odd."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style" and not (tag in {"td", "th"} and value.startswith("text-align:")):
                self.problems.append(f"style on <{tag}>")
            if name in URL_ATTRIBUTES:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in {"", "http", "https", "mailto"} or tag not in {"a", "img"}:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append("comment")


def problems_in(rendered: str) -> list[str]:
    checker = InertChecker()
    checker.feed(rendered)
    checker.close()
    return checker.problems


def assert_inert(rendered: str, source: str = "") -> None:
    assert problems_in(rendered) == [], f"{source!r} rendered as {rendered!r}"
    assert "<script" not in rendered.lower()


# --- what authors get ---------------------------------------------------------------------------


def test_it_renders_markdown_emphasis_lists_links_and_tables():
    html = render_rich_text(
        "**Bold**, *italic*, ~~gone~~ and [docs](https://pytorch.org).\n\n"
        "- one\n- two\n\n| x | y |\n|:-|-:|\n| 1 | 2 |"
    )
    assert "<strong>Bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<s>gone</s>" in html
    assert '<a href="https://pytorch.org" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<li>one</li>" in html
    assert '<th style="text-align:left">x</th>' in html


def test_it_renders_inline_and_display_math_as_mathml():
    html = render_rich_text("The sigmoid $\\sigma(x)$ is\n\n$$\\frac{1}{1+e^{-x}}$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert '<div class="math-display"><math' in html
    assert 'display="block"' in html
    assert "<mfrac>" in html


def test_it_leaves_prices_alone_and_honours_escaped_dollars():
    assert render_rich_text("It costs $5 and $10 today.") == "<p>It costs $5 and $10 today.</p>"
    assert "<math" not in render_rich_text("A literal \\$x\\$ here.")


def test_it_shows_the_text_of_text_commands_instead_of_dropping_it():
    html = render_rich_text("$\\text{if } x < 0 \\text{ then <none>}$")
    assert "then&nbsp;&lt;none&gt;</mtext>" in html.replace("\xa0", "&nbsp;")


def test_it_shows_latex_that_does_not_convert_as_code():
    html = render_rich_text("Broken: $\\frac{1}{$ here")
    assert '<code class="math-error">' in html or "\\frac" in html
    assert_inert(html)


def test_it_highlights_fenced_code_with_pygments_classes():
    html = render_rich_text("```python\ndef relu(x):\n    return x.clamp(min=0)\n```")
    assert html.startswith('<pre class="highlight"><code>')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">relu</span>' in html
    assert "style=" not in html


def test_it_escapes_code_in_an_unknown_language():
    html = render_rich_text("```klingon\n<b>not bold</b>\n```")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_it_serves_a_stylesheet_for_the_highlighting_classes():
    assert ".highlight .k" in highlight_css()


def test_it_marks_cloze_deletions_and_renders_markdown_inside_them():
    html = render_rich_text("ReLU is {{c1::$\\max(0, x)$::a formula}} and {{c2::**fast**}}.")
    assert '<span class="cloze" data-cloze="1" data-hint="a formula"><math' in html
    assert '<span class="cloze" data-cloze="2"><strong>fast</strong></span>' in html


def test_it_lists_cloze_deletions_with_braces_inside():
    deletions = cloze_deletions("{{c1::$\\frac{a}{\\sqrt{b}}$}} and {{c2::x::hint}}")
    assert [(d.number, d.text, d.hint) for d in deletions] == [
        (1, "$\\frac{a}{\\sqrt{b}}$", ""),
        (2, "x", "hint"),
    ]


def test_it_escapes_only_inside_text_arguments():
    assert escape_text_arguments("a<b \\text{<i>{x}</i>} c>d") == (
        "a<b \\text{&lt;i&gt;{x}&lt;/i&gt;} c>d"
    )


def test_it_renders_the_same_html_for_the_same_source():
    source = "Math $x^2$ and $$y$$ and `code`"
    assert render_rich_text(source) == render_rich_text(source)


def test_it_renders_nothing_for_blank_text():
    assert render_rich_text("") == ""
    assert render_rich_text("  \n ") == ""


def test_text_that_looks_like_a_math_placeholder_stays_text():
    assert render_rich_text("QZM0000000000000000N0Z") == "<p>QZM0000000000000000N0Z</p>"


# --- what attackers get -------------------------------------------------------------------------


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_the_xss_corpus_renders_inert(source):
    assert_inert(render_rich_text(source), source)


def test_text_commands_keep_script_as_visible_text():
    html = render_rich_text("$\\text{<script>alert(1)</script>}$")
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>" in html


def test_html_inside_a_code_fence_is_shown_not_run():
    html = render_rich_text("```html\n<script>alert(1)</script>\n```")
    assert '<span class="p">&lt;</span><span class="nt">script</span>' in html
    assert_inert(html)


FRAGMENTS = st.sampled_from(
    ["<", ">", '"', "'", "$", "$$", "\\text{", "}", "{", "{{c1::", "::", "`", "```", "\n",
     "[", "](", ")", "javascript:", "<script>", "<svg ", "onload=", "<math>", "&#", "!", "|"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join))
def test_any_mix_of_dangerous_fragments_renders_inert(source):
    assert_inert(render_rich_text(source), source)


# Mostly letters of several scripts, digits (also other kinds), spaces and the punctuation
# plain text may hold, sometimes with one character of any kind (Markdown, math, cloze and
# HTML syntax, control and space characters) put in.
PLAIN_ALPHABET = "aZéøæßπжथ中ǅ0129²½ .,;:?!'%/()\"-"
ANY_CHARACTER = st.one_of(
    st.sampled_from("*_`#>~=+|[]{}<&$\\\n\t\r\u00a0\u2028\u3000\x00\x0c\ufeff"),
    st.characters(blacklist_categories=("Cs",)),
)


@st.composite
def plain_candidates(draw):
    text = draw(st.text(alphabet=PLAIN_ALPHABET, min_size=1, max_size=30))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(ANY_CHARACTER) + text[at:]
    return text


@settings(max_examples=2000, deadline=None)
@given(plain_candidates())
def test_plain_text_takes_a_shortcut_that_renders_exactly_as_the_full_renderer(source):
    if _PLAIN_TEXT.fullmatch(source):
        assert render_rich_text(source) == _render_markdown(source)


@pytest.mark.parametrize(
    "source",
    ["ReLU", "It's a curve from -1 to 1, isn't it?", "max(0, x) is 50% cheaper: yes!", "Ørsted"],
)
def test_typical_option_texts_take_the_shortcut(source):
    assert _PLAIN_TEXT.fullmatch(source)
    assert render_rich_text(source) == _render_markdown(source) == f"<p>{source}</p>"


@pytest.mark.parametrize(
    "source",
    [
        "1. first",
        "2) second",
        "- item",
        "a_b",
        "**b**",
        "a <b>",
        "x\ny",
        "trailing ",
        " lead",
        "#h",
    ],
)
def test_text_markdown_could_read_otherwise_takes_the_full_renderer(source):
    assert not _PLAIN_TEXT.fullmatch(source)


# --- through every rich-text field of the model -------------------------------------------------


@pytest.mark.django_db
def test_question_set_descriptions_render_the_corpus_inert():
    owner = QuestionSetFactory().owner
    for source in XSS_CORPUS:
        question_set = QuestionSetFactory(owner=owner, description=source)
        assert_inert(question_set.description_html, source)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["prompt", "answer", "general_feedback", "true_feedback", "false_feedback"]
)
def test_question_fields_render_the_corpus_inert(field):
    question_set = QuestionSetFactory()
    for source in XSS_CORPUS:
        question = QuestionFactory(question_set=question_set, **{field: source})
        question.refresh_from_db()
        assert_inert(getattr(question, f"{field}_html"), source)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["text", "feedback"])
def test_choice_fields_render_the_corpus_inert(field):
    question = QuestionFactory(kind=Question.Kind.MULTIPLE_CHOICE)
    for source in XSS_CORPUS:
        choice = ChoiceFactory(question=question, **{field: source})
        choice.refresh_from_db()
        assert_inert(getattr(choice, f"{field}_html"), source)


@pytest.mark.django_db
def test_numerical_feedback_renders_the_corpus_inert():
    question = QuestionFactory(kind=Question.Kind.NUMERICAL)
    for source in XSS_CORPUS:
        answer = NumericalAnswer.objects.create(question=question, value=1, feedback=source)
        answer.refresh_from_db()
        assert_inert(answer.feedback_html, source)


@pytest.mark.django_db
def test_saving_with_update_fields_re_renders_the_html():
    question = QuestionFactory(prompt="old")
    question.prompt = "new <script>alert(1)</script>"
    question.save(update_fields=["prompt"])
    question.refresh_from_db()
    assert question.prompt_html == "<p>new &lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_the_site_stylesheet_carries_exactly_the_generated_highlight_rules():
    shipped = servers.ROOT / "frontend/static/frontend/site.css"
    assert highlight_css() in shipped.read_text()
