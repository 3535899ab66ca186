"""REST API of quizzes themselves: create, read, change and delete a quiz, and its results
(statistics, grading queue, gradebook, regrade); thin adapters over `quizzes.services` and
`quizzes.selectors`.  The rules for errors are in `quizzes.api.common`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.permissions import request_user
from quizzes.api.common import invalid, refused, visible_quiz
from quizzes.api.serializers import QuizSerializer, QuizWriteSerializer
from quizzes.models import Quiz
from quizzes.selectors.access import (
    attempts_for_results,
    can_manage_quiz,
    can_view_results,
    quizzes_visible_to,
    students_for_results,
)
from quizzes.selectors.gradebook import gradebook_csv, gradebook_rows
from quizzes.selectors.statistics import grading_queue, quiz_statistics
from quizzes.services import quizzes as quiz_services
from quizzes.services.errors import QuizActionError
from quizzes.services.regrade import regrade_quiz


def _quiz_settings(data: dict) -> dict:
    settings = {
        key: value for key, value in data.items() if key not in {"question_ids", "classroom_ids"}
    }
    relations = {}
    if "question_ids" in data:
        relations["questions"] = data["question_ids"]
    if "classroom_ids" in data:
        relations["classrooms"] = data["classroom_ids"]
    return {**settings, **relations}


class QuizListCreateView(generics.ListAPIView):
    serializer_class = QuizSerializer

    def get_queryset(self):
        return (
            quizzes_visible_to(request_user(self.request))
            .select_related("owner", "tag")
            .prefetch_related("quiz_questions", "classrooms")
            .order_by("-created_at", "id")
        )

    @extend_schema(request=QuizWriteSerializer, responses={201: QuizSerializer})
    def post(self, request):
        if not request.user.is_instructor:
            raise PermissionDenied("Only instructors create quizzes.")
        serializer = QuizWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        try:
            quiz = quiz_services.create_quiz(
                owner=request.user, **_quiz_settings(serializer.validated_data)
            )
        except DjangoValidationError as error:
            return invalid(error.message_dict)
        return Response(QuizSerializer(quiz, context={"request": request}).data, status=201)


class QuizDetailView(APIView):
    @extend_schema(responses=QuizSerializer)
    def get(self, request, pk: int):
        quiz = visible_quiz(request, pk)
        return Response(QuizSerializer(quiz, context={"request": request}).data)

    @extend_schema(request=QuizWriteSerializer, responses=QuizSerializer)
    def patch(self, request, pk: int):
        quiz = visible_quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner changes it.")
        serializer = QuizWriteSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            return invalid(serializer.errors)
        try:
            quiz = quiz_services.update_quiz(quiz=quiz, **_quiz_settings(serializer.validated_data))
        except DjangoValidationError as error:
            return invalid(error.message_dict)
        return Response(QuizSerializer(quiz, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        quiz = visible_quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner deletes it.")
        try:
            quiz_services.delete_quiz(quiz=quiz)
        except QuizActionError as error:
            return refused(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _results_quiz(request, pk: int) -> Quiz:
    quiz = visible_quiz(request, pk)
    if not can_view_results(request.user, quiz):
        raise PermissionDenied("Only the quiz's instructors see its results.")
    return quiz


class QuizStatisticsView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        return Response(quiz_statistics(quiz, attempts_for_results(request.user, quiz)))


class GradingQueueView(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        queue = grading_queue(attempts_for_results(request.user, quiz))
        return Response(
            [
                {
                    "attempt_id": answer.attempt_id,
                    "slot": answer.slot,
                    "student": answer.attempt.student.username,
                    "finished_at": answer.attempt.finished_at,
                    "prompt_html": answer.snapshot["prompt_html"],
                    "reference_html": answer.snapshot.get("answer_html", ""),
                    "rubric": answer.snapshot.get("rubric", []),
                    "response": answer.response,
                    "self_rating": answer.self_rating,
                    "max_mark": str(answer.max_mark),
                }
                for answer in queue
            ]
        )


class GradebookCsvView(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        rows = gradebook_rows(
            quiz,
            students=students_for_results(request.user, quiz),
            attempts=attempts_for_results(request.user, quiz),
        )
        response = HttpResponse(gradebook_csv(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="quiz-{quiz.pk}-gradebook-{stamp}.csv"'
        )
        return response


class RegradeView(APIView):
    """GET: a dry run listing the attempts a regrade would change (old → new score);
    POST: apply it.  The quiz's owner only, as for its settings."""

    def _managed_quiz(self, request, pk: int) -> Quiz:
        quiz = visible_quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner regrades it.")
        return quiz

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        quiz = self._managed_quiz(request, pk)
        return Response(regrade_quiz(quiz=quiz, apply=False).as_dict())

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        quiz = self._managed_quiz(request, pk)
        return Response(regrade_quiz(quiz=quiz, apply=True).as_dict())
