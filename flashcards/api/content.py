"""REST API for question sets, questions and classes: thin adapters over services/selectors.

Reads go through the selectors (what does not show up there is a 404, so nobody learns that a
set or class exists), writes through the services; Django's ValidationError from a service
becomes a 400 with DRF's nested error shape, PermissionDenied a 403.
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
    AssignSerializer,
    ClassroomSerializer,
    JoinSerializer,
    MemberSerializer,
    MeSerializer,
    QuestionSerializer,
    QuestionSetSerializer,
    ReorderSerializer,
    django_errors,
)
from flashcards.models import Classroom, Membership, Question, QuestionSet, User
from flashcards.permissions import (
    ClassOwnerOnly,
    ClassOwnerWrites,
    EditorsWrite,
    InstructorsCreate,
    request_user,
)
from flashcards.selectors import content as selectors
from flashcards.services import classes as class_services
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


def _instance(serializer: BaseSerializer[Any]) -> Any:
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
        serializer.instance = self.get_queryset().get(pk=_instance(serializer).pk)

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


# --- classes ----------------------------------------------------------------------------------


class ClassroomViewSet(viewsets.ModelViewSet):
    """Classes.  Instructors create them and share the join code; students join with it.
    Members see the class and its sets; only the instructor sees the roster and changes it."""

    serializer_class = ClassroomSerializer
    permission_classes = [IsAuthenticated, InstructorsCreate, ClassOwnerWrites]
    pagination_class = ListPagination
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    filterset_class = None

    def get_queryset(self) -> QuerySet[Classroom]:
        return (
            selectors.classrooms_visible_to(request_user(self.request))
            .select_related("owner")
            .prefetch_related("question_sets")
            .annotate(member_count=Count("members", distinct=True))
            .order_by("name", "id")
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        created = call_service(
            class_services.create_classroom, owner=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        name = serializer.validated_data.get("name", _instance(serializer).name)
        call_service(class_services.update_classroom, classroom=serializer.instance, name=name)
        serializer.instance = self.get_queryset().get(pk=_instance(serializer).pk)

    @extend_schema(request=JoinSerializer, responses={200: ClassroomSerializer})
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def join(self, request) -> Response:
        """Join a class with the code its instructor gave you (case and dashes ignored)."""
        payload = JoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        classroom, _created = call_service(
            class_services.join_classroom,
            user=request.user,
            join_code=payload.validated_data["join_code"],
        )
        instance = self.get_queryset().get(pk=classroom.pk)
        return Response(self.get_serializer(instance).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def leave(self, request, pk=None) -> Response:
        """Leave a class you are a member of."""
        classroom = self.get_object()
        call_service(class_services.leave_classroom, user=request.user, classroom=classroom)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ClassroomSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="regenerate-code",
        permission_classes=[IsAuthenticated, ClassOwnerOnly],
    )
    def regenerate_code(self, request, pk=None) -> Response:
        """Replace the join code (members stay members), e.g. after it leaked."""
        classroom = class_services.regenerate_join_code(classroom=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=classroom.pk)).data)

    @extend_schema(responses={200: MemberSerializer(many=True)})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated, ClassOwnerOnly])
    def members(self, request, pk=None) -> Response:
        """The roster, for the instructor of the class."""
        classroom = self.get_object()
        memberships = (
            Membership.objects.filter(classroom=classroom)
            .select_related("user")
            .order_by("user__username")
        )
        page = self.paginate_queryset(memberships)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"members/(?P<user_id>\d+)",
        permission_classes=[IsAuthenticated, ClassOwnerOnly],
    )
    def remove_member(self, request, pk=None, user_id=None) -> Response:
        """Take a student off the roster."""
        classroom = self.get_object()
        member = get_object_or_404(User, pk=user_id)
        call_service(class_services.remove_member, classroom=classroom, user=member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses={200: QuestionSetSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=AssignSerializer, responses={201: QuestionSetSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="sets")
    def question_sets(self, request, pk=None) -> Response:
        """GET: the sets assigned to the class.  POST: assign one (instructor of the class)."""
        classroom = self.get_object()
        if request.method == "GET":
            assigned = sets_for_api(classroom.question_sets.all())
            page = self.paginate_queryset(assigned)
            data = QuestionSetSerializer(page, many=True, context={"request": request}).data
            return self.get_paginated_response(data)
        payload = AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question_set = get_object_or_404(
            selectors.sets_visible_to(request.user), pk=payload.validated_data["question_set"]
        )
        call_service(
            class_services.assign_set,
            classroom=classroom,
            question_set=question_set,
            actor=request.user,
        )
        added = sets_for_api(QuestionSet.objects.all()).get(pk=question_set.pk)
        data = QuestionSetSerializer(added, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("set_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"sets/(?P<set_id>\d+)")
    def unassign_set(self, request, pk=None, set_id=None) -> Response:
        """Take a set away from the class (the set itself stays)."""
        classroom = self.get_object()
        question_set = get_object_or_404(classroom.question_sets.all(), pk=set_id)
        class_services.unassign_set(classroom=classroom, question_set=question_set)
        return Response(status=status.HTTP_204_NO_CONTENT)
