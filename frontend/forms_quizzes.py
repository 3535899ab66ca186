"""Forms of the quiz pages: quiz settings and an instructor's grade.

They parse what was typed into the arguments `quizzes.services` take; whether the settings
fit together (a set for a whole-set quiz, closing after opening, own classes only) is
decided by `quizzes.services.quizzes._check_settings`, and its errors come back here.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms import Form
from quizzes.models import (
    MAX_ATTEMPTS_ALLOWED,
    MAX_TIME_LIMIT_SECONDS,
    QUIZ_TITLE_MAX_LENGTH,
    Quiz,
)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class QuizForm(Form):
    title = forms.CharField(label=_("Title"), max_length=QUIZ_TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    selection = forms.ChoiceField(label=_("Questions"), choices=Quiz.Selection.choices)
    question_set = forms.TypedChoiceField(
        label=_("Question set"), required=False, coerce=int, empty_value=None
    )
    tag = forms.TypedChoiceField(
        label=_("Tag to draw from"), required=False, coerce=int, empty_value=None
    )
    random_count = forms.IntegerField(
        label=_("How many questions to draw"), required=False, min_value=1, max_value=1000
    )
    questions = forms.TypedMultipleChoiceField(
        label=_("Questions of a fixed list"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Used when the quiz is a fixed list; hold Ctrl (⌘) to pick several."),
    )
    classrooms = forms.TypedMultipleChoiceField(
        label=_("Classes that take it"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    time_limit_minutes = forms.DecimalField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=Decimal("0.2"),
        max_value=MAX_TIME_LIMIT_SECONDS // 60,
        decimal_places=1,
        help_text=_("Leave empty for no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=0,
        max_value=MAX_ATTEMPTS_ALLOWED,
        initial=0,
        help_text=_("0 means unlimited attempts."),
    )
    answers_shown = forms.ChoiceField(
        label=_("When students see the answers"), choices=Quiz.AnswersShown.choices
    )
    grading_method = forms.ChoiceField(
        label=_("Grade from several attempts"), choices=Quiz.GradingMethod.choices
    )
    free_text_grading = forms.ChoiceField(
        label=_("Who grades written answers"),
        choices=Quiz.FreeTextGrading.choices,
        initial=Quiz.FreeTextGrading.INSTRUCTOR,
        required=False,
        help_text=_(
            "By the instructor: a student's own rating never counts. Self-assessed: the rating "
            "counts up to the cap below, and the gradebook marks the grade self-assessed."
        ),
    )
    self_assessment_cap = forms.DecimalField(
        label=_("Cap on a self-assessed answer (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=50,
        required=False,
        help_text=_("The most a student's own rating can earn, as a share of the points."),
    )
    is_practice = forms.BooleanField(
        label=_("Practice quiz"),
        required=False,
        help_text=_(
            "Students may rate their own written answers for their study schedule, even when "
            "the instructor grades them; the rating never changes the score."
        ),
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(
        label=_("Closes at"), required=False, widget=DateTimeLocalInput()
    )
    shuffle_questions = forms.BooleanField(label=_("Shuffle the questions"), required=False)
    shuffle_choices = forms.BooleanField(label=_("Shuffle the choices"), required=False)

    def __init__(self, *args, sets=(), tags=(), questions=(), classrooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_set"].choices = [("", "—"), *sets]
        self.fields["tag"].choices = [("", "—"), *tags]
        self.fields["questions"].choices = list(questions)
        self.fields["classrooms"].choices = list(classrooms)

    @staticmethod
    def initial_for(quiz: Quiz) -> dict:
        minutes = None
        if quiz.time_limit_seconds:
            minutes = (Decimal(quiz.time_limit_seconds) / 60).quantize(Decimal("0.1"))
        return {
            "title": quiz.title,
            "description": quiz.description,
            "selection": quiz.selection,
            "question_set": quiz.question_set_id,
            "tag": quiz.tag_id,
            "random_count": quiz.random_count,
            "questions": [qq.question_id for qq in quiz.quiz_questions.all()],
            "classrooms": [classroom.pk for classroom in quiz.classrooms.all()],
            "time_limit_minutes": minutes,
            "attempts_allowed": quiz.attempts_allowed,
            "answers_shown": quiz.answers_shown,
            "grading_method": quiz.grading_method,
            "free_text_grading": quiz.free_text_grading,
            "self_assessment_cap": quiz.self_assessment_cap,
            "is_practice": quiz.is_practice,
            "pass_mark": quiz.pass_mark,
            "opens_at": quiz.opens_at,
            "closes_at": quiz.closes_at,
            "shuffle_questions": quiz.shuffle_questions,
            "shuffle_choices": quiz.shuffle_choices,
        }

    def to_settings(self) -> dict:
        """The keyword arguments of `create_quiz` / `update_quiz`, objects still as ids."""
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["time_limit_seconds"] = None if minutes is None else int(minutes * 60)
        # Left out (an older form, a script): the safe defaults, never "self-rating counts".
        data["free_text_grading"] = data["free_text_grading"] or Quiz.FreeTextGrading.INSTRUCTOR
        if data["self_assessment_cap"] is None:
            data["self_assessment_cap"] = Decimal(50)
        if data["selection"] != Quiz.Selection.RANDOM:
            data["random_count"] = None
            data["tag"] = None
        return data


class GradeForm(Form):
    """Either one score per rubric criterion or points for the whole answer, and a comment."""

    points = forms.DecimalField(label=_("Points"), required=False, decimal_places=4)
    comment = forms.CharField(
        label=_("Comment for the student"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, rubric=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = list(rubric)
        for index, criterion in enumerate(self.rubric):
            self.fields[f"rubric_{index}"] = forms.DecimalField(
                label=criterion.get("criterion") or _("Criterion %(n)s") % {"n": index + 1},
                required=False,
                min_value=0,
                decimal_places=4,
                help_text=_("0 to %(points)s") % {"points": criterion.get("points", 0)},
            )

    def rubric_fields(self):
        return [self[f"rubric_{index}"] for index in range(len(self.rubric))]

    def clean(self):
        data = super().clean()
        scores = [data.get(f"rubric_{index}") for index in range(len(self.rubric))]
        given = [score for score in scores if score is not None]
        if given and len(given) != len(scores):
            raise forms.ValidationError(_("Score every rubric criterion, or none of them."))
        if not given and data.get("points") is None and not self.errors:
            raise forms.ValidationError(_("Give points, or a score for each rubric criterion."))
        data["rubric_scores"] = given or None
        return data
