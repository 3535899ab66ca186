"""Forms of the instructor's editor.  They only parse what was typed into the mapping the
content services take; which questions are well formed is decided by
`flashcards.validation.validate_question_data`, and its errors are shown back here."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from flashcards.models import Classroom, Question, QuestionSet
from frontend.forms import Form

Kind = Question.Kind

# The fields each kind shows, beyond title, prompt, points and tags.
KIND_FIELDS: dict[str, list[str]] = {
    Kind.FLASHCARD: ["answer", "has_reverse"],
    Kind.MULTIPLE_CHOICE: ["allow_multiple", "answer", "general_feedback"],
    Kind.TRUE_FALSE: [
        "correct_boolean",
        "true_feedback",
        "false_feedback",
        "answer",
        "general_feedback",
    ],
    Kind.NUMERICAL: ["answer", "general_feedback"],
    Kind.SHORT_ANSWER: [
        "case_sensitive",
        "normalize_whitespace",
        "ignore_accents",
        "answer",
        "general_feedback",
    ],
    Kind.MATCHING: ["answer", "general_feedback"],
    Kind.FREE_TEXT: ["answer", "general_feedback"],
    Kind.CLOZE: ["answer"],
    Kind.DESCRIPTION: [],
}
# Which row lists each kind edits.
KIND_ROWS: dict[str, list[str]] = {
    Kind.MULTIPLE_CHOICE: ["choices"],
    Kind.SHORT_ANSWER: ["choices"],
    Kind.MATCHING: ["choices"],
    Kind.NUMERICAL: ["numerical_answers"],
    Kind.FREE_TEXT: ["rubric"],
}
RICH_FIELDS = (
    "prompt",
    "answer",
    "general_feedback",
    "true_feedback",
    "false_feedback",
    "description",
)


def with_live_preview(form: forms.Form) -> None:
    """Wire each rich-text textarea to the preview endpoint (htmx posts it as one types)."""
    for name in RICH_FIELDS:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": f"{reverse('preview')}?field={name}",
                    "hx-trigger": "input changed delay:250ms, load",
                    "hx-target": f"#preview-{name}",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                    "aria-controls": f"preview-{name}",
                }
            )


def _tags(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class QuestionSetForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown, with $math$ and fenced code."),
    )
    language = forms.ChoiceField(
        label=_("Language of the set"),
        choices=[("en", "English"), ("pt-BR", "Português (Brasil)"), ("da", "Dansk")],
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=QuestionSet.Visibility.choices
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes that study it"),
        queryset=Classroom.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your classes; their students see the set on their dashboard at once."),
    )

    def __init__(self, *args, classrooms=None, **kwargs):
        """`classrooms`: the instructor's own classes, offered as check boxes (none: no field)."""
        super().__init__(*args, **kwargs)
        with_live_preview(self)
        if classrooms is None or not classrooms.exists():
            del self.fields["classes"]
        else:
            self.fields["classes"].queryset = classrooms

    def to_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = _tags(data["tags"])
        data.pop("classes", None)  # assigned by its own service, after the set exists
        return data

    @classmethod
    def initial_for(cls, question_set: QuestionSet) -> dict:
        return {
            "title": question_set.title,
            "description": question_set.description,
            "language": question_set.language,
            "visibility": question_set.visibility,
            "tags": ", ".join(tag.name for tag in question_set.tags.all()),
            "classes": list(question_set.classrooms.values_list("pk", flat=True)),
        }


class QuestionForm(Form):
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, help_text=_("Optional, for your list.")
    )
    prompt = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown, with $math$, $$display math$$ and fenced code."),
    )
    answer = forms.CharField(
        label=_("Answer / explanation"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    general_feedback = forms.CharField(
        label=_("General feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    points = forms.DecimalField(label=_("Points"), min_value=0, initial=1, decimal_places=2)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    has_reverse = forms.BooleanField(label=_("Also study it back to front"), required=False)
    allow_multiple = forms.BooleanField(label=_("Several choices may be right"), required=False)
    correct_boolean = forms.TypedChoiceField(
        label=_("The statement is"),
        choices=[("", _("— choose —")), ("true", _("True")), ("false", _("False"))],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )
    true_feedback = forms.CharField(
        label=_("Feedback for the answer “true”"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    false_feedback = forms.CharField(
        label=_("Feedback for the answer “false”"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    case_sensitive = forms.BooleanField(label=_("Case matters"), required=False)
    normalize_whitespace = forms.BooleanField(
        label=_("Ignore extra spaces"), required=False, initial=True
    )
    ignore_accents = forms.BooleanField(label=_("Ignore accents"), required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        shown = {"title", "prompt", "points", "tags", *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        if kind == Kind.FREE_TEXT:
            self.fields["answer"].label = _("Reference answer")
        elif kind == Kind.FLASHCARD:
            self.fields["answer"].label = _("Back of the card")
        elif kind == Kind.CLOZE:
            self.fields["prompt"].help_text = _("Hide parts as {{c1::answer}}, {{c2::…}}.")
        with_live_preview(self)

    def to_data(self) -> dict:
        data = {"kind": self.kind, **self.cleaned_data}
        data["tags"] = _tags(data.get("tags", ""))
        return data


class ChoiceRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Text"), required=False)
    is_correct = forms.BooleanField(label=_("Correct"), required=False)
    weight = forms.DecimalField(label=_("Weight %"), required=False)
    match_text = forms.CharField(label=_("Matches"), required=False)
    feedback = forms.CharField(label=_("Feedback"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("text") or data.get("match_text") or data.get("feedback"))


class NumericalRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    value = forms.FloatField(label=_("Value"), required=False)
    tolerance = forms.FloatField(label=_("± tolerance"), required=False)
    minimum = forms.FloatField(label=_("or from"), required=False)
    maximum = forms.FloatField(label=_("to"), required=False)
    weight = forms.DecimalField(label=_("Weight %"), required=False, initial=100)
    feedback = forms.CharField(label=_("Feedback"), required=False)

    def is_blank(self) -> bool:
        # A row with feedback but no number is the "any other number" answer, not a blank.
        data = self.cleaned_data
        numbers = ("value", "minimum", "maximum")
        return all(data.get(name) is None for name in numbers) and not data.get("feedback")


class RubricRowForm(forms.Form):
    criterion = forms.CharField(label=_("Criterion"), required=False)
    points = forms.DecimalField(label=_("Points"), required=False)

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("criterion") and self.cleaned_data.get("points") is None


ROW_FORMS = {
    "choices": ChoiceRowForm,
    "numerical_answers": NumericalRowForm,
    "rubric": RubricRowForm,
}


def row_formset(name: str, *, data=None, initial=None, extra: int = 2):
    formset_class = forms.formset_factory(ROW_FORMS[name], extra=extra)
    return formset_class(data=data, initial=initial, prefix=name)


def rows_data(name: str, formset) -> tuple[list[dict], list[int]]:
    """The non-blank rows as the service's list, and each one's index in the formset."""
    rows, indices = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        row = dict(form.cleaned_data)
        if name == "choices":
            if row.get("id") is None:
                row.pop("id", None)
        elif name == "numerical_answers":
            if row.get("id") is None:
                row.pop("id", None)
            row["weight"] = 100 if row.get("weight") is None else row["weight"]
            row["tolerance"] = row.get("tolerance") or 0.0
        elif name == "rubric":
            row["points"] = row.get("points")
        rows.append(row)
        indices.append(index)
    return rows, indices
