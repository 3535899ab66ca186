"""REST API of attempts: start or resume one, read it and its review, autosave and check
answers, self-rate, grade, and submit; thin adapters over `quizzes.services.attempts` and
`quizzes.selectors`.  The rules for errors are in `quizzes.api.common`.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.permissions import request_user
from quizzes.api.common import invalid, refused, visible_quiz
from quizzes.api.serializers import (
    AnswerInputSerializer,
    AttemptListSerializer,
    InstructorGradeSerializer,
    SelfRatingSerializer,
    SubmitInputSerializer,
)
from quizzes.grading.responses import ResponseError
from quizzes.models import Attempt, AttemptAnswer
from quizzes.selectors.access import attempts_visible_to, can_grade_attempt
from quizzes.selectors.review import attempt_page, review_data
from quizzes.services.attempts.answer import check_answer, save_answer, submit_attempt
from quizzes.services.attempts.finish import refresh_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.attempts.start import start_attempt
from quizzes.services.errors import ActionConflict, QuizActionError


def _attempt(request, pk: int) -> Attempt:
    attempt = (
        attempts_visible_to(request.user).select_related("quiz", "student").filter(pk=pk).first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def _reload(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_related("quiz", "student").get(pk=attempt.pk)


class QuizAttemptsView(generics.ListAPIView):
    """GET: the attempts at this quiz the user may see.  POST: start or resume an attempt."""

    serializer_class = AttemptListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no quiz
            return Attempt.objects.none()
        quiz = visible_quiz(self.request, self.kwargs["pk"])
        return (
            attempts_visible_to(request_user(self.request))
            .filter(quiz=quiz)
            .select_related("quiz", "student")
            .order_by("student__username", "number")
        )

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        quiz = visible_quiz(request, pk)
        try:
            attempt, created = start_attempt(quiz=quiz, student=request.user)
        except QuizActionError as error:
            return refused(error)
        attempt = _reload(attempt)
        return Response(
            attempt_page(attempt, viewer=request.user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttemptListView(generics.ListAPIView):
    serializer_class = AttemptListSerializer

    def get_queryset(self):
        queryset = attempts_visible_to(request_user(self.request)).select_related("quiz", "student")
        quiz_id = self.request.query_params.get("quiz")
        if quiz_id is not None:
            if not quiz_id.isdigit():
                raise Http404("No such quiz.")
            queryset = queryset.filter(quiz_id=int(quiz_id))
        state = self.request.query_params.get("state")
        if state in Attempt.State.values:
            queryset = queryset.filter(state=state)
        return queryset.order_by("-started_at", "-id")


class AttemptDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        attempt = refresh_attempt(attempt=_attempt(request, pk))
        return Response(attempt_page(attempt, viewer=request.user))


class AttemptReviewView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        attempt = refresh_attempt(attempt=_attempt(request, pk))
        if not attempt.is_finished and attempt.student_id == request.user.pk:
            return refused(
                ActionConflict("Submit the attempt to see its review.", code="not_finished")
            )
        return Response(review_data(attempt, viewer=request.user))


class AnswerView(APIView):
    """PUT: autosave one answer: {"response": {...}}."""

    @extend_schema(request=AnswerInputSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        serializer = AnswerInputSerializer(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        try:
            answer = save_answer(
                attempt=attempt,
                student=request.user,
                slot=slot,
                response=serializer.validated_data["response"],
            )
        except ResponseError as error:
            return invalid(error.errors, key="response")
        except QuizActionError as error:
            return refused(error)
        return Response(
            {"slot": answer.slot, "response": answer.response, "saved_at": answer.saved_at}
        )


def _item(attempt: Attempt, slot: int, viewer) -> dict:
    page = attempt_page(_reload(attempt), viewer=viewer)
    return next(item for item in page["items"] if item["slot"] == slot)


class CheckAnswerView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        try:
            check_answer(attempt=attempt, student=request.user, slot=slot)
        except QuizActionError as error:
            return refused(error)
        return Response(_item(attempt, slot, request.user))


class SelfRatingView(APIView):
    @extend_schema(request=SelfRatingSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        serializer = SelfRatingSerializer(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        try:
            rate_own_answer(
                attempt=attempt,
                student=request.user,
                slot=slot,
                rating=serializer.validated_data["rating"],
            )
        except ResponseError as error:
            return invalid(error.errors)
        except QuizActionError as error:
            return refused(error)
        return Response(_item(attempt, slot, request.user))


class InstructorGradeView(APIView):
    @extend_schema(request=InstructorGradeSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        if not can_grade_attempt(request.user, attempt):
            raise PermissionDenied("Only the class's instructor grades this attempt.")
        answer = (
            AttemptAnswer.objects.filter(attempt=attempt, slot=slot)
            .select_related("attempt")
            .first()
        )
        if answer is None:
            raise Http404("No such question in this attempt.")
        serializer = InstructorGradeSerializer(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        data = serializer.validated_data
        try:
            grade_by_instructor(
                answer=answer,
                grader=request.user,
                points=data.get("points"),
                rubric_scores=data.get("rubric_scores"),
                comment=data.get("comment", ""),
            )
        except ResponseError as error:
            return invalid(error.errors)
        except QuizActionError as error:
            return refused(error)
        return Response(_item(attempt, slot, request.user))


class SubmitView(APIView):
    """POST {"answers": {"<slot>": response, ...}} (optional): finish and grade the attempt."""

    @extend_schema(request=SubmitInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        attempt = _attempt(request, pk)
        serializer = SubmitInputSerializer(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        try:
            attempt, submitted_now = submit_attempt(
                attempt=attempt,
                student=request.user,
                responses=serializer.validated_data.get("answers") or None,
            )
        except ResponseError as error:
            return invalid(error.errors, key="answers")
        except QuizActionError as error:
            return refused(error)
        page = attempt_page(_reload(attempt), viewer=request.user)
        return Response({**page, "submitted_now": submitted_now})
