"""REST API for classes: instructors create them and share the join code, students join and
leave, the instructor keeps the roster and assigns sets.  Thin adapters over
`flashcards.services.classes` and the selectors, as `flashcards.api.content` is for sets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from flashcards.api.content import ListPagination, call_service, instance_of, sets_for_api
from flashcards.api.serializers import (
    AssignSerializer,
    ClassroomSerializer,
    JoinSerializer,
    MemberSerializer,
    QuestionSetSerializer,
)
from flashcards.models import Classroom, Membership, QuestionSet, User
from flashcards.permissions import ClassOwnerOnly, ClassOwnerWrites, InstructorsCreate, request_user
from flashcards.selectors import content as selectors
from flashcards.services import classes as class_services


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
        name = serializer.validated_data.get("name", instance_of(serializer).name)
        call_service(class_services.update_classroom, classroom=serializer.instance, name=name)
        serializer.instance = self.get_queryset().get(pk=instance_of(serializer).pk)

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
