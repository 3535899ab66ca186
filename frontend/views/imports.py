"""The import wizard: upload (or paste) → preview with counts and line-numbered problems →
confirm; and the set page's export buttons.

Nothing typed or uploaded is lost on the way: a file that cannot be read comes back as text
in the form, next to its problems, and a preview with errors offers the same text to fix in
place and check again.  The work is `flashcards.services.imports`; these views only carry it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flashcards.formats import IMPORT_FORMATS, ImportFormatError, Problem
from flashcards.formats.encoding import decode_text
from flashcards.models import ImportSession, Question
from flashcards.selectors.content import sets_editable_by
from flashcards.selectors.exports import export_formats_for
from flashcards.services import import_preview as checks
from flashcards.services import imports as service
from frontend.forms_imports import FORMAT_LABELS, ImportForm


def _require_importer(user) -> None:
    if not checks.can_import(user) and not sets_editable_by(user).exists():
        raise PermissionDenied


def _form(user, data=None, files=None, initial=None) -> ImportForm:
    sets = sets_editable_by(user).order_by("title").values_list("pk", "title")
    return ImportForm(data, files, initial=initial, formats=IMPORT_FORMATS, sets=list(sets))


def _source_text(data: bytes) -> str | None:
    """The upload as text for the fix-it box; None for binary packages (Anki)."""
    try:
        text, _warnings = decode_text(data)
    except ImportFormatError:
        return None
    return text


def _summary_rows(rows: list[dict]) -> list[dict]:
    """The summary's problems as the problem list shows them."""
    return [{**row, "is_error": row["severity"] == "error"} for row in rows]


def _options(values: dict) -> dict:
    return {
        key: values[key] for key in ("separator", "row_separator", "quoting") if values.get(key)
    }


def _problem_rows(problems: list[Problem], text: str | None) -> list[dict]:
    lines = text.split("\n") if text is not None else []
    rows = []
    for problem in sorted(problems, key=lambda p: (p.line, p.column)):
        source = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
        rows.append(
            {
                "line": problem.line,
                "column": problem.column,
                "message": problem.message,
                "is_error": problem.is_error,
                "source": source,
            }
        )
    return rows


def _read(upload) -> bytes:
    if upload.size is not None:
        checks.check_size(upload.size)
    return upload.read()


@login_required
def import_start(request):
    user = request.user
    _require_importer(user)
    initial = {}
    set_id = request.GET.get("set", "")
    if set_id.isdigit() and sets_editable_by(user).filter(pk=int(set_id)).exists():
        initial["target"] = int(set_id)
    form = _form(user, request.POST or None, request.FILES or None, initial=initial)
    problems = []
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        upload = values.get("file")
        target = None
        if values.get("target"):
            target = sets_editable_by(user).filter(pk=values["target"]).first()
        data = b""
        try:
            data = _read(upload) if upload else values["text"].encode("utf-8")
            session, _parsed = service.create_import_session(
                user=user,
                data=data,
                filename=(upload.name if upload else "") or "",
                fmt=values.get("format") or None,
                target_set=target,
                title=values.get("title", ""),
                options=_options(values),
            )
        except ImportFormatError as error:
            text = _source_text(data) if data else None
            if text is not None and upload:
                # Keep what was uploaded: the file comes back as text to correct here.
                form = _form(user, {**request.POST.dict(), "text": text})
                form.is_valid()
            form.add_error(None, _("The file cannot be imported; see the problems below."))
            problems = _problem_rows(error.problems, text)
        else:
            if values.get("replaces"):
                ImportSession.objects.filter(
                    pk=values["replaces"], owner=user, status=ImportSession.Status.PENDING
                ).delete()
            return redirect("import-preview", pk=session.pk)
    context = {"form": form, "problems": problems, "nav": "sets"}
    status = 400 if form.errors else 200
    return render(request, "frontend/imports/start.html", context, status=status)


def _own_session(user, pk) -> ImportSession:
    return get_object_or_404(ImportSession.objects.select_related("target_set"), pk=pk, owner=user)


@login_required
def import_preview(request, pk):
    """Shows the summary stored with the session: no parsing here, however large the file."""
    session = _own_session(request.user, pk)
    if session.status != ImportSession.Status.PENDING:
        if session.question_set_id:
            return redirect("set-edit", pk=session.question_set_id)
        raise Http404
    try:
        summary = service.session_summary(session)
    except ImportFormatError as error:
        text = _source_text(bytes(session.data)) if session.format != "apkg" else None
        summary, problems = None, _problem_rows(error.problems, text)
    else:
        problems = _summary_rows(summary["problems"])
    kinds = dict(Question.Kind.choices)
    counts = []
    if summary is not None:
        counts = [
            {"kind": kinds.get(kind, kind), "count": count}
            for kind, count in summary["counts"].items()
        ]
    errors = summary["errors"] if summary else sum(1 for p in problems if p["is_error"])
    fix_form = None
    if errors and session.format != "apkg":
        text = _source_text(bytes(session.data))
        if text is not None:
            fix_form = _form(
                request.user,
                initial={
                    "text": text,
                    "format": session.format,
                    "target": session.target_set_id,
                    "title": session.title,
                    "replaces": session.pk,
                    **(summary or {}).get("options", {}),
                },
            )
    context = {
        "session": session,
        "format_label": FORMAT_LABELS.get(session.format, session.format),
        "summary": summary,
        "counts": counts,
        "total": summary["total"] if summary else 0,
        "media": summary["media"] if summary else 0,
        "problems": problems,
        "problems_total": summary["problems_total"] if summary else len(problems),
        "classes": summary["classes"] if summary else [],
        "dropped": _summary_rows(summary["dropped"]) if summary else [],
        "dropped_total": summary["dropped_total"] if summary else 0,
        "errors": errors,
        "warnings": summary["warnings"] if summary else len(problems) - errors,
        "questions": [
            {
                "line": q["line"],
                "kind": kinds.get(q["kind"], q["kind"]),
                "text": q["title"] or q["prompt"][:200],
            }
            for q in (summary["questions"] if summary else [])
        ],
        "can_confirm": bool(summary and summary["can_confirm"]),
        "fix_form": fix_form,
        "nav": "sets",
    }
    return render(request, "frontend/imports/preview.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    session = _own_session(request.user, pk)
    try:
        outcome = service.confirm_import_session(user=request.user, session=session)
    except service.AlreadyImported:
        messages.info(request, _("This file has already been imported."))
        if session.question_set_id:
            return redirect("set-edit", pk=session.question_set_id)
        return redirect("set-list")
    except ImportFormatError as error:
        messages.error(request, "; ".join(str(problem) for problem in error.problems))
        return redirect("import-preview", pk=session.pk)
    except (DataError, IntegrityError) as error:
        messages.error(request, _("The questions could not be saved: %(error)s") % {"error": error})
        return redirect("import-preview", pk=session.pk)
    messages.success(
        request,
        _("Imported %(count)s questions into %(title)s.")
        % {"count": outcome.created, "title": outcome.question_set.title},
    )
    return redirect("set-edit", pk=outcome.question_set.pk)


# --- hooks into the set pages -----------------------------------------------------------------


def import_editor_extra(question_set) -> list[dict]:
    url = f"{reverse('import-start')}?set={question_set.pk}"
    return [{"label": _("Import questions into this set"), "url": url}]


def export_links(user, question_set) -> list[dict]:
    return [
        {
            "label": FORMAT_LABELS.get(fmt, fmt.upper()),
            "format": fmt,
            "url": reverse("flashcards:question-set-export", args=[question_set.pk, fmt]),
        }
        for fmt in export_formats_for(user, question_set)
    ]
