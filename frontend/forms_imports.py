"""The import wizard's upload form: a file or pasted text, a format, and where the questions go.

Which files parse and which questions are well formed is `flashcards.services.imports`'s job;
this form only makes sure there is something to read.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms import Form

FORMAT_LABELS = {
    "gift": "GIFT (Moodle)",
    "moodlexml": "Moodle XML",
    "aiken": "Aiken",
    "csv": "CSV",
    "tsv": "TSV",
    "markdown": "Markdown",
    "apkg": "Anki (.apkg)",
    "json": "quizsite JSON",
}


class ImportForm(Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("GIFT, Moodle XML, Aiken, CSV/TSV, Markdown, quizsite JSON or an Anki .apkg."),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "source"}),
    )
    format = forms.ChoiceField(label=_("Format"), required=False)
    target = forms.TypedChoiceField(
        label=_("Import into"), required=False, coerce=int, empty_value=None
    )
    title = forms.CharField(
        label=_("Title of the new set"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the title in the file."),
    )
    separator = forms.CharField(
        label=_("Between term and definition"),
        required=False,
        strip=False,
        max_length=16,
        help_text=_(
            "CSV/TSV only: leave empty to detect it, or give tab, comma, semicolon or any text "
            "(as Quizlet's custom separators)."
        ),
    )
    row_separator = forms.ChoiceField(
        label=_("Between cards"),
        required=False,
        choices=[
            ("", _("A new line")),
            ("blank", _("A blank line (definitions may span lines)")),
            ("semicolon", _("A semicolon")),
        ],
    )
    quoting = forms.ChoiceField(
        label=_("Quotes"),
        required=False,
        choices=[
            ("", _("Detect whether the file quotes its fields")),
            ("on", _("Fields are quoted as in CSV")),
            ("off", _('" is ordinary text (Quizlet)')),
        ],
    )
    replaces = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, formats=(), sets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            ("", _("Detect it from the content")),
            *((fmt, FORMAT_LABELS.get(fmt, fmt)) for fmt in formats),
        ]
        self.fields["target"].choices = [("", _("A new question set")), *sets]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file, or paste the questions as text."))
        return data
