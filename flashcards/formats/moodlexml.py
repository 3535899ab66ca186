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

Safety: the file is parsed with entity resolution, DTD loading and network access off, and a
file that declares a DTD is refused (`flashcards.formats.moodlexml_reader`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashcards.formats.base import WARNING, ParsedQuestion, ParsedSet, Problem
from flashcards.formats.gift_text import category_tag
from flashcards.formats.images import PLUGINFILE, image_problems
from flashcards.formats.moodlexml_computed import (
    calculated,
    fill_wildcards,
    first_data_set,
    multianswer,
)
from flashcards.formats.moodlexml_kinds import (
    essay,
    matching,
    multichoice,
    numerical,
    shortanswer,
    truefalse,
)
from flashcards.formats.moodlexml_reader import CENT, Reader, child_text, parse_tree, skip, text_of
from flashcards.models import Question

Kind = Question.Kind

NO_FILES = gettext_lazy("quizsite does not import the files of a Moodle XML export.")
# Stable warning classes (Problem.code).
LOST_IN_CONVERSION = "lost-in-conversion"
CATEGORY_AS_TAG = "category-as-tag"
FILES_NOT_IMPORTED = "files-not-imported"
SKIPPED_TYPES = {
    "calculatedmulti": gettext_lazy("calculated multiple choice"),
    "random": gettext_lazy("random question"),
    "randomsamatch": gettext_lazy("random short-answer matching"),
    "ddwtos": gettext_lazy("drag and drop into text"),
    "ddimageortext": gettext_lazy("drag and drop onto image"),
    "ddmarker": gettext_lazy("drag and drop markers"),
    "gapselect": gettext_lazy("select missing words"),
    "ordering": gettext_lazy("ordering"),
}

READERS = {
    "multichoice": multichoice,
    "truefalse": truefalse,
    "shortanswer": shortanswer,
    "numerical": numerical,
    "match": matching,
    "matching": matching,
    "essay": essay,
}


def _read_question(reader: Reader, type_name: str, tags: list[str]) -> ParsedQuestion | None:
    element = reader.element
    if type_name in SKIPPED_TYPES:
        skip(
            reader,
            _("quizsite has no %(type_label)s questions (%(type_name)s)")
            % {"type_label": SKIPPED_TYPES[type_name], "type_name": type_name},
        )
        return None
    prompt = reader.child_rich("questiontext")
    values = {}
    if type_name in {"calculated", "calculatedsimple"}:
        question = calculated(reader, type_name)
        values = first_data_set(reader)[0]
        prompt = fill_wildcards(prompt, values)
    elif type_name in {"multianswer", "cloze"}:
        question = multianswer(reader, prompt)
        if question is not None:
            prompt = question.prompt
    elif type_name == "description":
        question = ParsedQuestion(kind=Kind.DESCRIPTION, prompt="")
    elif type_name in READERS:
        question = READERS[type_name](reader)
    else:
        skip(
            reader,
            _("quizsite cannot read Moodle questions of type %(type_name)r")
            % {"type_name": type_name},
        )
        return None
    if question is None or not reader.ok:
        return None
    question.prompt = prompt
    question.title = text_of(element.find("name"))
    question.general_feedback = fill_wildcards(reader.child_rich("generalfeedback"), values)
    question.line, question.column = reader.line, 1
    grade = child_text(element, "defaultgrade", str(question.points))
    try:
        question.points = Decimal(grade).quantize(CENT)
    except InvalidOperation:
        reader.error(
            element.find("defaultgrade"),
            _("The default grade %(grade)r is not a number.") % {"grade": grade},
        )
    own_tags = [text_of(tag) for tag in element.findall("tags/tag")]
    question.tags = list(dict.fromkeys([*tags, *(tag for tag in own_tags if tag)]))
    if not question.prompt:
        reader.error(element, _("The question has no text."))
    if element.findall("hint") and any(text_of(hint) for hint in element.findall("hint")):
        reader.lost.append(_("its hints"))
    return question if reader.ok else None


def _report(reader: Reader, question: ParsedQuestion) -> None:
    reader.problems.extend(image_problems(question, reader.dropped, NO_FILES))
    dropped_names = {src[len(PLUGINFILE) :].lstrip("/") for src in reader.dropped}
    other_files = [name for name in reader.files() if name not in dropped_names]
    if other_files:
        names = ", ".join(repr(name) for name in dict.fromkeys(other_files))
        reader.problems.append(
            Problem(
                question.line,
                1,
                _("Files not imported: %(names)s; %(no_files)s")
                % {"names": names, "no_files": NO_FILES},
                WARNING,
                FILES_NOT_IMPORTED,
            )
        )
    if reader.lost:
        reader.problems.append(
            Problem(
                question.line,
                1,
                _("Not imported: %(lost)s.") % {"lost": "; ".join(reader.lost)},
                WARNING,
                LOST_IN_CONVERSION,
            )
        )


def parse(data: bytes | str) -> ParsedSet:
    root = parse_tree(data)
    result = ParsedSet(format="moodlexml")
    category: list[str] = []
    warned_category = False
    number = 0
    for element in root.iterchildren("question"):
        type_name = (element.get("type") or "").strip().lower()
        if type_name == "category":
            tag = category_tag(text_of(element.find("category")))
            category = [tag] if tag else []
            if tag and not warned_category:
                warned_category = True
                result.problems.append(
                    Problem(
                        element.sourceline or 1,
                        1,
                        _(
                            "Moodle categories are imported as tags (the category path, e.g. 'Deep "
                            "learning/Chapter 4')."
                        ),
                        WARNING,
                        CATEGORY_AS_TAG,
                    )
                )
            continue
        number += 1
        reader = Reader(element, result.problems, number)
        question = _read_question(reader, type_name, category)
        if question is not None:
            _report(reader, question)
            result.questions.append(question)
    if number == 0:
        result.problems.append(Problem(root.sourceline or 1, 1, _("No questions were found.")))
    return result
