"""Admin for quizzes and attempts.  Attempts are records of what students did: the admin shows
them read-only (grading goes through the API's services so totals stay consistent)."""

from django.contrib import admin

from quizzes.models import Attempt, AttemptAnswer, Quiz, QuizQuestion


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    raw_id_fields = ["question"]
    ordering = ["position"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "selection", "answers_shown", "opens_at", "closes_at"]
    list_filter = ["selection", "answers_shown", "grading_method"]
    search_fields = ["title", "description", "owner__username"]
    raw_id_fields = ["owner", "question_set"]
    filter_horizontal = ["classrooms"]
    inlines = [QuizQuestionInline]


class AttemptAnswerInline(admin.TabularInline):
    model = AttemptAnswer
    extra = 0
    can_delete = False
    fields = (
        "slot",
        "question",
        "question_version",
        "response",
        "mark",
        "max_mark",
        "self_rating",
        "override_mark",
        "grader_comment",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "student", "number", "state", "score", "max_score", "finished_at"]
    list_filter = ["state", "finished_by", "needs_grading"]
    search_fields = ["quiz__title", "student__username"]
    list_select_related = ["quiz", "student"]
    readonly_fields = [
        "quiz",
        "student",
        "number",
        "state",
        "finished_by",
        "seed",
        "started_at",
        "deadline",
        "finished_at",
        "last_saved_at",
        "score",
        "max_score",
        "needs_grading",
    ]
    inlines = [AttemptAnswerInline]

    def has_add_permission(self, request):
        return False
