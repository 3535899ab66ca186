"""REST API for question sets and questions: thin adapters over services/selectors.

Reads go through the selectors (what does not show up there is a 404, so nobody learns that a
set or class exists), writes through the services; Django's ValidationError from a service
becomes a 400 with DRF's nested error shape, PermissionDenied a 403.  Classes are
`flashcards.api.classes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from flashcards.api.serializers import (
    MeSerializer,
    QuestionSerializer,
    QuestionSetSerializer,
    ReorderSerializer,
    django_errors,
)
from flashcards.models import Question, QuestionSet, User
from flashcards.permissions import (
    EditorsWrite,
    InstructorsCreate,
    request_user,
)
from flashcards.selectors import content as selectors
from flashcards.services import content as services


def call_service(function: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(django_errors(exc)) from exc


class QuestionPagination(PageNumberPagination):
    """Whole chapters fit on one page when a client asks (`?page_size=1000`)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ListPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- me ---------------------------------------------------------------------------------------


def instance_of(serializer: BaseSerializer[Any]) -> Any:
    """The object an update serializer was given (DRF types it as optional)."""
    assert serializer.instance is not None
    return serializer.instance


class MeView(generics.RetrieveAPIView):
    """The signed-in user, with the role that decides what the UI offers."""

    serializer_class = MeSerializer

    def get_object(self) -> User:
        return request_user(self.request)


# --- question sets ----------------------------------------------------------------------------


class QuestionSetFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(field_name="tags__name", distinct=True)
    owner = django_filters.CharFilter(field_name="owner__username")
    classroom = django_filters.NumberFilter(field_name="classrooms", distinct=True)
    editable = django_filters.BooleanFilter(
        method="filter_editable", label="Only sets you may edit (true) or may not (false)"
    )

    class Meta:
        model = QuestionSet
        fields = ["visibility", "language", "course"]

    def filter_editable(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        editable = selectors.sets_editable_by(self.request.user).values("pk")
        return queryset.filter(pk__in=editable) if value else queryset.exclude(pk__in=editable)


def sets_for_api(queryset: QuerySet[QuestionSet]) -> QuerySet[QuestionSet]:
    """Everything QuestionSetSerializer reads, fetched in a constant number of queries."""
    return (
        queryset.select_related("owner")
        .prefetch_related("tags", "co_editors")
        .annotate(question_count=Count("questions", distinct=True))
        .order_by("course_id", "position", "id")
    )


class QuestionSetViewSet(viewsets.ModelViewSet):
    """Question sets (chapters).  Instructors create them; owners and co-editors edit them;
    only the owner shares them (visibility, co-editors, course) or deletes them."""

    serializer_class = QuestionSetSerializer
    permission_classes = [IsAuthenticated, InstructorsCreate, EditorsWrite]
    pagination_class = ListPagination
    filterset_class = QuestionSetFilter
    search_fields = ["title", "description"]
    ordering_fields = ["title", "position", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[QuestionSet]:
        return sets_for_api(selectors.sets_visible_to(request_user(self.request)))

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        created = call_service(
            services.create_question_set, owner=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        call_service(
            services.update_question_set,
            question_set=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=instance_of(serializer).pk)

    def perform_destroy(self, instance: QuestionSet) -> None:
        services.delete_question_set(question_set=instance, actor=request_user(self.request))

    @extend_schema(request=ReorderSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None) -> Response:
        """Put the set's questions in this order (every question id once)."""
        question_set = self.get_object()
        payload = ReorderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        call_service(
            services.reorder_questions,
            question_set=question_set,
            question_ids=payload.validated_data["question_ids"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- questions --------------------------------------------------------------------------------


class QuestionFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(field_name="tags__name", distinct=True)

    class Meta:
        model = Question
        fields = ["question_set", "kind"]


def visible_questions(user: User) -> QuerySet[Question]:
    """Questions the user may read with their answers (none of a quiz they are taking)."""
    return selectors.with_answers(selectors.readable_questions(user))


class AnswersHidden(PermissionDenied):
    default_detail = (
        "This question is in a quiz you are taking; its answer is shown after you submit."
    )
    default_code = "answer_key_hidden"


@extend_schema(parameters=[OpenApiParameter("set_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
class SetQuestionsView(generics.ListCreateAPIView):
    """The questions of one set, in order; editors add questions here."""

    serializer_class = QuestionSerializer
    pagination_class = QuestionPagination
    filterset_class = None
    filter_backends: list = []

    def question_set(self) -> QuestionSet:
        if not hasattr(self, "_question_set"):
            visible = selectors.sets_visible_to(request_user(self.request))
            self._question_set = get_object_or_404(visible, pk=self.kwargs["set_id"])
        return self._question_set

    def get_queryset(self) -> QuerySet[Question]:
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        # A question of a quiz the reader is taking is left out until they submit it.
        hidden = selectors.questions_with_hidden_keys(request_user(self.request)).values("pk")
        return selectors.with_answers(self.question_set().questions.exclude(pk__in=hidden))

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        question_set = self.question_set()
        self.check_object_permissions(self.request, question_set)
        created = call_service(
            services.create_question, question_set=question_set, data=serializer.validated_data
        )
        serializer.instance = selectors.with_answers(Question.objects.all()).get(pk=created.pk)

    def get_permissions(self):
        return [IsAuthenticated(), EditorsWrite()]


@extend_schema_view(
    list=extend_schema(description="Questions of every set you can read, filterable."),
)
class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Questions; create them through /api/sets/{id}/questions/."""

    serializer_class = QuestionSerializer
    permission_classes = [IsAuthenticated, EditorsWrite]
    pagination_class = QuestionPagination
    filterset_class = QuestionFilter
    search_fields = ["title", "prompt", "answer"]
    ordering_fields = ["position", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Question]:
        return visible_questions(request_user(self.request)).select_related("question_set")

    def get_object(self) -> Question:
        try:
            return super().get_object()
        except Http404:
            pk = str(self.kwargs.get("pk"))
            locked = selectors.questions_with_hidden_keys(request_user(self.request))
            if pk.isdigit() and locked.filter(pk=int(pk)).exists():
                raise AnswersHidden() from None
            raise

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        updated = call_service(
            services.update_question,
            question=serializer.instance,
            changes=serializer.validated_data,
        )
        serializer.instance = selectors.with_answers(Question.objects.all()).get(pk=updated.pk)

    def perform_destroy(self, instance: Question) -> None:
        services.delete_question(question=instance)
