"""The summary every import path shows (the command, the API and the wizard): questions per
kind, errors and warnings with their count per class, every item left out, and the first
problems in line order.  Built once from a parsed set; JSON-safe, so a session stores it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from flashcards.formats.base import ParsedSet, Problem

PREVIEW_PROBLEMS = 200
PREVIEW_QUESTIONS = 20

# Readable names of the warning classes the importers give their problems (`Problem.code`).
PROBLEM_CLASSES = {
    "": _("Other"),
    "media-skipped": _("Media left out"),
    "media-unused": _("Media used by no note"),
    "note-dropped": _("Notes left out"),
    "fields-joined": _("Fields joined into the back"),
    "row-merged": _("Rows merged"),
    "row-dropped": _("Rows left out"),
    "columns-ignored": _("Columns not imported"),
    "quote-literal": _("Quotes read as text"),
    "prose-skipped": _("Prose not imported"),
    "unsure-question": _("Questions to check"),
    "long-answer": _("Long answers"),
    "numbering-gap": _("Gaps in the numbering"),
    "encoding": _("Encoding"),
    "too-many-questions": _("Too many questions"),
    "too-many-errors": _("Too many errors"),
    "category-as-tag": _("Categories kept as tags"),
    "lost-in-conversion": _("Lost in conversion"),
    "question-skipped": _("Questions left out"),
    "files-not-imported": _("Files not imported"),
    "image-not-imported": _("Images not imported"),
    "image-shown-as-link": _("Images shown as links"),
}


# Classes that mean something of the file was left out, for importers that mark them by class
# rather than with `Problem.dropped`.
DROPPED_CODES = {
    "question-skipped",
    "lost-in-conversion",
    "files-not-imported",
    "image-not-imported",
}


def _class_label(code: str) -> str:
    return str(PROBLEM_CLASSES.get(code, code.replace("-", " ").capitalize()))


def import_summary(
    parsed: ParsedSet, *, source: str | None = None, limit: int = PREVIEW_PROBLEMS
) -> dict:
    """What an import found, the same for the command, the API and the wizard: questions per
    kind, errors and warnings with their count per class, every item left out, and the first
    `limit` problems in line order (with the source line when `source` is the file's text).

    JSON-safe, so an import session stores it once and every later preview only reads it.
    """
    lines = source.split("\n") if source is not None else []
    ordered = sorted(parsed.problems, key=lambda p: (p.line, p.column, not p.is_error))

    def row(problem: Problem) -> dict:
        text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
        return {**problem.as_dict(), "source": text[:300]}

    classes: dict[tuple[str, str], int] = {}
    for problem in parsed.problems:
        key = (problem.severity, problem.code)
        classes[key] = classes.get(key, 0) + 1
    dropped = [p for p in ordered if p.dropped or (p.code in DROPPED_CODES and not p.is_error)]
    errors = len(parsed.errors)
    return {
        "format": parsed.format,
        "title": parsed.title,
        "total": len(parsed.questions),
        "counts": parsed.counts_by_kind(),
        "media": len(parsed.media),
        "errors": errors,
        "warnings": len(parsed.problems) - errors,
        "classes": [
            {"severity": severity, "code": code, "label": _class_label(code), "count": count}
            for (severity, code), count in sorted(classes.items())
        ],
        "dropped_total": len(dropped),
        "dropped": [row(problem) for problem in dropped[:limit]],
        "problems_total": len(ordered),
        "problems": [row(problem) for problem in ordered[:limit]],
        "questions": [
            {
                "line": question.line,
                "kind": question.kind,
                "title": question.title,
                "prompt": question.prompt[:300],
            }
            for question in parsed.questions[:PREVIEW_QUESTIONS]
        ],
        "can_confirm": not errors and bool(parsed.questions),
    }


def summary_text(summary: dict) -> list[str]:
    """The summary as lines of plain text (the management command prints these)."""
    counts = ", ".join(f"{count} {kind}" for kind, count in sorted(summary["counts"].items()))
    lines = [
        f"{summary['format']}, {summary['total']} questions ({counts or 'none'}), "
        f"{summary['media']} images, {summary['errors']} errors, {summary['warnings']} warnings"
    ]
    for item in summary["classes"]:
        lines.append(f"  {item['severity']}s: {item['label']}: {item['count']}")
    if summary["dropped_total"]:
        lines.append(f"  left out of the file: {summary['dropped_total']} item(s)")
    return lines
