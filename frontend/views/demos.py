"""Live demo pages: the list, a demo's parameter form and its run, the digit canvas, and the
instructor's demo attachments in the question editor.

Runs are requested through `training.services.runs.request_run` (cached, rate-limited) and
attachments through `training.services.attachments`; the forms are generated from each demo's
parameter schema, and the schema's own validation is the one that speaks (next to the input
it is about), so the page never disagrees with the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flashcards.models import Question
from training.models import CAPTION_MAX_LENGTH
from training.params import DemoParameterError
from training.registry import all_demos, get_demo
from training.selectors.attachments import (
    attachment_with_question,
    attachments_for_question,
    question_access,
)
from training.selectors.results import attachment_result, run_result
from training.selectors.runs import run_for_display
from training.services import attachments as attachment_services
from training.services.runs import RateLimited, request_run

# Demos that only make sense with their own page (the canvas) or as the site's own training
# job are listed apart from the parameter-form demos.
DRAWING_DEMO = "digit-recognition"


def _demo_or_404(slug: str):
    try:
        return get_demo(slug)
    except LookupError:
        raise Http404 from None


def _value_text(value) -> str:
    """A value as a form input holds it: never localised, since the schema parses it back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _number_text(value) -> str | None:
    """A bound as a person reads it: 2,147,483,647 (in their language), not 2.14748e+09."""
    if value is None:
        return None
    if isinstance(value, int) or float(value).is_integer():
        return formats.number_format(int(value), force_grouping=True)
    return formats.number_format(float(f"{value:.6g}"))


def _shown_value(entry: dict, value) -> str:
    """The default as a person reads it: the choice's name, or the number in their language."""
    if entry["type"] == "choice":
        return str(entry.get("choice_labels", {}).get(value, value))
    if entry["type"] == "bool":
        return _("yes") if value else _("no")
    if entry["type"] in {"int", "float"}:
        return _number_text(value)
    return _value_text(value)


def schema_fields(demo, values: dict | None = None, errors: dict | None = None, prefix=""):
    """The inputs of a demo's form: one per parameter, with its label, unit, bounds, default
    and any error; a slider (with its value shown) for a continuous parameter that asks."""
    values = values or {}
    errors = errors or {}
    fields = []
    for entry in demo.schema.describe():
        name = entry["name"]
        kind = entry["type"]
        value = values.get(name, entry["default"])
        field_errors = errors.get(name, [])
        labels = entry.get("choice_labels", {})
        field = {
            **entry,
            "id": f"{prefix}param-{name}",
            "input_name": f"{prefix}{name}",
            "label": entry["label"],
            "errors": field_errors,
            "is_bool": kind == "bool",
            "is_choice": kind == "choice",
            "is_number": kind in {"int", "float"},
            "is_slider": bool(entry.get("slider")) and not field_errors,
            "options": [
                (choice, labels.get(choice, choice)) for choice in entry.get("choices", [])
            ],
            "step": _value_text(entry.get("step")) if entry.get("step") else "any",
            "checked": _value_text(value) in {"true", "on", "1"},
            "value": _value_text(value) if not isinstance(value, str) else value,
            "value_text": _number_text(value) if isinstance(value, int | float) else "",
            "default_text": _shown_value(entry, entry["default"]),
            "minimum_text": _number_text(entry.get("minimum")),
            "maximum_text": _number_text(entry.get("maximum")),
            "minimum_value": _value_text(entry.get("minimum")),
            "maximum_value": _value_text(entry.get("maximum")),
        }
        fields.append(field)
    return fields


def raw_params(demo, post, prefix="") -> dict:
    """What the person typed, as text: the schema parses it (and says what is wrong)."""
    raw = {}
    for entry in demo.schema.describe():
        key = f"{prefix}{entry['name']}"
        if entry["type"] == "bool":
            raw[entry["name"]] = "true" if post.get(key) else "false"
        elif key in post:
            raw[entry["name"]] = post.get(key, "").strip()
    return raw


def demo_list(request):
    demos = [d for d in all_demos() if d.slug != "digit-cnn-training"]
    return render(
        request,
        "frontend/demos/list.html",
        {"demos": demos, "drawing": DRAWING_DEMO, "nav": "demos"},
    )


def demo_page(request, slug: str):
    demo = _demo_or_404(slug)
    values, errors, status, run, retry_after = None, {}, 200, None, None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        values = raw_params(demo, request.POST)
        try:
            requested = request_run(demo_slug=demo.slug, params=values, user=request.user)
        except DemoParameterError as error:
            errors, status = error.errors, 400
        except RateLimited as error:
            messages.error(
                request,
                _("You have started many demo runs; try again in %(seconds)s seconds.")
                % {"seconds": error.retry_after},
            )
            status, retry_after = 429, error.retry_after
        else:
            return redirect(f"{reverse('demo-page', args=[demo.slug])}?run={requested.run.pk}")
    elif request.GET.get("run", "").isdigit():
        run = run_for_display(int(request.GET["run"]))
        if run is not None and run.demo != demo.slug:
            run = None
        if run is not None:
            values = run.params
    context = {
        "demo": demo,
        "fields": schema_fields(demo, values, errors),
        "general_errors": errors.get("__all__", []),
        "run": run_result(run) if run else None,
        "nav": "demos",
    }
    response = render(request, "frontend/demos/detail.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


def run_panel(request, pk: int):
    """The run's state as a fragment; while it is unfinished the fragment polls itself."""
    run = run_for_display(pk)
    if run is None:
        raise Http404
    return render(request, "frontend/demos/_run_panel.html", {"run": run_result(run)})


def draw_digit(request):
    return render(
        request,
        "frontend/demos/draw.html",
        {"predict_url": reverse("training:digit-prediction"), "nav": "demos"},
    )


# --- attachments in the question editor ------------------------------------------------------


def _editable_question(user, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("question_set"), pk=pk)
    may_view, may_edit = question_access(user, question)
    if not may_view:
        raise Http404
    if not may_edit:
        raise PermissionDenied
    return question


def _panel_context(question, *, demo_slug=None, values=None, errors=None, caption=""):
    demos = [d for d in all_demos() if d.slug != "digit-cnn-training"]
    chosen = _demo_or_404(demo_slug) if demo_slug else demos[0]
    return {
        "template": "frontend/demos/_attach_panel.html",
        "question": question,
        "attachments": [attachment_result(a) for a in attachments_for_question(question)],
        "demos": demos,
        "chosen": chosen,
        "fields": schema_fields(chosen, values, errors, prefix="p-"),
        "general_errors": (errors or {}).get("__all__", []),
        "demo_errors": (errors or {}).get("demo", []),
        "caption": caption,
        "caption_max_length": CAPTION_MAX_LENGTH,
        "caption_errors": (errors or {}).get("caption", []),
    }


def question_demo_panel(question) -> list[dict]:
    return [{**_panel_context(question), "template": "frontend/demos/_attach_extra.html"}]


@login_required
def question_demos(request, pk: int):
    """GET: the attachment panel; POST: attach the chosen demo with its parameters."""
    question = _editable_question(request.user, pk)
    if request.method != "POST":
        return _panel_response(request, question, _panel_context(question))
    slug = request.POST.get("demo", "")
    caption = request.POST.get("caption", "")
    try:
        demo = get_demo(slug)
    except LookupError:
        context = _panel_context(
            question, errors={"demo": [_("Choose one of the demos.")]}, caption=caption
        )
        return _panel_response(request, question, context, 400)
    values = raw_params(demo, request.POST, prefix="p-")
    if len(caption.strip()) > CAPTION_MAX_LENGTH:
        errors = {"caption": [_("At most %(n)s characters.") % {"n": CAPTION_MAX_LENGTH}]}
        context = _panel_context(
            question, demo_slug=slug, values=values, errors=errors, caption=caption
        )
        return _panel_response(request, question, context, 400)
    try:
        attachment_services.attach_demo(
            question=question, demo_slug=slug, params=values, caption=caption, user=request.user
        )
    except DemoParameterError as error:
        context = _panel_context(
            question, demo_slug=slug, values=values, errors=error.errors, caption=caption
        )
        return _panel_response(request, question, context, 400)
    if request.htmx:
        context = _panel_context(question, demo_slug=slug)
        context["attached"] = True
        return render(request, "frontend/demos/_attach_panel.html", context)
    messages.success(request, _("Demo attached."))
    return redirect(f"{reverse('question-edit', args=[question.pk])}#demos")


def _panel_response(request, question, context, status=200):
    """The panel alone for htmx; without JavaScript, a page of its own around it."""
    if request.htmx:
        # htmx swaps only 2xx answers by default: the panel with its errors must replace the
        # form, so the refusal is said in the panel and in a header instead of the status.
        response = render(request, "frontend/demos/_attach_panel.html", context)
        if status >= 400:
            response["X-Form-Errors"] = "1"
        return response
    return render(
        request, "frontend/demos/attach_page.html", {**context, "nav": "sets"}, status=status
    )


@login_required
def question_demo_fields(request, pk: int):
    """The parameter inputs of the demo chosen in the attachment form (htmx swaps them in)."""
    question = _editable_question(request.user, pk)
    context = _panel_context(question, demo_slug=request.GET.get("demo") or None)
    return render(request, "frontend/demos/_attach_fields.html", context)


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = attachment_with_question(pk)
    if attachment is None:
        raise Http404
    question = _editable_question(request.user, attachment.question_id)
    attachment_services.delete_attachment(attachment=attachment)
    if request.htmx:
        return _panel_response(request, question, _panel_context(question))
    messages.success(request, _("Demo removed."))
    return redirect(f"{reverse('question-edit', args=[question.pk])}#demos")
