"""Input and output shapes of the quizzes API; rules live in `quizzes.services`."""

from __future__ import annotations

from rest_framework import serializers

from flashcards.models import Classroom, Question, QuestionSet, Tag
from flashcards.scheduling.ratings import MAX_RATING, MIN_RATING
from quizzes.models import (
    MAX_ATTEMPTS_ALLOWED,
    MAX_TIME_LIMIT_SECONDS,
    QUIZ_TITLE_MAX_LENGTH,
    Attempt,
    Quiz,
)
from quizzes.selectors.review import decimal_text
from quizzes.services.quizzes import SETTING_FIELDS


class QuizWriteSerializer(serializers.Serializer):
    """Types and existence only; which sets, questions and classes the owner may use, and how
    settings fit together, is checked by `quizzes.services.quizzes`."""

    title = serializers.CharField(max_length=QUIZ_TITLE_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    selection = serializers.ChoiceField(choices=Quiz.Selection.choices, required=False)
    question_set = serializers.PrimaryKeyRelatedField(
        queryset=QuestionSet.objects.all(), required=False, allow_null=True
    )
    tag = serializers.SlugRelatedField(
        slug_field="name", queryset=Tag.objects.all(), required=False, allow_null=True
    )
    random_count = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    question_ids = serializers.PrimaryKeyRelatedField(
        queryset=Question.objects.all(), many=True, required=False
    )
    classroom_ids = serializers.PrimaryKeyRelatedField(
        queryset=Classroom.objects.all(), many=True, required=False
    )
    shuffle_questions = serializers.BooleanField(required=False)
    shuffle_choices = serializers.BooleanField(required=False)
    attempts_allowed = serializers.IntegerField(
        min_value=0, max_value=MAX_ATTEMPTS_ALLOWED, required=False
    )
    time_limit_seconds = serializers.IntegerField(
        min_value=10, max_value=MAX_TIME_LIMIT_SECONDS, required=False, allow_null=True
    )
    answers_shown = serializers.ChoiceField(choices=Quiz.AnswersShown.choices, required=False)
    grading_method = serializers.ChoiceField(choices=Quiz.GradingMethod.choices, required=False)
    free_text_grading = serializers.ChoiceField(
        choices=Quiz.FreeTextGrading.choices,
        required=False,
        help_text="Who grades free-text answers: the instructor, or the student's capped rating.",
    )
    self_assessment_cap = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text="Most a self-rating earns, as a percentage of the question's points.",
    )
    is_practice = serializers.BooleanField(
        required=False,
        help_text="Practice quiz: with instructor grading, students may still self-rate for study.",
    )
    pass_mark = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_question_ids(self, value):
        if len({q.pk for q in value}) != len(value):
            raise serializers.ValidationError("A question appears twice.")
        return value


class QuizSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    tag = serializers.CharField(source="tag.name", read_only=True, default=None, allow_null=True)
    question_ids = serializers.SerializerMethodField()
    classroom_ids = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        # The settings a quiz's owner may set are listed once, by the service that writes them.
        fields = [
            "id",
            "owner",
            *SETTING_FIELDS,
            "question_ids",
            "classroom_ids",
            "created_at",
            "updated_at",
        ]

    def _is_owner(self, quiz) -> bool:
        request = self.context.get("request")
        return request is not None and quiz.owner_id == request.user.pk

    def get_question_ids(self, quiz) -> list[int] | None:
        # Students are not told which questions a quiz holds before they attempt it.
        if not self._is_owner(quiz):
            return None
        return [qq.question_id for qq in quiz.quiz_questions.all()]

    def get_classroom_ids(self, quiz) -> list[int] | None:
        if not self._is_owner(quiz):
            return None
        return [c.pk for c in quiz.classrooms.all()]


class AttemptListSerializer(serializers.ModelSerializer):
    quiz_title = serializers.CharField(source="quiz.title", read_only=True)
    student = serializers.CharField(source="student.username", read_only=True)
    score = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()
    percentage = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "quiz",
            "quiz_title",
            "student",
            "number",
            "state",
            "finished_by",
            "started_at",
            "deadline",
            "finished_at",
            "score",
            "max_score",
            "percentage",
            "needs_grading",
            "self_assessed",
        ]

    def get_score(self, attempt) -> str | None:
        return decimal_text(attempt.score) if attempt.is_finished else None

    def get_max_score(self, attempt) -> str | None:
        return decimal_text(attempt.max_score) if attempt.is_finished else None

    def get_percentage(self, attempt) -> str | None:
        return decimal_text(attempt.percentage) if attempt.is_finished else None


class AnswerInputSerializer(serializers.Serializer):
    response = serializers.JSONField(allow_null=True)


class SubmitInputSerializer(serializers.Serializer):
    """Optional last answers sent with the submission, saved all or none before grading."""

    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)

    def validate_answers(self, value):
        cleaned = {}
        for key, response in value.items():
            try:
                cleaned[int(key)] = response
            except (TypeError, ValueError):
                raise serializers.ValidationError(f"{key!r} is not a question number.") from None
        return cleaned


class SelfRatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=MIN_RATING, max_value=MAX_RATING)


class InstructorGradeSerializer(serializers.Serializer):
    points = serializers.DecimalField(
        max_digits=9, decimal_places=4, min_value=0, required=False, allow_null=True
    )
    rubric_scores = serializers.ListField(
        child=serializers.DecimalField(max_digits=9, decimal_places=4, min_value=0),
        required=False,
        allow_null=True,
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate(self, attrs):
        if (attrs.get("points") is None) == (attrs.get("rubric_scores") is None):
            raise serializers.ValidationError({"points": ["Give either points or rubric scores."]})
        return attrs
