"""The intermediate representation every importer produces and every exporter consumes.

Parsers are pure: bytes or text in, a `ParsedSet` (questions plus problems) out, no database.
Keeping them free of the database makes them fast to test with hypothesis and lets the
service, the API preview and the management commands share one code path; question kinds are
`Question.Kind`'s, as everywhere else.  Field names mirror
`flashcards.models.content` so that saving is a plain copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flashcards.models import Question

Kind = Question.Kind

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something in the input that could not be read (error) or was read with a caveat (warning).

    Errors block the import as a whole; warnings are shown in the preview and do not.
    `line` and `column` are 1-based positions in the decoded text (or, for packages, in the
    part of the package named in the message).
    """

    line: int
    column: int
    message: str
    severity: str = ERROR
    # A stable name for the class of problem ("media-skipped", "row-merged", ...), for the
    # summaries that count warnings per class; empty for the general case.  `dropped` marks a
    # problem that left something of the file out.
    code: str = ""
    dropped: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
            "code": self.code,
            "dropped": self.dropped,
        }

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportFormatError(ValueError):
    """The only exception an importer raises: the input cannot be read at all.

    It carries the problems that explain why, each with line and column, so the API and the
    command can show them the same way as per-question problems.
    """

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(1, 1, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass
class ParsedChoice:
    text: str
    is_correct: bool = False
    weight: Decimal | None = None
    feedback: str = ""
    match_text: str = ""
    position: int | None = None


@dataclass
class ParsedNumericalAnswer:
    value: float | None = None
    tolerance: float = 0.0
    minimum: float | None = None
    maximum: float | None = None
    weight: Decimal = Decimal(100)
    feedback: str = ""
    position: int | None = None


@dataclass
class ParsedQuestion:
    kind: str
    prompt: str
    title: str = ""
    answer: str = ""
    general_feedback: str = ""
    points: Decimal = Decimal(1)
    tags: list[str] = field(default_factory=list)
    has_reverse: bool = False
    allow_multiple: bool = False
    correct_boolean: bool | None = None
    # Free text: the source format has no reference answers (Moodle essays), or the question
    # was stored without one (lossless JSON); the content rules then do not ask for one.
    answer_optional: bool = False
    # True/false: feedback for whoever answered true, and for whoever answered false.
    true_feedback: str = ""
    false_feedback: str = ""
    case_sensitive: bool = False
    normalize_whitespace: bool = True
    ignore_accents: bool = False
    rubric: list = field(default_factory=list)
    version: int = 1
    position: int | None = None
    choices: list[ParsedChoice] = field(default_factory=list)
    numerical_answers: list[ParsedNumericalAnswer] = field(default_factory=list)
    # Where the question starts in the source, for problems found after parsing.
    line: int = 1
    column: int = 1
    # A stable identity when the question comes from the database (Anki note GUIDs).
    ref: str = ""
    # Names (keys of ParsedSet.media) of the images the question's text refers to.
    media: list[str] = field(default_factory=list)


@dataclass
class ParsedMedia:
    """An image that came inside the file (Anki packages), checked and ready to store.

    `name` is the sanitised file name the question texts refer to; `content_type` was read
    from the bytes themselves, not from the name.
    """

    name: str
    data: bytes
    content_type: str
    original_name: str = ""


@dataclass
class ParsedSet:
    title: str = ""
    description: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = ""
    media: dict[str, ParsedMedia] = field(default_factory=dict)
    # Set once the content rules have been checked, so the service checks each set once.
    validated: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    def counts_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.kind] = counts.get(question.kind, 0) + 1
        return counts


@dataclass
class ExportResult:
    """Bytes to write plus what the target format could not carry (as warnings)."""

    content: bytes
    problems: list[Problem] = field(default_factory=list)
    extension: str = ""
    media_type: str = "application/octet-stream"


def weights_adding_to_100(weights: list[Decimal | None]) -> list[Decimal | None]:
    """Two-decimal weights of a several-answer question, the rounding of thirds undone.

    Moodle writes a third as 33.33333 and a sixth as 16.66667; rounded to the two decimals
    the database keeps, three thirds add up to 99.99 and six sixths to 100.02, which the
    content rules (positive weights add up to 100%) would refuse.  When the positive weights
    miss 100 by no more than rounding can explain, the last one takes the difference.
    """
    positive = [index for index, weight in enumerate(weights) if weight is not None and weight > 0]
    total = sum((weights[index] for index in positive), Decimal(0))
    if not positive or total == 100 or abs(total - 100) > Decimal("0.005") * len(positive):
        return weights
    adjusted = list(weights)
    adjusted[positive[-1]] += Decimal(100) - total
    return adjusted


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text`."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def card_front(question: ParsedQuestion) -> str:
    """The question as the front of a study card, options listed (for Anki and CSV)."""
    if question.kind == Kind.MULTIPLE_CHOICE:
        options = "\n".join(f"- {choice.text}" for choice in question.choices)
        return f"{question.prompt}\n\n{options}"
    if question.kind == Kind.MATCHING:
        left = "\n".join(f"- {choice.text}" for choice in question.choices if choice.text)
        return f"{question.prompt}\n\n{left}"
    return question.prompt


def card_back(question: ParsedQuestion) -> str:
    """The right answers and the explanation as the back of a study card."""
    lines: list[str] = []
    if question.kind in (Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER):
        right = [choice.text for choice in question.choices if choice.is_correct]
        lines.extend(f"- {text}" for text in right)
    elif question.kind == Kind.MATCHING:
        lines.extend(f"- {c.text} → {c.match_text}" for c in question.choices if c.text)
    elif question.kind == Kind.TRUE_FALSE and question.correct_boolean is not None:
        lines.append("True" if question.correct_boolean else "False")
    elif question.kind == Kind.NUMERICAL:
        for answer in question.numerical_answers:
            if answer.minimum is not None and answer.maximum is not None:
                lines.append(f"- {answer.minimum} … {answer.maximum}")
            elif answer.value is not None:
                lines.append(f"- {answer.value} ± {answer.tolerance}")
    if question.answer:
        lines.extend(["", question.answer])
    return "\n".join(lines).strip()
