"""Moodle XML (`<quiz>` export): what Moodle instructors export most, read as Moodle writes it.

Written from Moodle's `question/format/xml/format.php` and its test fixtures: every question
is `<question type="...">` with `<name><text>`, `<questiontext format="html"><text>` (HTML in
CDATA, `<file name encoding="base64">` children for its images), `<generalfeedback>`,
`<defaultgrade>`, and per type:

- `multichoice`: `<single>`, `<answer fraction="33.33333" format="html">` with `<text>` and
  `<feedback>`; fractions become weights (two decimals; a several-answer question's weights
  that Moodle stores as thirds or sixths are rounded so that they still add up to 100%).
- `truefalse`: two answers `true`/`false`; the one worth 100% is the key, and each answer's
  feedback is kept for that answer (`true_feedback`, `false_feedback`).
- `shortanswer` (`<usecase>`: case-sensitive), `numerical` (`<tolerance>`; `*` is "any other
  number"), `matching` (`<subquestion>` with its `<answer>`; an empty one is a distractor),
  `essay` (`<graderinfo>` is the reference answer; an essay without one imports without
  one), `description`, `category` (its path below `$course$/top` becomes every following
  question's tag, case kept, as in `flashcards.formats.gift_text`).
- `multianswer` / `cloze` (Moodle writes either): the embedded answers `{1:SHORTANSWER:=…}`,
  `{1:MULTICHOICE:…}`, `{1:NUMERICAL:=…}` become cloze deletions `{{c1::answer::hint}}`
  (a multiple-choice gap shows its options as the hint).  A cloze gap takes one answer, so
  what it cannot hold (other accepted answers, partial credit, tolerances, feedback) is named
  in a warning.
- `calculated` / `calculatedsimple`: quizsite has no computed-question kind.  The question is
  imported as a numerical question for the first of Moodle's generated data sets, its
  wildcards `{a}` replaced by that set's values, with a warning naming what was lost (the
  other data sets, the formula); one whose answer cannot be computed is skipped, with a
  warning naming it.  `calculatedmulti`, `random`, drag-and-drop and other plug-in types are
  skipped with a warning naming the type.

Not carried, and said so per question when present: combined feedback other than Moodle's
default sentences, hints, units, images and other files (`@@PLUGINFILE@@`, `data:`), which
are taken out with their alt text kept (`flashcards.formats.images`).  Settings that only
shape Moodle's own quiz (penalty, hidden, idnumber, shuffleanswers, answernumbering,
response field size) are not imported.

Safety: the file is parsed by lxml with entity resolution, DTD loading and network access
off, and any file that declares a DTD is refused (Moodle never writes one), so XXE and
"billion laughs" files cannot read the server's files or expand to gigabytes.  Positions are
the lines lxml reports for each element.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from flashcards.formats import base
from flashcards.formats.base import (
    ERROR,
    WARNING,
    ImportFormatError,
    ParsedChoice,
    ParsedNumericalAnswer,
    ParsedQuestion,
    ParsedSet,
    Problem,
)
from flashcards.formats.gift_text import category_tag
from flashcards.formats.html import convert_html
from flashcards.formats.images import PLUGINFILE, image_problems, keep_moodle_image

CENT = Decimal("0.01")
NO_FILES = "quizsite does not import the files of a Moodle XML export."
# Stable warning classes (Problem.code).
LOST_IN_CONVERSION = "lost-in-conversion"
QUESTION_SKIPPED = "question-skipped"
CATEGORY_AS_TAG = "category-as-tag"
FILES_NOT_IMPORTED = "files-not-imported"
DEFAULT_COMBINED_FEEDBACK = {
    "",
    "Your answer is correct.",
    "Your answer is partially correct.",
    "Your answer is incorrect.",
}
PROLOG_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
PLUGINFILE_LINK = re.compile(r"\[([^\]]*)\]\(@@PLUGINFILE@@[^)]*\)")
SKIPPED_TYPES = {
    "calculatedmulti": "calculated multiple choice",
    "random": "random question",
    "randomsamatch": "random short-answer matching",
    "ddwtos": "drag and drop into text",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "gapselect": "select missing words",
    "ordering": "ordering",
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _prolog(raw: bytes) -> bytes:
    """The bytes before the root element, where a DTD would have to be."""
    for match in re.finditer(rb"<([^?!])", raw[:65536]):
        return raw[: match.start()]
    return raw[:65536]


def parse_tree(data: bytes | str):
    """The `<quiz>` element, or ImportFormatError naming the line of what is wrong."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        raise ImportFormatError("The file is empty.")
    if PROLOG_DTD.search(_prolog(raw)):
        raise ImportFormatError(
            "The file declares a DTD (<!DOCTYPE> or <!ENTITY>), which Moodle's exports never "
            "do; it is refused because entity declarations can read files on the server or "
            "expand to gigabytes."
        )
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        raise ImportFormatError(
            Problem(line or 1, column or 1, f"This is not well-formed XML: {error.msg}")
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:  # pragma: no cover - caught above
        raise ImportFormatError("The file declares a DTD, which is refused.")
    if root.tag != "quiz":
        raise ImportFormatError(
            Problem(
                root.sourceline or 1,
                1,
                f"A Moodle XML export starts with <quiz>, not <{root.tag}>.",
            )
        )
    return root


# --- reading text ------------------------------------------------------------------------------


def _text_of(element) -> str:
    """The `<text>` child's content, or the element's own text (Moodle writes both)."""
    if element is None:
        return ""
    child = element.find("text")
    value = child.text if child is not None else element.text
    return (value or "").strip()


def _number(element, name: str, default: str = "") -> str:
    child = element.find(name)
    if child is None:
        return default
    return _text_of(child) or default


class _Reader:
    """One question: its element, the problems found in it, and the images taken out."""

    def __init__(self, element, problems: list[Problem], number: int):
        self.element = element
        self.problems = problems
        self.number = number
        self.ok = True
        self.dropped: list[str] = []
        self.lost: list[str] = []

    @property
    def line(self) -> int:
        return self.element.sourceline or 1

    def error(self, element, message: str) -> None:
        line = element.sourceline if element is not None else self.line
        self.problems.append(Problem(line or self.line, 1, message, ERROR))
        self.ok = False

    def rich(self, element) -> str:
        """A text element (`format` html, moodle_auto_format, plain_text, markdown) as Markdown."""
        if element is None:
            return ""
        value = _text_of(element)
        fmt = element.get("format", "html")
        if fmt == "html" and value:
            converted = convert_html(value, keep_image=keep_moodle_image)
            self.dropped.extend(converted.dropped_images)
            value = PLUGINFILE_LINK.sub(r"\1", converted.markdown)
        elif fmt in {"moodle_auto_format", "plain_text"}:
            value = value.replace("\r\n", "\n")
        return value

    def child_rich(self, name: str) -> str:
        return self.rich(self.element.find(name))

    def fraction(self, answer) -> Decimal | None:
        raw = answer.get("fraction", "0")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.error(answer, f"The answer's fraction {raw!r} is not a number.")
            return None
        if not value.is_finite() or not -100 <= value <= 100:
            self.error(answer, f"The answer's fraction {raw} is outside -100..100.")
            return None
        return value

    def files(self) -> list[str]:
        names = []
        for file in self.element.iter("file"):
            name = file.get("name") or ""
            if name:
                names.append(name)
        return names


# --- question types ----------------------------------------------------------------------------


def _multichoice(reader: _Reader) -> ParsedQuestion:
    element = reader.element
    single = _number(element, "single", "true").lower() in {"true", "1"}
    choices = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = reader.rich(answer)
        if not text:
            reader.error(answer, "An answer has no text.")
        choices.append(
            ParsedChoice(
                text=text,
                weight=fraction.quantize(CENT),
                feedback=reader.rich(answer.find("feedback")),
            )
        )
    weights = [choice.weight for choice in choices]
    if not single:
        weights = base.weights_adding_to_100(weights)
    best = max(weights, default=Decimal(0))
    for choice, weight in zip(choices, weights, strict=True):
        choice.weight = weight
        # One right answer: the best one; several: every answer worth something.
        choice.is_correct = weight > 0 and (not single or weight == best)
        # Moodle's plain "right" (100% of one) and "wrong" (0% of several) need no weight.
        plain = weight == 100 if single else weight == 0
        if plain and (choice.is_correct or not single):
            choice.weight = None
    if len(choices) < 2:
        reader.error(element, "A multiple-choice question needs at least two answers.")
    elif not any(choice.is_correct for choice in choices):
        reader.error(element, "No answer of this multiple-choice question is worth anything.")
    _combined_feedback(reader)
    return ParsedQuestion(
        kind=base.MULTIPLE_CHOICE, prompt="", choices=choices, allow_multiple=not single
    )


COMBINED_FEEDBACK = {
    "correctfeedback": "feedback for any correct response",
    "partiallycorrectfeedback": "feedback for any partially correct response",
    "incorrectfeedback": "feedback for any incorrect response",
}


def _combined_feedback(reader: _Reader) -> None:
    for name, label in COMBINED_FEEDBACK.items():
        text = _text_of(reader.element.find(name))
        plain = re.sub(r"<[^>]+>", "", text).strip()
        if plain not in DEFAULT_COMBINED_FEEDBACK:
            reader.lost.append(f"the {label} ({plain[:40]!r})")


def _truefalse(reader: _Reader) -> ParsedQuestion:
    question = ParsedQuestion(kind=base.TRUE_FALSE, prompt="")
    for answer in reader.element.findall("answer"):
        word = _text_of(answer).lower()
        fraction = reader.fraction(answer)
        if word not in {"true", "false"}:
            reader.error(answer, f"A true/false answer must be 'true' or 'false', not {word!r}.")
            continue
        feedback = reader.rich(answer.find("feedback"))
        if word == "true":
            question.true_feedback = feedback
        else:
            question.false_feedback = feedback
        if fraction is not None and fraction == 100:
            question.correct_boolean = word == "true"
    if question.correct_boolean is None:
        reader.error(reader.element, "Neither 'true' nor 'false' is worth 100%.")
    return question


def _shortanswer(reader: _Reader) -> ParsedQuestion:
    element = reader.element
    choices = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = _text_of(answer)
        if not text:
            reader.error(answer, "An accepted answer is empty.")
        weight = fraction.quantize(CENT)
        choices.append(
            ParsedChoice(
                text=text,
                is_correct=weight > 0,
                weight=None if weight == 100 else weight,
                feedback=reader.rich(answer.find("feedback")),
            )
        )
    if not any(choice.is_correct for choice in choices):
        reader.error(element, "A short-answer question needs an answer worth more than 0%.")
    return ParsedQuestion(
        kind=base.SHORT_ANSWER,
        prompt="",
        choices=choices,
        case_sensitive=_number(element, "usecase", "0") == "1",
    )


def _float(reader: _Reader, element, raw: str, what: str) -> float | None:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        reader.error(element, f"The {what} {raw!r} is not a number.")
        return None
    return value


def _units(reader: _Reader) -> None:
    names = [_number(unit, "unit_name") for unit in reader.element.iter("unit")]
    names = [name for name in names if name]
    if names:
        reader.lost.append(f"units ({', '.join(names)})")


def _numerical(reader: _Reader) -> ParsedQuestion:
    element = reader.element
    answers = []
    for answer in element.findall("answer"):
        fraction = reader.fraction(answer)
        if fraction is None:
            continue
        text = _text_of(answer)
        feedback = reader.rich(answer.find("feedback"))
        if text == "*":
            answers.append(ParsedNumericalAnswer(weight=Decimal(0), feedback=feedback))
            continue
        value = _float(reader, answer, text, "answer")
        tolerance = _float(reader, answer, _number(answer, "tolerance", "0"), "tolerance")
        if tolerance is not None and tolerance < 0:
            reader.error(answer, "The tolerance cannot be negative.")
        answers.append(
            ParsedNumericalAnswer(
                value=value,
                tolerance=abs(tolerance or 0.0),
                weight=fraction.quantize(CENT),
                feedback=feedback,
            )
        )
    if not any(answer.weight == 100 for answer in answers):
        reader.error(element, "A numerical question needs an answer worth 100%.")
    _units(reader)
    return ParsedQuestion(kind=base.NUMERICAL, prompt="", numerical_answers=answers)


def _matching(reader: _Reader) -> ParsedQuestion:
    choices = []
    for sub in reader.element.findall("subquestion"):
        left = reader.rich(sub)
        right = _text_of(sub.find("answer"))
        if not right:
            reader.error(sub, "A matching pair has no answer.")
        choices.append(ParsedChoice(text=left, is_correct=True, match_text=right))
    if sum(1 for choice in choices if choice.text) < 2:
        reader.error(reader.element, "A matching question needs at least two pairs.")
    return ParsedQuestion(kind=base.MATCHING, prompt="", choices=choices)


def _essay(reader: _Reader) -> ParsedQuestion:
    return ParsedQuestion(
        kind=base.FREE_TEXT,
        prompt="",
        answer=reader.child_rich("graderinfo"),
        answer_optional=True,
    )


# --- calculated --------------------------------------------------------------------------------

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: math.fmod,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCTIONS = {
    name: getattr(math, name)
    for name in [
        *("acos", "asin", "atan", "atan2", "ceil", "cos", "cosh", "exp", "floor", "fmod"),
        *("log10", "sin", "sinh", "sqrt", "tan", "tanh", "acosh", "asinh", "atanh", "hypot"),
    ]
}
_FUNCTIONS.update(
    abs=abs,
    log=math.log,
    log1p=math.log1p,
    expm1=math.expm1,
    max=max,
    min=min,
    pow=math.pow,
    round=round,
    pi=lambda: math.pi,
    deg2rad=math.radians,
    rad2deg=math.degrees,
)
WILDCARD = re.compile(r"\{([A-Za-z_][\w]*)\}")


def evaluate_formula(formula: str, values: dict[str, float]) -> float:
    """A Moodle calculated formula (`{a} * sqrt({b})`) for these values, or ValueError.

    Only numbers, the wildcards, arithmetic and Moodle's math functions are allowed: the
    formula is parsed with `ast` and walked, never passed to eval.
    """
    missing = [name for name in WILDCARD.findall(formula) if name not in values]
    if missing:
        raise ValueError(f"no value for {{{missing[0]}}}")
    source = WILDCARD.sub(lambda match: f"({values[match.group(1)]!r})", formula)
    try:
        tree = ast.parse(source.replace("^", "**"), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"the formula cannot be read ({error.msg})") from None

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 1000:
                raise ValueError("an exponent is too large")
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and not node.keywords
        ):
            return float(_FUNCTIONS[node.func.id](*(walk(arg) for arg in node.args)))
        raise ValueError(f"'{ast.unparse(node)}' is not allowed in a formula")

    try:
        result = walk(tree)
    except (ArithmeticError, TypeError) as error:
        raise ValueError(f"the formula cannot be computed ({error})") from None
    if not math.isfinite(result):
        raise ValueError("the formula's result is not a finite number")
    return result


def _first_data_set(reader: _Reader) -> tuple[dict[str, float], int]:
    values, counts = {}, []
    for definition in reader.element.iter("dataset_definition"):
        name = _text_of(definition.find("name"))
        items = definition.findall("dataset_items/dataset_item")
        counts.append(len(items))
        first = min(items, key=lambda item: int(_number(item, "number", "0") or 0), default=None)
        if name and first is not None:
            try:
                values[name] = float(_number(first, "value"))
            except ValueError:
                continue
    return values, max(counts, default=0)


def _calculated(reader: _Reader, type_name: str) -> ParsedQuestion | None:
    values, variants = _first_data_set(reader)
    answers = []
    for answer in reader.element.findall("answer"):
        fraction = reader.fraction(answer)
        formula = _text_of(answer)
        if fraction is None or not formula:
            continue
        try:
            value = evaluate_formula(formula, values)
        except ValueError as error:
            _skip(reader, f"its answer {formula!r} cannot be computed: {error}")
            return None
        tolerance = abs(float(_number(answer, "tolerance", "0") or 0))
        kind = _number(answer, "tolerancetype", "1")
        numerical = ParsedNumericalAnswer(
            weight=fraction.quantize(CENT), feedback=reader.rich(answer.find("feedback"))
        )
        if kind == "3" and value > 0:  # geometric: value / (1 + t) … value * (1 + t)
            numerical.minimum, numerical.maximum = value / (1 + tolerance), value * (1 + tolerance)
        else:  # 1 relative (the default), 2 nominal
            numerical.value = value
            numerical.tolerance = tolerance * abs(value) if kind == "1" else tolerance
        answers.append(numerical)
    if not answers:
        _skip(reader, "it has no answer formula")
        return None
    if not any(answer.weight == 100 for answer in answers):
        reader.error(reader.element, "A calculated question needs an answer worth 100%.")
    shown = ", ".join(f"{name} = {value:g}" for name, value in sorted(values.items()))
    reader.lost.append(
        f"the formula and Moodle's {variants or 'other'} generated data sets: quizsite has no "
        f"calculated questions, so this {type_name} question was imported as a numerical "
        f"question for the first data set ({shown or 'no wildcards'})"
    )
    _units(reader)
    return ParsedQuestion(kind=base.NUMERICAL, prompt="", numerical_answers=answers)


def _fill_wildcards(text: str, values: dict[str, float]) -> str:
    return WILDCARD.sub(
        lambda match: f"{values[match.group(1)]:g}" if match.group(1) in values else match[0],
        text,
    )


# --- multianswer (cloze) -----------------------------------------------------------------------

EMBEDDED = re.compile(
    r"\{(?:(\d+):)?(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|NUMERICAL|NM|MULTICHOICE|MC|"
    r"MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|MULTICHOICE_S|MCS|MULTICHOICE_VS|MCVS|"
    r"MULTICHOICE_HS|MCHS|MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH|MULTIRESPONSE_S|MRS|"
    r"MULTIRESPONSE_HS|MRHS):((?:\\.|[^}\\])*)\}"
)
EMBEDDED_ANSWER = re.compile(
    r"(?:^|~)\s*(=|%(-?\d+(?:\.\d+)?)%)?((?:\\.|[^~#\\])*)(?:#((?:\\.|[^~\\])*))?"
)


def _unescape_embedded(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def _embedded_answers(body: str) -> list[tuple[Decimal, str, str]]:
    """(fraction, text, feedback) of each `~`-separated answer of an embedded question."""
    found = []
    for match in EMBEDDED_ANSWER.finditer(body):
        marker, percent, text, feedback = match.groups()
        if not (marker or text.strip() or feedback):
            continue
        fraction = Decimal(100) if marker == "=" else Decimal(percent or 0)
        found.append((fraction, _unescape_embedded(text), _unescape_embedded(feedback or "")))
    return found


def _cloze_markdown_escape(text: str) -> str:
    return text.replace("}}", "} }").replace("::", ": :")


def _multianswer(reader: _Reader, prompt: str) -> ParsedQuestion | None:
    """Embedded answers → cloze deletions, on the question text converted to Markdown."""
    pieces, position, number, grades = [], 0, 0, []
    for match in EMBEDDED.finditer(prompt):
        number += 1
        kind = match.group(2)
        answers = _embedded_answers(match.group(3))
        right = [answer for answer in answers if answer[0] == 100]
        if not right:
            reader.error(reader.element, f"Embedded answer {number} has no answer worth 100%.")
            return None
        hint = ""
        if kind.startswith(("MULTICHOICE", "MC", "MULTIRESPONSE", "MR")):
            hint = " / ".join(text for _fraction, text, _feedback in answers)
            if kind.startswith(("MULTIRESPONSE", "MR")) and len(right) > 1:
                reader.lost.append(f"gap {number}'s other right options (one answer per gap)")
        elif len(answers) > 1:
            others = ", ".join(repr(text) for _fraction, text, _feedback in answers[1:])
            reader.lost.append(f"gap {number}'s other answers ({others})")
        if kind in {"NUMERICAL", "NM"}:
            value = right[0][1].split(":", 1)
            if len(value) > 1 and value[1].strip() not in {"", "0"}:
                reader.lost.append(f"gap {number}'s tolerance (±{value[1].strip()})")
            answer_text = value[0].strip()
        else:
            answer_text = right[0][1]
        if any(feedback for _fraction, _text, feedback in answers):
            reader.lost.append(f"gap {number}'s feedback")
        if kind in {"SHORTANSWER_C", "SAC", "MWC"}:
            reader.lost.append(f"gap {number}'s case sensitivity")
        grades.append(Decimal(match.group(1) or 1))
        deletion = _cloze_markdown_escape(answer_text)
        if hint:
            deletion += "::" + _cloze_markdown_escape(hint)
        pieces.extend([prompt[position : match.start()], f"{{{{c{number}::{deletion}}}}}"])
        position = match.end()
    if not number:
        reader.error(reader.element, "A cloze (multianswer) question has no embedded answers.")
        return None
    pieces.append(prompt[position:])
    if len(set(grades)) > 1:
        reader.lost.append("the gaps' different grades (every gap counts the same)")
    # Moodle's `{2:…}` is the gap's grade; the question is worth their sum.
    return ParsedQuestion(kind=base.CLOZE, prompt="".join(pieces), points=sum(grades))


# --- the file ----------------------------------------------------------------------------------

READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "match": _matching,
    "matching": _matching,
    "essay": _essay,
}


def _skip(reader: _Reader, why: str) -> None:
    name = _text_of(reader.element.find("name")) or f"question {reader.number}"
    reader.problems.append(
        Problem(reader.line, 1, f"Question {name!r} was not imported: {why}.", WARNING,
                QUESTION_SKIPPED)
    )  # fmt: skip
    reader.ok = False


def _read_question(reader: _Reader, type_name: str, tags: list[str]) -> ParsedQuestion | None:
    element = reader.element
    if type_name in SKIPPED_TYPES:
        _skip(reader, f"quizsite has no {SKIPPED_TYPES[type_name]} questions ({type_name})")
        return None
    prompt = reader.child_rich("questiontext")
    values = {}
    if type_name in {"calculated", "calculatedsimple"}:
        question = _calculated(reader, type_name)
        values = _first_data_set(reader)[0]
        prompt = _fill_wildcards(prompt, values)
    elif type_name in {"multianswer", "cloze"}:
        question = _multianswer(reader, prompt)
        if question is not None:
            prompt = question.prompt
    elif type_name == "description":
        question = ParsedQuestion(kind=base.DESCRIPTION, prompt="")
    elif type_name in READERS:
        question = READERS[type_name](reader)
    else:
        _skip(reader, f"quizsite cannot read Moodle questions of type {type_name!r}")
        return None
    if question is None or not reader.ok:
        return None
    question.prompt = prompt
    question.title = _text_of(element.find("name"))
    question.general_feedback = _fill_wildcards(reader.child_rich("generalfeedback"), values)
    question.line, question.column = reader.line, 1
    grade = _number(element, "defaultgrade", str(question.points))
    try:
        question.points = Decimal(grade).quantize(CENT)
    except InvalidOperation:
        reader.error(element.find("defaultgrade"), f"The default grade {grade!r} is not a number.")
    own_tags = [_text_of(tag) for tag in element.findall("tags/tag")]
    question.tags = list(dict.fromkeys([*tags, *(tag for tag in own_tags if tag)]))
    if not question.prompt:
        reader.error(element, "The question has no text.")
    if element.findall("hint") and any(_text_of(hint) for hint in element.findall("hint")):
        reader.lost.append("its hints")
    return question if reader.ok else None


def _report(reader: _Reader, question: ParsedQuestion) -> None:
    reader.problems.extend(image_problems(question, reader.dropped, NO_FILES))
    dropped_names = {src[len(PLUGINFILE) :].lstrip("/") for src in reader.dropped}
    other_files = [name for name in reader.files() if name not in dropped_names]
    if other_files:
        names = ", ".join(repr(name) for name in dict.fromkeys(other_files))
        reader.problems.append(
            Problem(question.line, 1, f"Files not imported: {names}; {NO_FILES}", WARNING,
                    FILES_NOT_IMPORTED)
        )  # fmt: skip
    if reader.lost:
        reader.problems.append(
            Problem(question.line, 1, f"Not imported: {'; '.join(reader.lost)}.", WARNING,
                    LOST_IN_CONVERSION)
        )  # fmt: skip


def parse(data: bytes | str) -> ParsedSet:
    root = parse_tree(data)
    result = ParsedSet(format="moodlexml")
    category: list[str] = []
    warned_category = False
    number = 0
    for element in root.iterchildren("question"):
        type_name = (element.get("type") or "").strip().lower()
        if type_name == "category":
            tag = category_tag(_text_of(element.find("category")))
            category = [tag] if tag else []
            if tag and not warned_category:
                warned_category = True
                result.problems.append(
                    Problem(element.sourceline or 1, 1,
                            "Moodle categories are imported as tags (the category path, e.g. "
                            "'Deep learning/Chapter 4').", WARNING, CATEGORY_AS_TAG)
                )  # fmt: skip
            continue
        number += 1
        reader = _Reader(element, result.problems, number)
        question = _read_question(reader, type_name, category)
        if question is not None:
            _report(reader, question)
            result.questions.append(question)
    if number == 0:
        result.problems.append(Problem(root.sourceline or 1, 1, "No questions were found."))
    return result
