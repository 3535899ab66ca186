"""Serializers of the content API: shapes and field types only.

Whether a question makes sense for its kind is decided by
`flashcards.validation.validate_question_data`, which the views call through the write
services; `django_errors()` turns its dotted error keys ("choices.1.text") into DRF's nested
error shape ({"choices": [{}, {"text": [...]}]}).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from flashcards.models import (
    Choice,
    Classroom,
    Course,
    NumericalAnswer,
    Question,
    QuestionSet,
    User,
)


def django_errors(exc: DjangoValidationError) -> dict[str, Any]:
    """Nest `ValidationError` keys like "numerical_answers.0.tolerance" the way DRF does.

    Item errors are keyed by the item's index, as DRF's own nested serializers report them:
    `{"numerical_answers": {0: {"tolerance": [...]}}}`.  When a list has both errors of its
    own ("needs two choices") and item errors, its own go under `non_field_errors` beside them.
    """
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": list(exc.messages)}
    tree: dict[Any, Any] = {}
    for key, messages in sorted(exc.message_dict.items(), key=lambda item: item[0].count(".")):
        *parents, leaf = (int(part) if part.isdigit() else part for part in key.split("."))
        node = tree
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {"non_field_errors": child} if child else {}
            node = child
        if isinstance(node.get(leaf), dict):
            node[leaf].setdefault("non_field_errors", []).extend(messages)
        else:
            node[leaf] = list(messages)
    return tree


class TagListField(serializers.ListField):
    """Tags as a list of names; unknown names become new tags."""

    child = serializers.CharField(max_length=64)

    def to_representation(self, data):
        manager = data.all() if hasattr(data, "all") else data
        return [getattr(tag, "name", tag) for tag in manager]


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "time_zone",
            "language",
        ]
        read_only_fields = fields


class QuestionSetSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    co_editors = serializers.SlugRelatedField(
        many=True,
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        help_text="Usernames of instructors who may edit the set (owner only).",
    )
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(), allow_null=True, required=False
    )
    tags = TagListField(required=False)
    question_count = serializers.IntegerField(read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = QuestionSet
        fields = [
            "id",
            "title",
            "description",
            "description_html",
            "language",
            "course",
            "position",
            "owner",
            "co_editors",
            "visibility",
            "tags",
            "question_count",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["description_html", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}

    def get_can_edit(self, obj: QuestionSet) -> bool:
        user = self.context["request"].user
        return obj.owner_id == user.pk or any(u.pk == user.pk for u in obj.co_editors.all())


class ChoiceSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send it back to keep this choice when updating a question."
    )

    class Meta:
        model = Choice
        fields = [
            "id",
            "text",
            "text_html",
            "is_correct",
            "weight",
            "feedback",
            "feedback_html",
            "match_text",
        ]
        read_only_fields = ["text_html", "feedback_html"]


class NumericalAnswerSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send it back to keep this answer when updating a question."
    )

    class Meta:
        model = NumericalAnswer
        fields = [
            "id",
            "value",
            "tolerance",
            "minimum",
            "maximum",
            "weight",
            "feedback",
            "feedback_html",
        ]
        read_only_fields = ["feedback_html"]
        extra_kwargs = {"tolerance": {"required": False}, "weight": {"required": False}}


class RubricItemSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    points = serializers.FloatField(min_value=0)


class QuestionSerializer(serializers.ModelSerializer):
    """A question with its answers; writing `choices` or `numerical_answers` replaces them.

    Items that carry the id of an existing answer update it in place, items without one are
    added, and answers left out are deleted.  Lists that are not sent stay as they are.
    """

    choices = ChoiceSerializer(many=True, required=False)
    numerical_answers = NumericalAnswerSerializer(many=True, required=False)
    rubric = RubricItemSerializer(many=True, required=False)
    tags = TagListField(required=False)

    class Meta:
        model = Question
        fields = [
            "id",
            "question_set",
            "position",
            "kind",
            "title",
            "prompt",
            "prompt_html",
            "answer",
            "answer_html",
            "general_feedback",
            "general_feedback_html",
            "points",
            "tags",
            "has_reverse",
            "allow_multiple",
            "correct_boolean",
            "true_feedback",
            "true_feedback_html",
            "false_feedback",
            "false_feedback_html",
            "case_sensitive",
            "normalize_whitespace",
            "ignore_accents",
            "rubric",
            "choices",
            "numerical_answers",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "question_set",
            "prompt_html",
            "answer_html",
            "general_feedback_html",
            "true_feedback_html",
            "false_feedback_html",
            "version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"position": {"required": False}}


class ReorderSerializer(serializers.Serializer):
    question_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class ClassroomSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    join_code = serializers.SerializerMethodField(
        help_text="Shown to the instructor of the class only."
    )
    member_count = serializers.IntegerField(read_only=True)
    question_sets: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    is_owner = serializers.SerializerMethodField()

    class Meta:
        model = Classroom
        fields = [
            "id",
            "name",
            "owner",
            "join_code",
            "member_count",
            "question_sets",
            "is_owner",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_join_code(self, obj: Classroom) -> str | None:
        return obj.join_code if self.get_is_owner(obj) else None

    def get_is_owner(self, obj: Classroom) -> bool:
        return obj.owner_id == self.context["request"].user.pk


class JoinSerializer(serializers.Serializer):
    join_code = serializers.CharField(max_length=32)


class AssignSerializer(serializers.Serializer):
    question_set = serializers.IntegerField()


class MemberSerializer(serializers.Serializer):
    user = UserSummarySerializer(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)
