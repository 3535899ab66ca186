"""Serializers of the study API: what each endpoint accepts and what it answers.

The input serializers are the validation of the endpoints (a bad field gets a 400 that names
it); the output serializers render every answer, so the OpenAPI schema drf-spectacular builds
from them is the shape clients really get.
"""

from __future__ import annotations

from rest_framework import serializers

from flashcards.models import ParameterFit, StudySettings
from flashcards.scheduling.ratings import MAX_RATING, MIN_RATING, RATING_HELP
from flashcards.selectors.study import MAX_QUEUE
from flashcards.services.study import MAX_STEP_SECONDS

STATE_CHOICES = ["new", "learning", "review", "relearning"]
MODE_CHOICES = ["study", "cram"]

# --- input ------------------------------------------------------------------------------------


class ScopeSerializer(serializers.Serializer):
    set = serializers.IntegerField(required=False, min_value=1, help_text="One question set.")
    classroom = serializers.IntegerField(
        required=False, min_value=1, help_text="All the sets of a class."
    )

    def validate(self, attrs):
        if "set" in attrs and "classroom" in attrs:
            raise serializers.ValidationError(
                {"classroom": ["Give either a set or a classroom, not both."]}
            )
        return attrs


class NextSerializer(ScopeSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_QUEUE)
    mode = serializers.ChoiceField(choices=MODE_CHOICES, required=False, default="study")
    held = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_QUEUE + 1,
        help_text="Cards the client already holds: not handed out again.",
    )


class ReviewSerializer(ScopeSerializer):
    """A rating; with `next` > 0 the answer also carries the next cards of the scope (`set`,
    `classroom` or everything), leaving out the `held` ones the client already has: one
    request per card."""

    card = serializers.IntegerField(min_value=1)
    rating = serializers.IntegerField(
        min_value=MIN_RATING, max_value=MAX_RATING, help_text=RATING_HELP
    )
    client_review_id = serializers.CharField(
        max_length=64,
        min_length=1,
        trim_whitespace=True,
        help_text="Chosen by the client; a repeated submit with the same id is stored once.",
    )
    duration_ms = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=24 * 3600 * 1000
    )
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The card state's version the client was shown; another one gives a 409.",
    )
    mode = serializers.ChoiceField(choices=MODE_CHOICES, required=False, default="study")
    next = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_QUEUE,
        help_text="How many of the scope's next cards the answer should carry.",
    )
    held = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_QUEUE + 1,
        help_text="Cards the client already holds: not handed out again in `next`.",
    )


class UndoSerializer(ScopeSerializer):
    """Undo's optional body: the scope whose counts the answer should carry."""

    mode = serializers.ChoiceField(choices=MODE_CHOICES, required=False, default="study")


class FlagSerializer(serializers.Serializer):
    flagged = serializers.BooleanField()


class SuspendSerializer(serializers.Serializer):
    suspended = serializers.BooleanField()


class SettingsSerializer(serializers.ModelSerializer):
    learning_steps = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_STEP_SECONDS),
        max_length=10,
        required=False,
        help_text="Seconds; an empty list means the defaults (60, 600).",
    )
    relearning_steps = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_STEP_SECONDS),
        max_length=10,
        required=False,
        help_text="Seconds; an empty list means the default (600).",
    )
    parameters = serializers.ListField(
        child=serializers.FloatField(),
        read_only=True,
        help_text="Fitted FSRS parameters in force; empty means the package defaults.",
    )

    class Meta:
        model = StudySettings
        fields = [
            "desired_retention",
            "learning_steps",
            "relearning_steps",
            "maximum_interval",
            "new_cards_per_day",
            "enable_fuzz",
            "parameters",
        ]
        extra_kwargs = {
            "desired_retention": {"min_value": 0.70, "max_value": 0.97},
            "maximum_interval": {"min_value": 1, "max_value": 36500},
            "new_cards_per_day": {"min_value": 0, "max_value": 9999},
        }


# --- output -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class CardStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    due = serializers.DateTimeField(allow_null=True)
    stability = serializers.FloatField(allow_null=True)
    difficulty = serializers.FloatField(allow_null=True)
    reps = serializers.IntegerField()
    lapses = serializers.IntegerField()
    flagged = serializers.BooleanField()
    suspended = serializers.BooleanField()
    buried_until = serializers.DateTimeField(allow_null=True)
    is_leech = serializers.BooleanField()
    version = serializers.IntegerField()


class StudyChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_html = serializers.CharField()
    is_correct = serializers.BooleanField()


class StudyQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    choices = StudyChoiceSerializer(many=True)


class StudyCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.CharField()
    ordinal = serializers.IntegerField()
    question_set = serializers.IntegerField()
    question = StudyQuestionSerializer()
    front_html = serializers.CharField(allow_blank=True)
    back_html = serializers.CharField(allow_blank=True)


class QueueEntrySerializer(serializers.Serializer):
    queue = serializers.ChoiceField(choices=["learning", "review", "new", "cram"])
    card = StudyCardSerializer()
    state = CardStateSerializer()
    retrievability = serializers.FloatField(help_text="Predicted probability of recall now.")
    intervals = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Seconds until the card is due again, for each rating 1–5.",
    )


class NextResponseSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=MODE_CHOICES)
    cards = QueueEntrySerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    new_today = serializers.IntegerField()
    new_limit = serializers.IntegerField()
    day_ends_at = serializers.DateTimeField()


class StoredReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    card = serializers.IntegerField()
    rating = serializers.IntegerField()
    # A field named "source" shadows Field.source for the type checker only: DRF's metaclass
    # takes declared fields off the class.
    source = serializers.CharField()  # type: ignore[assignment]
    reviewed_at = serializers.DateTimeField()
    client_review_id = serializers.CharField()


class ReviewResponseSerializer(serializers.Serializer):
    review = StoredReviewSerializer()
    state = CardStateSerializer()
    created = serializers.BooleanField(help_text="False: this client_review_id was stored before.")
    next = NextResponseSerializer(
        required=False, help_text="The scope's next cards and counts, when `next` was asked for."
    )


class CardStateResponseSerializer(serializers.Serializer):
    card = serializers.IntegerField()
    state = CardStateSerializer()


class UndoResponseSerializer(CardStateResponseSerializer):
    entry = QueueEntrySerializer(help_text="The restored card, to show again at once.")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="The scope's counts after the undo."
    )


class DayCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    due = serializers.IntegerField()


class HeatDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    reviews = serializers.IntegerField()


class HeatmapSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = HeatDaySerializer(many=True)


class RetentionSerializer(serializers.Serializer):
    reviews = serializers.IntegerField()
    passed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class TrueRetentionSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    mature = RetentionSerializer()
    young = RetentionSerializer()


class MasterySerializer(serializers.Serializer):
    mastered = serializers.IntegerField()
    total = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    definition = serializers.CharField()


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    longest = serializers.IntegerField()


class CardCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    new = serializers.IntegerField()
    learning = serializers.IntegerField()
    review = serializers.IntegerField()
    suspended = serializers.IntegerField()
    leeches = serializers.IntegerField()
    flagged = serializers.IntegerField()
    mastered = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    today = serializers.DateField()
    cards = CardCountsSerializer()
    due_forecast = DayCountSerializer(many=True)
    heatmap = HeatmapSerializer()
    reviews_today = serializers.IntegerField()
    true_retention = TrueRetentionSerializer()
    mastery = MasterySerializer()
    streak = StreakSerializer()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class LeechStudentSerializer(NamedSerializer):
    username = serializers.CharField()


class LeechSetSerializer(NamedSerializer):
    title = serializers.CharField()


class LeechSerializer(serializers.Serializer):
    student = LeechStudentSerializer()
    card = serializers.IntegerField()
    question = serializers.IntegerField()
    question_title = serializers.CharField()
    question_set = LeechSetSerializer()
    lapses = serializers.IntegerField()
    suspended = serializers.BooleanField()


class LeechesSerializer(serializers.Serializer):
    leeches = LeechSerializer(many=True)


class ClassroomRefSerializer(NamedSerializer):
    name = serializers.CharField()


class StudentProgressSerializer(serializers.Serializer):
    student = LeechStudentSerializer()
    reviews_30_days = serializers.IntegerField()
    mastered = serializers.IntegerField()
    mastery = serializers.FloatField(allow_null=True)
    leeches = serializers.IntegerField()


class ClassroomStatisticsSerializer(serializers.Serializer):
    classroom = ClassroomRefSerializer()
    cards = serializers.IntegerField()
    students = StudentProgressSerializer(many=True)
    mastery_mean = serializers.FloatField(allow_null=True)


class ParameterFitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParameterFit
        fields = [
            "id",
            "status",
            "n_reviews",
            "n_validation",
            "log_loss_before",
            "log_loss_after",
            "message",
            "cards_rescheduled",
            "created_at",
            "finished_at",
        ]


class ParameterFitsSerializer(serializers.Serializer):
    fits = ParameterFitSerializer(many=True)


class FitQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
