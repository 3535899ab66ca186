"""Django admin for the content model, set up for day-to-day use by staff.

Question edits here follow the same rules as the API: the question form and its inlines are
checked by `validate_question_data`, and a change to what students see bumps `version`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from flashcards import admin_accounts
from flashcards.models import (
    Choice,
    Classroom,
    Course,
    Membership,
    NumericalAnswer,
    Question,
    QuestionSet,
    Tag,
    User,
)
from flashcards.selectors.content import question_content
from flashcards.services.content import (
    CHOICE_DEFAULTS,
    NUMERICAL_DEFAULTS,
    QUESTION_DEFAULTS,
    bump_question_version,
    validate_question_data,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = admin_accounts.UserForm
    actions = [admin_accounts.export_personal_data, admin_accounts.delete_accounts]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_staff"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        ("Quizsite", {"fields": ["role", "time_zone", "language"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Quizsite", {"fields": ["role"]}),
    ]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class QuestionSetInline(admin.TabularInline):
    model = QuestionSet
    fields = ["position", "title", "visibility", "language"]
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "created_at"]
    search_fields = ["title", "description", "owner__username"]
    autocomplete_fields = ["owner"]
    inlines = [QuestionSetInline]


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "owner",
        "course",
        "position",
        "language",
        "visibility",
        "question_count",
        "updated_at",
    ]
    list_filter = ["visibility", "language", "course", "tags"]
    search_fields = ["title", "description", "owner__username"]
    autocomplete_fields = ["owner", "course", "co_editors", "tags"]
    readonly_fields = ["description_html", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(ordering="question_count", description="questions")
    def question_count(self, obj: QuestionSet) -> int:
        return obj.question_count  # type: ignore[attr-defined]  # annotated by get_queryset


# --- questions ----------------------------------------------------------------------------------


def _form_rows(formset: BaseInlineFormSet, fields: dict) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):  # an untouched blank row, or one marked for deletion
            continue
        rows.append({name: data.get(name, default) for name, default in fields.items()})
    return rows


class AnswersFormSet(BaseInlineFormSet):
    """Checks the whole question (its fields + these answers) with validate_question_data."""

    key = ""
    defaults: dict = {}

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        question = self.instance
        data = {name: getattr(question, name) for name in QUESTION_DEFAULTS}
        data["kind"] = question.kind
        data[self.key] = _form_rows(self, self.defaults)
        other = "numerical_answers" if self.key == "choices" else "choices"
        data[other] = []
        try:
            validate_question_data(data)
        except ValidationError as exc:
            mine = [
                message
                for key, messages in exc.message_dict.items()
                if key.split(".")[0] == self.key
                for message in [f"{_label(key)}{text}" for text in messages]
            ]
            if mine:
                raise ValidationError(mine) from exc


def _label(key: str) -> str:
    parts = key.split(".")
    if len(parts) == 3:
        return f"Row {int(parts[1]) + 1}, {parts[2].replace('_', ' ')}: "
    return ""


class ChoiceFormSet(AnswersFormSet):
    key = "choices"
    defaults = CHOICE_DEFAULTS


class NumericalFormSet(AnswersFormSet):
    key = "numerical_answers"
    defaults = NUMERICAL_DEFAULTS


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ["position", "text", "is_correct", "weight", "feedback", "match_text"]
    extra = 0


class NumericalAnswerInline(admin.TabularInline):
    model = NumericalAnswer
    formset = NumericalFormSet
    fields = ["position", "value", "tolerance", "minimum", "maximum", "weight", "feedback"]
    extra = 0


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "question_set",
            "position",
            "kind",
            "title",
            "points",
            "tags",
            "prompt",
            "answer",
            "general_feedback",
            "has_reverse",
            "allow_multiple",
            "correct_boolean",
            "true_feedback",
            "false_feedback",
            "case_sensitive",
            "normalize_whitespace",
            "ignore_accents",
            "rubric",
        ]

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        data = {name: cleaned.get(name, default) for name, default in QUESTION_DEFAULTS.items()}
        data["kind"] = cleaned.get("kind")
        try:
            validate_question_data(data, nested=False)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                self.add_error(key if key in self.fields else None, messages)
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = [
        "__str__",
        "question_set",
        "kind",
        "position",
        "points",
        "version",
        "updated_at",
    ]
    list_filter = ["kind", "question_set__visibility", "question_set", "tags"]
    list_select_related = ["question_set"]
    search_fields = ["title", "prompt", "answer", "question_set__title"]
    autocomplete_fields = ["question_set", "tags"]
    readonly_fields = [
        "version",
        "prompt_html",
        "answer_html",
        "general_feedback_html",
        "created_at",
        "updated_at",
    ]
    inlines = [ChoiceInline, NumericalAnswerInline]
    fieldsets = [
        (None, {"fields": ["question_set", "position", "kind", "title", "points", "tags"]}),
        ("Text", {"fields": ["prompt", "answer", "general_feedback"]}),
        (
            "Kind-specific",
            {
                "fields": [
                    "has_reverse",
                    "allow_multiple",
                    "correct_boolean",
                    "true_feedback",
                    "false_feedback",
                    "case_sensitive",
                    "normalize_whitespace",
                    "ignore_accents",
                    "rubric",
                ],
                "description": "Flashcard: reverse card.  Multiple choice: several answers.  "
                "True/false: the answer.  Short answer: how typed answers are matched.  "
                'Free text: rubric as [{"criterion": ..., "points": ...}].',
            },
        ),
        (
            "Rendered",
            {
                "fields": [
                    "prompt_html",
                    "answer_html",
                    "general_feedback_html",
                    "version",
                    "created_at",
                    "updated_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # What students saw before this edit; compared after the inlines are saved.
            obj._content_before = question_content(Question.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        before = getattr(question, "_content_before", None)
        fresh = Question.objects.get(pk=question.pk)
        if before is not None and question_content(fresh) != before:
            bump_question_version(question)


# --- classes ------------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]
    extra = 0


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "join_code", "member_count", "created_at"]
    search_fields = ["name", "join_code", "owner__username"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner", "question_sets"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj: Classroom) -> int:
        return obj.member_count  # type: ignore[attr-defined]  # annotated by get_queryset
