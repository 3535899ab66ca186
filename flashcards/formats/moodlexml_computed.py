"""Moodle XML, the types quizsite has no kind of its own for: calculated questions (imported
as numerical ones for Moodle's first data set, the formula evaluated safely) and multianswer
(cloze) questions, whose embedded answers become cloze deletions.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from flashcards.formats.base import ParsedNumericalAnswer, ParsedQuestion
from flashcards.formats.moodlexml_kinds import report_units
from flashcards.formats.moodlexml_reader import CENT, Reader, child_text, skip, text_of
from flashcards.models import Question

Kind = Question.Kind

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
        raise ValueError(_("no value for {%(name)s}") % {"name": missing[0]})
    source = WILDCARD.sub(lambda match: f"({values[match.group(1)]!r})", formula)
    try:
        tree = ast.parse(source.replace("^", "**"), mode="eval")
    except SyntaxError as error:
        raise ValueError(
            _("the formula cannot be read (%(error)s)") % {"error": error.msg}
        ) from None

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 1000:
                raise ValueError(_("an exponent is too large"))
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
        raise ValueError(_("'%(part)s' is not allowed in a formula") % {"part": ast.unparse(node)})

    try:
        result = walk(tree)
    except (ArithmeticError, TypeError) as error:
        raise ValueError(
            _("the formula cannot be computed (%(error)s)") % {"error": error}
        ) from None
    if not math.isfinite(result):
        raise ValueError(_("the formula's result is not a finite number"))
    return result


def first_data_set(reader: Reader) -> tuple[dict[str, float], int]:
    values, counts = {}, []
    for definition in reader.element.iter("dataset_definition"):
        name = text_of(definition.find("name"))
        items = definition.findall("dataset_items/dataset_item")
        counts.append(len(items))
        first = min(items, key=lambda item: int(child_text(item, "number", "0") or 0), default=None)
        if name and first is not None:
            try:
                values[name] = float(child_text(first, "value"))
            except ValueError:
                continue
    return values, max(counts, default=0)


def calculated(reader: Reader, type_name: str) -> ParsedQuestion | None:
    values, variants = first_data_set(reader)
    answers = []
    for answer in reader.element.findall("answer"):
        fraction = reader.fraction(answer)
        formula = text_of(answer)
        if fraction is None or not formula:
            continue
        try:
            value = evaluate_formula(formula, values)
        except ValueError as error:
            skip(
                reader,
                _("its answer %(formula)r cannot be computed: %(error)s")
                % {"formula": formula, "error": error},
            )
            return None
        tolerance = abs(float(child_text(answer, "tolerance", "0") or 0))
        kind = child_text(answer, "tolerancetype", "1")
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
        skip(reader, _("it has no answer formula"))
        return None
    if not any(answer.weight == 100 for answer in answers):
        reader.error(reader.element, _("A calculated question needs an answer worth 100%%.") % {})
    shown = ", ".join(f"{name} = {value:g}" for name, value in sorted(values.items()))
    reader.lost.append(
        _(
            "the formula and Moodle's %(count)s generated data sets: quizsite has "
            "no calculated questions, so this %(type_name)s question was imported "
            "as a numerical question for the first data set (%(values)s)"
        )
        % {
            "count": variants or _("other"),
            "type_name": type_name,
            "values": shown or _("no wildcards"),
        }
    )
    report_units(reader)
    return ParsedQuestion(kind=Kind.NUMERICAL, prompt="", numerical_answers=answers)


def fill_wildcards(text: str, values: dict[str, float]) -> str:
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


def multianswer(reader: Reader, prompt: str) -> ParsedQuestion | None:
    """Embedded answers → cloze deletions, on the question text converted to Markdown."""
    pieces, position, number, grades = [], 0, 0, []
    for match in EMBEDDED.finditer(prompt):
        number += 1
        kind = match.group(2)
        answers = _embedded_answers(match.group(3))
        right = [answer for answer in answers if answer[0] == 100]
        if not right:
            reader.error(
                reader.element,
                _("Embedded answer %(number)s has no answer worth 100%%.") % {"number": number},
            )
            return None
        hint = ""
        if kind.startswith(("MULTICHOICE", "MC", "MULTIRESPONSE", "MR")):
            hint = " / ".join(text for _fraction, text, _feedback in answers)
            if kind.startswith(("MULTIRESPONSE", "MR")) and len(right) > 1:
                reader.lost.append(
                    _("gap %(number)s's other right options (one answer per gap)")
                    % {"number": number}
                )
        elif len(answers) > 1:
            others = ", ".join(repr(text) for _fraction, text, _feedback in answers[1:])
            reader.lost.append(
                _("gap %(number)s's other answers (%(others)s)")
                % {"number": number, "others": others}
            )
        if kind in {"NUMERICAL", "NM"}:
            value = right[0][1].split(":", 1)
            if len(value) > 1 and value[1].strip() not in {"", "0"}:
                reader.lost.append(
                    _("gap %(number)s's tolerance (±%(value)s)")
                    % {"number": number, "value": value[1].strip()}
                )
            answer_text = value[0].strip()
        else:
            answer_text = right[0][1]
        if any(feedback for _fraction, _text, feedback in answers):
            reader.lost.append(_("gap %(number)s's feedback") % {"number": number})
        if kind in {"SHORTANSWER_C", "SAC", "MWC"}:
            reader.lost.append(_("gap %(number)s's case sensitivity") % {"number": number})
        grades.append(Decimal(match.group(1) or 1))
        deletion = _cloze_markdown_escape(answer_text)
        if hint:
            deletion += "::" + _cloze_markdown_escape(hint)
        pieces.extend([prompt[position : match.start()], f"{{{{c{number}::{deletion}}}}}"])
        position = match.end()
    if not number:
        reader.error(reader.element, _("A cloze (multianswer) question has no embedded answers."))
        return None
    pieces.append(prompt[position:])
    if len(set(grades)) > 1:
        reader.lost.append(_("the gaps' different grades (every gap counts the same)"))
    # Moodle's `{2:…}` is the gap's grade; the question is worth their sum.
    return ParsedQuestion(kind=Kind.CLOZE, prompt="".join(pieces), points=sum(grades))
